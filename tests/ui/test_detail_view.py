"""The card's history speaks of people and departments, not accounts and codes."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtWidgets import QLabel
from pytestqt.qtbot import QtBot

from opdesk import services
from opdesk.ui.detail_view import short_name
from opdesk.ui.main_window import MainWindow
from tests.ui.conftest import sql
from tests.ui.test_workstation import select_ids


def test_short_name_keeps_surname_and_initials_and_leaves_logins() -> None:
    assert short_name("Кузьмин Данил Олегович") == "Кузьмин Д. О."
    assert short_name("Сидоров Алексей") == "Сидоров А."
    assert short_name("client") == "client"
    assert short_name("ООО «Кристалл»") == "ООО «Кристалл»"


def test_hand_over_reads_as_department_names_by_the_persons_name(
    qtbot: QtBot, window: MainWindow, desk_file: Path
) -> None:
    tid = int(sql(desk_file, "SELECT id FROM tickets WHERE process = 'outage' AND is_open = 1 "
                  "ORDER BY id LIMIT 1")[0][0])  # type: ignore[call-overload]  # fmt: skip
    assert window.writer is not None
    done: list[object] = []
    window.writer.submit(
        lambda desk: services.hand_over(desk, window.actor(), tid, "tech"), done.append
    )
    qtbot.waitUntil(lambda: bool(done), timeout=10_000)
    with qtbot.waitSignal(window.queueLoaded, timeout=30_000):
        window.filters.select("Все")
    select_ids(qtbot, window, [tid])
    tree = window.detail.timeline
    rows = [(tree.topLevelItem(i).text(1), tree.topLevelItem(i).text(2))
            for i in range(tree.topLevelItemCount())]  # fmt: skip
    who, what = rows[-1]
    tech = window.pack.departments.find("tech")
    assert tech is not None and what.endswith(f"→ {tech.name}"), rows[-1]
    person = window.person
    assert person is not None and who == short_name(person.name)


def test_s09_a_closed_call_shows_until_when_it_can_be_edited(
    qtbot: QtBot, window: MainWindow
) -> None:
    """«Закрыт по окончанию диалога» at 13:00 Moscow: the card says edits are possible until
    13:05 (S-09's five minutes), with the rule."""
    assert window.writer is not None
    made: list[int] = []

    def call(desk: object) -> None:
        created = services.create_ticket(
            desk, window.actor(), process="call_request", channel="phone",  # type: ignore[arg-type]
            subject="Вопрос по тарифу",
        )  # fmt: skip
        assert created.created_id is not None
        closed = services.close(desk, window.actor(), created.created_id)  # type: ignore[arg-type]
        assert closed.ok, closed.message()
        made.append(created.created_id)

    window.writer.submit(call)
    qtbot.waitUntil(lambda: bool(made), timeout=10_000)
    with qtbot.waitSignal(window.queueLoaded, timeout=30_000):
        window.filters.select("Все")
    view = select_ids(qtbot, window, made)
    assert view.editable
    label = window.detail.findChild(QLabel, "editWindow")
    assert label is not None and "13:05" in label.text() and "S-09" in label.text()
