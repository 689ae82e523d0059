"""The layer rules hold for every module, including ones added later."""

from __future__ import annotations

import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_every_module_outside_ui_is_under_the_no_qt_contract() -> None:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    contracts = config["tool"]["importlinter"]["contracts"]
    no_qt = next(c for c in contracts if "PySide6" in c["forbidden_modules"])
    covered = set(no_qt["source_modules"])
    package = ROOT / "opdesk"
    top_level = {
        f"opdesk.{p.stem if p.is_file() else p.name}"
        for p in package.iterdir()
        if (p.suffix == ".py" and p.stem != "__init__") or (p / "__init__.py").exists()
    }
    assert "opdesk.ui" in top_level
    missing = top_level - covered - {"opdesk.ui"}
    assert not missing, f"add these to the 'Qt stays in opdesk.ui' contract: {sorted(missing)}"
