"""One error hierarchy: every exception class of the project derives from NianbaoError,
and the CLI prints any of them as one line with a non-zero exit, never a traceback."""

from __future__ import annotations

import importlib
import inspect
from pathlib import Path

import pytest

from nianbao.cli import main
from nianbao.core.errors import NianbaoError

ROOT = Path(__file__).parent.parent
PACKAGES = ("nianbao", "extractor", "rules", "ui", "eval")
SKIP = {"ui.app"}  # a Streamlit script: importing it draws the page


def _modules() -> list[str]:
    names = []
    for package in PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            parts = path.relative_to(ROOT).with_suffix("").parts
            if parts[-1] == "__main__":
                continue
            name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
            if name not in SKIP:
                names.append(name)
    return names


def test_every_exception_class_derives_from_the_one_root() -> None:
    found = []
    for name in _modules():
        module = importlib.import_module(name)
        for _, cls in inspect.getmembers(module, inspect.isclass):
            if cls.__module__ == name and issubclass(cls, BaseException):
                found.append(cls)
                assert issubclass(cls, NianbaoError), f"{name}.{cls.__name__}"
    assert len(found) >= 10  # the walk saw the hierarchy (core, store, eval, pipeline)


def test_the_cli_prints_a_project_error_as_one_line(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    bad = tmp_path / "report.xyz"
    bad.write_text("not a report", encoding="utf-8")
    code = main(["extract", str(bad), "--out", str(tmp_path / "out")])
    err = capsys.readouterr().err
    assert code == 2 and err.count("\n") == 1 and err.startswith("nianbao: report.xyz")
    assert "Traceback" not in err
