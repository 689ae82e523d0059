"""The layer rules hold for every module, including ones added later."""

from __future__ import annotations

import re
import sys
import tomllib
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]


def _contracts() -> list[dict[str, Any]]:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    return list(config["tool"]["importlinter"]["contracts"])


def _top_level() -> set[str]:
    package = ROOT / "opdesk"
    return {
        f"opdesk.{p.stem if p.is_file() else p.name}"
        for p in package.iterdir()
        if (p.suffix == ".py" and p.stem != "__init__") or (p / "__init__.py").exists()
    }


def test_every_module_outside_ui_is_under_the_no_qt_contract() -> None:
    no_qt = next(c for c in _contracts() if "PySide6" in c.get("forbidden_modules", ()))
    covered = set(no_qt["source_modules"])
    top_level = _top_level()
    assert "opdesk.ui" in top_level
    missing = top_level - covered - {"opdesk.ui"}
    assert not missing, f"add these to the 'Qt stays in opdesk.ui' contract: {sorted(missing)}"


def test_every_module_has_a_place_in_the_layers_contract() -> None:
    """A new top-level module outside the layers would escape the one-way rule unnoticed."""
    layers = next(c for c in _contracts() if c["type"] == "layers")
    placed = {m.strip() for layer in layers["layers"] for m in re.split(r"[|:]", layer)}
    missing = _top_level() - placed
    assert not missing, f"add these to the 'Layers point one way' contract: {sorted(missing)}"
    assert not placed - _top_level(), "the layers contract names modules that do not exist"


def test_no_file_of_ours_shadows_a_standard_library_module() -> None:
    """A script's folder comes first on sys.path: bench/queue.py once hid `queue` from
    multiprocessing, and the demo generation's workers died on `from queue import Empty`."""
    shadows = [
        str(path.relative_to(ROOT))
        for folder in ("bench", "tools", "tests", ".")
        for path in (ROOT / folder).glob("*.py")
        if path.stem in sys.stdlib_module_names
    ]
    assert not shadows, f"rename these, they shadow standard modules: {shadows}"
