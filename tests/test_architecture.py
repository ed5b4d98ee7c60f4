"""The layering in pyproject's import-linter contracts holds, and covers every module.

import-linter only sees modules grimp can reach as packages: a folder without an
`__init__.py` drops out of the graph silently, and a module in no layer is checked by nothing.
So besides running the contracts, compare the graph with the .py files on disk and with the
layers contract.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import grimp

ROOT = Path(__file__).parent.parent
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
CONFIG = PYPROJECT["tool"]["importlinter"]
ROOTS: list[str] = CONFIG["root_packages"]


def _layers_contract() -> dict[str, object]:
    (layers,) = [c for c in CONFIG["contracts"] if c["type"] == "layers"]
    return layers


def _modules_on_disk() -> set[str]:
    found = set()
    for package in ROOTS:
        for path in (ROOT / package).rglob("*.py"):
            parts = path.relative_to(ROOT).with_suffix("").parts
            if parts[-1] == "__init__":
                parts = parts[:-1]
            found.add(".".join(parts))
    return found


def _graph() -> grimp.ImportGraph:
    return grimp.build_graph(*ROOTS, include_external_packages=False, cache_dir=None)


def test_import_contracts_hold() -> None:
    lint = shutil.which("lint-imports", path=str(Path(sys.executable).parent))
    assert lint, "import-linter is a dev dependency: pip install -e '.[dev]'"
    run = subprocess.run(
        [lint, "--no-cache"], cwd=ROOT, capture_output=True, text=True, check=False
    )
    assert run.returncode == 0, run.stdout + run.stderr


def test_every_module_is_in_the_import_graph() -> None:
    missing = _modules_on_disk() - set(_graph().modules)
    assert not missing, f"not in import-linter's graph (a folder without __init__.py?): {missing}"


def test_every_module_sits_in_a_layer() -> None:
    layers = [
        name.strip().strip("()")  # "(x)": an optional layer
        for layer in _layers_contract()["layers"]  # type: ignore[attr-defined]
        for name in layer.replace(":", "|").split("|")
    ]

    def in_a_layer(module: str) -> bool:
        return any(module == layer or module.startswith(layer + ".") for layer in layers)

    # a root package's own __init__ that is only a container of layers (nianbao) is exempt,
    # as long as it imports nothing
    graph = _graph()
    outside = {m for m in graph.modules if not in_a_layer(m)}
    assert outside == {"nianbao"}, f"modules in no layer of the contract: {outside - {'nianbao'}}"
    assert not graph.find_modules_directly_imported_by("nianbao")


def test_the_check_bites_on_a_package_without_init(tmp_path: Path) -> None:
    """The graph test is not vacuous: a folder of modules without __init__.py is invisible."""
    pkg = tmp_path / "demo"
    (pkg / "inner").mkdir(parents=True)
    (pkg / "__init__.py").write_text("")
    (pkg / "inner" / "mod.py").write_text("import json\n")
    sys.path.insert(0, str(tmp_path))
    try:
        graph = grimp.build_graph("demo", cache_dir=None)
    finally:
        sys.path.remove(str(tmp_path))
    assert "demo.inner.mod" not in graph.modules
