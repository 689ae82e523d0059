"""Sync conflicts on the ticket's card and the manual merge (DESIGN.md's per-field policy): a
text the server kept is listed with the one it did not take, «Объединить…» opens both side by
side, and saving runs `resolve_conflict` — the field gets the merged text, the conflict is
resolved and the merge is an op for the server. A refused op is listed with its reason."""

from __future__ import annotations

import json
import uuid
from pathlib import Path

from pytestqt.qtbot import QtBot

from opdesk.models import Ticket, TicketConflict
from opdesk.services import Desk
from opdesk.ui.conflict_merge import MergeDialog
from opdesk.ui.main_window import MainWindow
from tests.ui.conftest import sql
from tests.ui.test_checklist_panel import on_writer
from tests.ui.test_workstation import select_ids

PICK = "SELECT id FROM tickets WHERE process = 'helpdesk' AND is_open = 1 ORDER BY id LIMIT 1"


def record(qtbot: QtBot, window: MainWindow, tid: int, **row: object) -> uuid.UUID:
    """A conflict on the ticket, written as a pull from the server would write it."""

    def work(desk: Desk) -> uuid.UUID:
        with desk.db.transaction() as s:
            ticket = s.get(Ticket, tid)
            assert ticket is not None
            made = TicketConflict(ticket_id=ticket.uuid, at=desk.clock.now(), **row)
            s.add(made)
            s.flush()
            return made.id

    found: uuid.UUID = on_writer(qtbot, window, work)
    return found


def test_a_kept_text_is_listed_and_merged_through_the_command(
    qtbot: QtBot, window: MainWindow, desk_file: Path
) -> None:
    tid = int(sql(desk_file, PICK)[0][0])  # type: ignore[call-overload]
    subject = str(sql(desk_file, "SELECT subject FROM tickets WHERE id = ?", tid)[0][0])
    conflict = record(qtbot, window, tid, person=window.actor().login, op_name="set_fields",
                      kind="text", field="subject", server_value=subject,
                      local_value="Не работает почта у бухгалтерии", reasons="[]",
                      resolved_at=None, resolved_by="")  # fmt: skip
    with qtbot.waitSignal(window.queueLoaded, timeout=30_000):
        window.filters.select("Все")
    view = select_ids(qtbot, window, [tid])
    assert [c.id for c in view.conflicts] == [conflict] and view.conflicts[0].open
    box = window.detail.conflicts
    assert box.isVisibleTo(window) and len(box.labels) == 1
    assert "ждёт объединения" in box.labels[0].text()
    assert len(box.merge_buttons) == 1
    box.merge_buttons[0].click()
    dialog = window.merge_dialog
    assert isinstance(dialog, MergeDialog) and dialog.isVisible()
    assert dialog.standing.toPlainText() == subject
    assert dialog.other.toPlainText() == "Не работает почта у бухгалтерии"
    assert dialog.merged() == subject  # the merge starts from the text as it stands
    dialog.result.setPlainText(f"{subject}: не работает почта у бухгалтерии")
    with qtbot.waitSignal(window.viewShown, timeout=30_000) as shown:
        dialog.save.click()
    after = shown.args[0]
    assert after.detail.subject == f"{subject}: не работает почта у бухгалтерии"
    (line,) = after.conflicts
    assert not line.open and line.resolved_by == window.actor().login
    assert box.merge_buttons == [] and "объединено" in box.labels[0].text()
    ops = sql(desk_file, "SELECT command, payload FROM outbox WHERE command = 'resolve_conflict'")
    assert len(ops) == 1
    args = json.loads(str(ops[0][1]))
    assert args["conflict"] == str(conflict) and args["base"] == {"subject": subject}


def test_a_refused_op_is_listed_with_its_reason(
    qtbot: QtBot, window: MainWindow, desk_file: Path
) -> None:
    tid = int(sql(desk_file, PICK)[0][0])  # type: ignore[call-overload]
    said = [{"rule": "U-03", "ru": "Заявку уже взял другой", "en": "Taken by another"}]
    record(qtbot, window, tid, person="someone", op_name="take", kind="refused", field="",
           server_value="", local_value="", reasons=json.dumps(said, ensure_ascii=False),
           resolved_at=None, resolved_by="")  # fmt: skip
    with qtbot.waitSignal(window.queueLoaded, timeout=30_000):
        window.filters.select("Все")
    view = select_ids(qtbot, window, [tid])
    assert not view.conflicts[0].open  # nothing to merge in a refusal
    box = window.detail.conflicts
    assert "Заявку уже взял другой (U-03)" in box.labels[0].text()
    assert "отклонено сервером" in box.labels[0].text()
    assert box.merge_buttons == []  # a refusal has nothing to merge
