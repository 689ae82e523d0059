"""SLA durations in the pack must be positive: a zero limit breaches every ticket at once."""

from __future__ import annotations

from pathlib import Path

import pytest

from opdesk.errors import PackError
from opdesk.regulations.pack import DEFAULT_PACK, load_pack


def broken(tmp_path: Path, old: str, new: str) -> Path:
    text = DEFAULT_PACK.read_text(encoding="utf-8")
    assert old in text, old
    path = tmp_path / "broken.toml"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    return path


@pytest.mark.parametrize("zero", ["0m", "0h", "0d", "00m", " 0m "])
def test_a_zero_duration_is_refused_naming_file_and_key(tmp_path: Path, zero: str) -> None:
    path = broken(tmp_path, 'reaction = "30m"', f'reaction = "{zero}"')
    with pytest.raises(PackError) as info:
        load_pack(path)
    err = info.value
    assert err.file == str(path)
    assert err.key.endswith("sla.plans.urgent_support.reaction"), err.key
    assert "больше нуля" in err.problem_ru and "greater than zero" in err.problem_en
    assert zero in err.problem_ru and repr(zero) in err.problem_en


def test_a_negative_duration_is_refused(tmp_path: Path) -> None:
    path = broken(tmp_path, 'reaction = "30m"', 'reaction = "-30m"')
    with pytest.raises(PackError) as info:
        load_pack(path)
    assert info.value.key.endswith("sla.plans.urgent_support.reaction")


def test_positive_durations_still_load(tmp_path: Path) -> None:
    pack = load_pack(broken(tmp_path, 'reaction = "30m"', 'reaction = "1m"'))
    limit = pack.sla.plans["urgent_support"].limits["reaction"]
    assert (limit.amount, limit.unit) == (1, "m")
