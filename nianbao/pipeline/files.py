"""Which files a run reads: folders are walked for report files; every file is hashed."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator, Sequence
from pathlib import Path

from nianbao.core.errors import UserError
from nianbao.store.types import SourceInfo

CHUNK = 1 << 20


def report_suffixes() -> tuple[str, ...]:
    """The file types the readers understand (from extractor.readers, the one list)."""
    from extractor.readers import SUFFIXES

    return tuple(SUFFIXES)


def discover(paths: Sequence[Path]) -> list[Path]:
    """Files named on the command line, and the report files inside named folders.

    A named file is always taken (an unsupported one is then recorded as failed, with the
    reason); inside a folder only the readers' file types are, hidden entries skipped.
    """
    suffixes = report_suffixes()
    out: dict[Path, None] = {}
    for path in paths:
        if path.is_dir():
            for found in sorted(path.rglob("*")):
                rel = found.relative_to(path).parts
                if any(p.startswith(".") for p in rel) or not found.is_file():
                    continue
                if found.suffix.lower() in suffixes:
                    out[found.resolve()] = None
        elif path.is_file():
            out[path.resolve()] = None
        else:
            raise UserError(f"{path}: no such file or folder")
    return list(out)


def hashed(path: Path) -> SourceInfo:
    """The file's identity for the store, read in chunks (no text yet)."""
    digest = hashlib.sha256()
    size = 0
    with path.open("rb") as handle:
        while chunk := handle.read(CHUNK):
            digest.update(chunk)
            size += len(chunk)
    media = path.suffix.lower().lstrip(".") or "txt"
    return SourceInfo(
        path=str(path),
        name=path.name,
        content_hash=digest.hexdigest(),
        media=media,
        size_bytes=size,
    )


def iter_sources(files: Sequence[Path]) -> Iterator[tuple[Path, SourceInfo | str]]:
    """(path, SourceInfo) per file, or (path, error) when the file cannot even be opened."""
    for path in files:
        try:
            yield path, hashed(path)
        except OSError as exc:
            yield path, f"{path.name}: cannot read ({exc.strerror or exc.__class__.__name__})"
