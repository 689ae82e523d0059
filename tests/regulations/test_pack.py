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


def test_one_process_per_document_with_its_own_numbers() -> None:
    """No desk-wide compromise: each process carries its own document's auto-close and
    reopen rules (B-03 2 days, P-07 3 days, S-09 5 minutes, P-08 never, 000 no auto-close)."""
    pack = load_default_pack()
    sources = {p.id: p.source.key for p in pack.processes.values()}
    assert sources == {
        "call_request": "S", "helpdesk": "U", "portal": "P", "csn": "B", "outage": "C",
    }  # fmt: skip
    csn, portal = pack.processes["csn"], pack.processes["portal"]
    assert [(a.status, a.working_days, a.rule.id) for a in csn.auto_close] == [
        ("resolved", 2, "B-03")
    ]
    assert [(a.status, a.working_days, a.rule.id) for a in portal.auto_close] == [
        ("awaiting_confirmation", 3, "P-07")
    ]
    assert portal.reopen.never and portal.reopen.rule.id == "P-08"
    call = pack.processes["call_request"]
    assert call.reopen.window_minutes == 5 and call.edit_after_close.minutes == 5
    assert csn.reopen.window_minutes is None and set(csn.reopen.sources) == {"resolved", "closed"}
    outage = pack.processes["outage"]
    assert not outage.auto_close and outage.no_auto_close is not None
    assert [p.id for p in pack.processes.values() if p.sla_plans] == ["csn"]
    assert pack.process_for("phone").id == "call_request"
    assert pack.process_for("portal").id == "portal"
    assert pack.process_for("anything", "outage").id == "outage"
    text = DEFAULT_PACK.read_text(encoding="utf-8")
    assert "[parameters]" not in text and "borrowed from 004" in text


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
    path = mutate(
        tmp_path, 'from = ["new"]\nto = "in_progress"', 'from = ["nwe"]\nto = "in_progress"'
    )
    err = load_error(path)
    assert err.key == "transitions[0].from[0]"
    assert "nwe" in err.problem_ru


def test_process_naming_an_unknown_status(tmp_path: Path) -> None:
    path = mutate(
        tmp_path, 'statuses = ["in_progress", "closed"]', 'statuses = ["in_progress", "clsoed"]'
    )
    err = load_error(path)
    assert err.key == "processes.call_request.statuses[1]"
    assert "clsoed" in err.problem_ru


def test_transition_leaving_its_process(tmp_path: Path) -> None:
    """A call's request has no «Отменено»: a transition into it leaves the process."""
    path = mutate(
        tmp_path,
        'processes = ["call_request"]\nfrom = ["in_progress"]\nto = "closed"',
        'processes = ["call_request"]\nfrom = ["in_progress"]\nto = "cancelled"',
    )
    err = load_error(path)
    assert err.key == "transitions[2].to"
    assert "call_request" in err.problem_ru and "leaves" in err.problem_en


def test_two_auto_close_rules_for_one_status(tmp_path: Path) -> None:
    rule = '[[processes.csn.auto_close]]\nstatus = "resolved"\nworking_days = 2'
    path = mutate(tmp_path, rule, f'{rule}\nrule = "B-03"\n\n{rule}')
    err = load_error(path)
    assert err.key == "processes.csn.auto_close[1].status"
    assert "второе правило автозакрытия" in err.problem_ru


def test_leftover_terminal_flag_on_a_status_points_to_processes(tmp_path: Path) -> None:
    path = mutate(tmp_path, 'rules = ["P-06", "B-02"]', 'rules = ["P-06", "B-02"]\nterminal = true')
    err = load_error(path)
    assert err.key == "statuses.cancelled.terminal"
    assert "[processes.<id>]" in err.problem_ru


def test_a_channel_belongs_to_one_process(tmp_path: Path) -> None:
    path = mutate(tmp_path, 'channels = ["portal"]', 'channels = ["portal", "phone"]')
    err = load_error(path)
    assert err.key == "processes.portal.channels[1]"
    assert "call_request" in err.problem_ru


def test_never_reopen_with_a_reopen_action_is_refused(tmp_path: Path) -> None:
    path = mutate(tmp_path, 'reopen = { from = ["resolved", "closed"], rule = "B-02" }',
                  'reopen = { never = true, rule = "B-02" }')  # fmt: skip
    err = load_error(path)
    assert err.key == "processes.csn.reopen.never"


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


def test_template_action_must_be_a_known_transition(tmp_path: Path) -> None:
    """U-05: the interim reply's `action = "hold"` is run through that transition's guards;
    a misspelt action is named with its template, not discovered when a reply is sent."""
    path = mutate(
        tmp_path,
        '[templates.interim_evening]\naction = "hold"',
        '[templates.interim_evening]\naction = "hodl"',
    )
    err = load_error(path)
    assert err.key == "templates.interim_evening.action"
    assert "hodl" in err.problem_ru and "transitions" in err.problem_en


def test_interim_replies_put_the_ticket_on_hold() -> None:
    pack = load_default_pack()
    held = {t.id for t in pack.templates.items if t.action == "hold"}
    assert held == {"interim_before_evening", "interim_evening", "interim_weekend"}
