"""The command line: `opdesk pack check` and `opdesk explain …`, run as a real process."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from opdesk.regulations.pack import DEFAULT_PACK
from opdesk.regulations.snapshot import to_dict
from tests.regulations.tickets import ready_to_close, with_client


def opdesk(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "opdesk.cli", *args],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def write_ticket(tmp_path: Path, ticket: object, name: str = "ticket.json") -> str:
    path = tmp_path / name
    path.write_text(json.dumps(to_dict(ticket), ensure_ascii=False), encoding="utf-8")
    return str(path)


def test_pack_check_valid_default_pack() -> None:
    result = opdesk("pack", "check", str(DEFAULT_PACK))
    assert result.returncode == 0, result.stderr
    assert "в порядке" in result.stdout


def test_pack_check_malformed_pack_exit_2_without_traceback(tmp_path: Path) -> None:
    bad = tmp_path / "bad.toml"
    text = DEFAULT_PACK.read_text(encoding="utf-8").replace('clock = "paused"', "clock = 5", 1)
    bad.write_text(text, encoding="utf-8")
    result = opdesk("pack", "check", str(bad))
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    assert str(bad) in result.stderr
    assert "statuses.waiting_client.clock" in result.stderr
    assert "ожидается строка" in result.stderr and "expected str" in result.stderr


def test_explain_close_json_lists_missing_items(tmp_path: Path) -> None:
    ticket = with_client(ready_to_close(), category="VIP")
    path = write_ticket(tmp_path, ticket)
    result = opdesk("explain", "close", path, "--json")
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["can_close"] is False
    assert {r["rule"] for r in data["reasons"]} == {"C-07", "C-09"}


def test_explain_close_text_for_trainers(tmp_path: Path) -> None:
    result = opdesk("explain", "close", write_ticket(tmp_path, ready_to_close()))
    assert result.returncode == 0, result.stderr
    assert "можно закрыть" in result.stdout and "[x] C-01" in result.stdout


def test_explain_transition_refusal_names_rule(tmp_path: Path) -> None:
    path = write_ticket(tmp_path, ready_to_close(department="ТО"))
    result = opdesk("explain", "transition", path, "close", "--json", "--at", "2026-11-19T11:00")
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert data[0]["allowed"] is False
    assert data[0]["reasons"][0]["rule"] == "C-01"


def test_explain_sla_at_moment() -> None:
    result = opdesk(
        "explain", "sla", "--category", "Проблемы с хостингом", "--priority", "Критичный",
        "--created", "2026-11-20T17:30", "--at", "2026-11-20T17:40", "--json",
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["plan"] == "Ликвидация аварий"
    reaction = data["stages"][0]
    assert reaction["stage"] == "reaction" and reaction["limit_minutes"] == 15


def test_explain_unknown_category_exit_2() -> None:
    result = opdesk("explain", "sla", "--category", "Нет такой")
    assert result.returncode == 2
    assert "Нет такой" in result.stderr and "Traceback" not in result.stderr


def test_explain_unknown_status_in_ticket_exit_2(tmp_path: Path) -> None:
    path = write_ticket(tmp_path, ready_to_close(status="лимб"))
    result = opdesk("explain", "transition", path, "close")
    assert result.returncode == 2
    assert "нет статуса «лимб»" in result.stderr and "Traceback" not in result.stderr


def test_b03_explain_transition_with_process_and_document_status_names(tmp_path: Path) -> None:
    """--process sets the ticket's process; «Решен» is 004's own name of the status."""
    resolved = {
        "number": "СЗ-7", "status": "Решен", "stage": "resolved",
        "history": [
            {"at": "2026-11-18T09:00:00+03:00", "status": "Новая", "stage": "classification"},
            {"at": "2026-11-18T15:00:00+03:00", "status": "Решен", "stage": "resolved"},
        ],
    }  # fmt: skip
    path = tmp_path / "csn.json"
    path.write_text(json.dumps(resolved, ensure_ascii=False), encoding="utf-8")
    args = ("explain", "transition", str(path), "auto_close", "--role", "system", "--json")
    early = opdesk(*args, "--process", "csn", "--at", "2026-11-20T14:59")
    assert early.returncode == 0, early.stderr
    assert json.loads(early.stdout)[0]["reasons"][0]["rule"] == "B-03"
    due = opdesk(*args, "--process", "csn", "--at", "2026-11-20T15:00")
    assert json.loads(due.stdout)[0]["allowed"] is True
    portal = opdesk(*args, "--process", "portal", "--at", "2026-11-20T15:00")
    assert portal.returncode == 2 and "нет статуса «Решен»" in portal.stderr
    none = opdesk(*args[:-1], "--at", "2026-11-20T15:00")
    assert none.returncode == 2 and "не указан процесс" in none.stderr


def test_b05_explain_sla_accepts_status_names_in_the_history(tmp_path: Path) -> None:
    ticket = {
        "number": "СЗ-8", "process": "csn", "category": "Проблемы с хостингом",
        "priority": "Обычный", "status": "В работе", "stage": "processing",
        "created_at": "2026-11-16T10:00:00+03:00",
        "history": [
            {"at": "2026-11-16T10:00:00+03:00", "status": "Новая", "stage": "classification"},
            {"at": "2026-11-16T10:20:00+03:00", "status": "В работе", "stage": "processing"},
        ],
    }  # fmt: skip
    path = tmp_path / "sla.json"
    path.write_text(json.dumps(ticket, ensure_ascii=False), encoding="utf-8")
    result = opdesk("explain", "sla", str(path), "--at", "2026-11-16T11:00", "--json")
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["plan"] == "Стандартная техподдержка"
    assert [s["state"] for s in data["stages"]][:2] == ["met", "running"]
    portal = opdesk("explain", "sla", str(path), "--process", "portal", "--at", "2026-11-16T11:00")
    assert portal.returncode == 2 and "планы SLA (B-05) не применяются" in portal.stderr


def test_explain_bad_ticket_json_exit_2(tmp_path: Path) -> None:
    path = tmp_path / "t.json"
    path.write_text("{ not json", encoding="utf-8")
    result = opdesk("explain", "close", str(path))
    assert result.returncode == 2 and "неверный JSON" in result.stderr


def test_explain_template_friday_evening_uses_first_working_day() -> None:
    result = opdesk(
        "explain", "template", "interim_reply", "--department", "tech",
        "--at", "2026-11-20T18:30", "--json",
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["template"] == "interim_weekend"
    assert "подключить технический отдел" in data["text"]
    assert data["reasons"][0]["rule"] == "U-08"


def test_explain_template_unknown_situation_exit_2() -> None:
    result = opdesk("explain", "template", "nosuch")
    assert result.returncode == 2 and "nosuch" in result.stderr


def test_explain_classify_product_required() -> None:
    result = opdesk(
        "explain", "classify", "--theme", "Услуги", "--type", "Заявка",
        "--subtheme", "Подключение услуги", "--json",
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["allowed"] is False and data["reasons"][0]["rule"] == "S-04"


def test_explain_classify_contact_plan(tmp_path: Path) -> None:
    contact = {
        "questions": [
            {"theme": "Баланс и платежи", "type": "Консультация", "number": "+79160000001"},
            {"theme": "Баланс и платежи", "type": "Заявка", "compensation": "компенсация",
             "number": "+79160000001"},
        ]
    }  # fmt: skip
    path = tmp_path / "contact.json"
    path.write_text(json.dumps(contact, ensure_ascii=False), encoding="utf-8")
    result = opdesk("explain", "classify", "--contact", str(path), "--json")
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert len(data["requests"]) == 2
    assert data["requests"][1]["type"] == "Заявка" and data["requests"][1]["link_to"] == 0


def test_u08_explain_template_keeps_to_the_templates_of_the_process() -> None:
    args = ("explain", "template", "interim_reply", "--department", "tech",
            "--at", "2026-11-20T18:30")  # fmt: skip
    assert opdesk(*args, "--process", "helpdesk").returncode == 0
    portal = opdesk(*args, "--process", "portal")
    assert portal.returncode == 2 and "не применяется в процессе" in portal.stderr
