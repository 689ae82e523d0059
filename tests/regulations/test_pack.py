"""Loading and validating regulation packs: a bad pack names file, key path and problem."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from opdesk.errors import PackError
from opdesk.regulations.pack import DEFAULT_PACK, load_default_pack, load_pack

ALL_RULE_IDS = (
    {f"C-{n:02d}" for n in range(1, 12)}
    | {f"S-{n:02d}" for n in range(1, 10)}
    | {f"U-{n:02d}" for n in range(1, 11)}
    | {f"P-{n:02d}" for n in range(1, 10)}
    | {f"B-{n:02d}" for n in range(1, 7)}
)


def test_default_pack_defines_every_rule_with_source() -> None:
    pack = load_default_pack()
    assert set(pack.rules) == ALL_RULE_IDS
    for rule in pack.rules.values():
        assert rule.text and rule.text_en
        assert rule.source.file.startswith(("000_", "001_", "002_", "003_", "004_"))


def test_disagreements_are_parameters() -> None:
    text = DEFAULT_PACK.read_text(encoding="utf-8")
    pack = load_default_pack()
    assert pack.parameters.auto_close_working_days == 3
    assert "B-03 (004, CSN): 2 working days" in text and "P-07 (003, portal): 3" in text
    assert pack.parameters.closed_reopen_window_minutes == 5


def mutate(tmp_path: Path, old: str, new: str) -> Path:
    text = DEFAULT_PACK.read_text(encoding="utf-8")
    assert old in text, old
    path = tmp_path / "broken.toml"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    return path


def load_error(path: Path) -> PackError:
    with pytest.raises(PackError) as info:
        load_pack(path)
    return info.value


def test_toml_syntax_error_names_file_and_line(tmp_path: Path) -> None:
    path = mutate(tmp_path, 'id = "default"', 'id = "default')
    err = load_error(path)
    assert err.file == str(path)
    assert "line" in err.problem_en and "TOML" in err.problem_ru


def test_unknown_rule_in_checklist_item(tmp_path: Path) -> None:
    path = mutate(
        tmp_path, 'id = "handed_to_opp"\nrule = "C-01"', 'id = "handed_to_opp"\nrule = "C-99"'
    )
    err = load_error(path)
    assert err.key == "closing.schemes.standard.items[0].rule"
    assert "C-99" in err.problem_ru and "[rules]" in err.problem_en


def test_bad_condition_field_names_the_segment(tmp_path: Path) -> None:
    path = mutate(
        tmp_path,
        'require = { field = "ticket.department", eq = "ОПП" }',
        'require = { field = "ticket.departmnet", eq = "ОПП" }',
    )
    err = load_error(path)
    assert err.key == "closing.schemes.standard.items[0].require.field"
    assert "ticket.departmnet" in err.problem_ru


def test_unknown_status_in_transition(tmp_path: Path) -> None:
    path = mutate(tmp_path, 'from = ["new", "reopened"]', 'from = ["nwe", "reopened"]')
    err = load_error(path)
    assert err.key == "transitions[0].from[0]"
    assert "nwe" in err.problem_ru


def test_misspelt_key_is_refused(tmp_path: Path) -> None:
    path = mutate(tmp_path, 'clock = "paused"', 'clok = "paused"')
    err = load_error(path)
    assert err.key == "statuses.waiting_client.clok"
    assert "неизвестный ключ" in err.problem_ru


def test_bad_clock_value(tmp_path: Path) -> None:
    path = mutate(tmp_path, 'clock = "paused"', 'clock = "sometimes"')
    err = load_error(path)
    assert err.key == "statuses.waiting_client.clock"


def test_bad_evening_parameter(tmp_path: Path) -> None:
    path = mutate(tmp_path, 'evening_from = "17:00"', 'evening_from = "5 pm"')
    err = load_error(path)
    assert err.key == "templates.evening_from"


def test_missing_file_is_a_pack_error(tmp_path: Path) -> None:
    err = load_error(tmp_path / "nope.toml")
    assert "nope.toml" in err.message()


def test_scheme_to_fill_without_items_needs_the_flag(tmp_path: Path) -> None:
    path = mutate(tmp_path, "to_fill = true\nitems = []", "items = []")
    err = load_error(path)
    assert err.key == "closing.schemes.sberbank.items"


def test_u10_change_log_is_dated_and_visible() -> None:
    pack = load_default_pack()
    dates = [e.date for e in pack.changelog]
    assert dates == sorted(dates, reverse=True)  # newest first
    recent = pack.changes_since(dt.date(2025, 11, 1))
    assert any(e.author == "Валиев Р.Р." and "U-08" in e.rules for e in recent)
    assert all(e.date >= dt.date(2025, 11, 1) for e in recent)
    older = [e for e in pack.changelog if e.date == dt.date(2025, 10, 20)]
    assert older and "Заявка на ремонт" in older[0].change and older[0].rules == ("U-03",)


def test_u10_change_log_entry_needs_a_date(tmp_path: Path) -> None:
    path = mutate(tmp_path, "date = 2025-10-20\n", 'date = "вчера"\n')
    err = load_error(path)
    assert err.key == "changelog[0].date" and "date" in err.problem_en
