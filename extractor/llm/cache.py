"""Answers on disk (diskcache): the same request under the same versions is never paid twice.

The key holds the prompt version, the schema version, the model, the instructor mode and
the full request (messages, sampling settings, response format): change any of them and
the old answers are no longer served.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

import diskcache

from nianbao.core.models import SCHEMA_VERSION


def cache_key(request: dict[str, Any], *, prompt_version: str, model: str, mode: str) -> str:
    """A stable digest of everything that decides the answer."""
    material = {
        "prompt_version": prompt_version,
        "schema_version": SCHEMA_VERSION,
        "model": model,
        "mode": mode,
        "request": request,
    }
    blob = json.dumps(material, sort_keys=True, ensure_ascii=False, default=str)
    return hashlib.sha256(blob.encode("utf-8")).hexdigest()


class AnswerCache:
    """Completion bodies (as JSON-ready dicts) by cache key."""

    def __init__(self, directory: Path) -> None:
        directory.mkdir(parents=True, exist_ok=True)
        self._cache = diskcache.Cache(str(directory))

    def get(self, key: str) -> dict[str, Any] | None:
        value = self._cache.get(key)
        return value if isinstance(value, dict) else None

    def put(self, key: str, body: dict[str, Any]) -> None:
        self._cache.set(key, body)

    def close(self) -> None:
        self._cache.close()
