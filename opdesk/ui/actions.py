"""The operator's actions on the selected ticket(s), each one command of opdesk.services run on
the writer thread. A multi-selection applies the same command ticket by ticket (the same guarded
path as one ticket) and lists what was done and what was refused and why."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from PySide6.QtCore import QObject, Signal
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QMenu, QWidget

from opdesk import services
from opdesk.regulations.pack import Pack
from opdesk.regulations.snapshot import Actor
from opdesk.services import CommandResult, Desk
from opdesk.services.views import ActionOffer, TicketView
from opdesk.ui.db_worker import DbThread
from opdesk.ui.panels import BulkResults, Field, FormDialog, RefusalPanel, reasons_text

Command = Callable[[Desk, Actor, int], CommandResult]
REASONS = {
    "dissatisfied_progress": "Недовольство ходом работ",
    "new_circumstances": "Новые обстоятельства",
    "other_weighty": "Другие весомые обстоятельства",
}
COMMENT_KINDS = (
    ("Заметка", "note"),
    ("Итог звонка (U-07)", "call_result"),
    ("Попытка перезвонить (S-08)", "callback_attempt"),
    ("Ответ клиента", "client_reply"),
)
# (name, shortcut, title)
SHORTCUTS = (
    ("take", "Ctrl+T", "Взять в работу"),
    ("status", "F6", "Сменить статус (меню переходов)"),
    ("comment", "Ctrl+M", "Комментарий"),
    ("call", "Ctrl+L", "Итог звонка / попытка перезвонить"),
    ("escalate", "Ctrl+Shift+E", "Эскалировать"),
    ("outgoing", "Ctrl+Shift+O", "Исходящий запрос в отдел"),
    ("answer", "Ctrl+Shift+A", "Ответ отдела"),
    ("hand_over", "Ctrl+Shift+H", "Передать в отдел"),
    ("fields", "Ctrl+Shift+F", "Категория, приоритет, тип"),
    ("notify", "Ctrl+Shift+N", "«Не уведомлять» (P-09)"),
)


class TicketActions(QObject):
    changed = Signal(object)  # ids of tickets a command changed

    def __init__(
        self,
        window: QWidget,
        pack: Pack,
        writer: DbThread,
        actor: Callable[[], Actor],
        selection: Callable[[], list[tuple[int, str]]],
        view: Callable[[], TicketView | None],
        refusals: RefusalPanel,
    ) -> None:
        super().__init__(window)
        self.window, self.pack, self.writer = window, pack, writer
        self.actor, self.selection, self.view = actor, selection, view
        self.refusals = refusals
        self.status_menu = QMenu("Сменить статус", window)
        self.status_menu.setObjectName("statusMenu")
        self.status_menu.setToolTipsVisible(True)
        self.status_menu.aboutToShow.connect(self._fill_status_menu)
        self.actions: dict[str, QAction] = {}
        handlers = {
            "take": lambda: self.transition("take", "Взять в работу"),
            "status": self._pop_status_menu,
            "comment": lambda: self.comment("note"),
            "call": lambda: self.comment("call_result"),
            "escalate": lambda: self.transition("escalate", "Эскалировать"),
            "outgoing": self.outgoing,
            "answer": self.answer,
            "hand_over": self.hand_over,
            "fields": self.fields,
            "notify": self.toggle_notify,
        }
        for name, keys, title in SHORTCUTS:
            action = QAction(title, window)
            action.setObjectName(f"action_{name}")
            action.setShortcut(QKeySequence(keys))
            action.triggered.connect(handlers[name])
            window.addAction(action)
            self.actions[name] = action
        self.last_results: list[tuple[str, CommandResult]] = []
        self.last_bulk: BulkResults | None = None

    # -- running -------------------------------------------------------------------------------
    def run(self, title: str, command: Command) -> None:
        """Run `command` on every selected ticket, in order, on the writer thread."""
        chosen = self.selection()
        if not chosen:
            return
        actor = self.actor()

        def work(desk: Desk) -> list[tuple[str, CommandResult]]:
            return [(number, command(desk, actor, tid)) for tid, number in chosen]

        self.writer.submit(work, lambda results: self._done(title, results, len(chosen) > 1))

    def _done(self, title: str, results: list[tuple[str, CommandResult]], bulk: bool) -> None:
        self.last_results = results
        changed = {tid for _n, r in results if r.ok for tid in r.ticket_ids}
        if bulk:
            self.last_bulk = BulkResults(title, results, self.window)
            self.last_bulk.show()
        elif results and not results[0][1].ok:
            self.refusals.show_refusal(title, results[0][1].reasons)
        if changed:
            self.changed.emit(changed)

    # -- status changes ------------------------------------------------------------------------
    def _pop_status_menu(self) -> None:
        self.status_menu.popup(self.window.mapToGlobal(self.window.rect().center()))

    def offers(self) -> Sequence[ActionOffer]:
        view = self.view()
        return view.actions if view is not None else ()

    def _fill_status_menu(self) -> None:
        self.status_menu.clear()
        for offer in self.offers():
            label = offer.name + (f" → {offer.to_status}" if offer.to_status else "")
            action = self.status_menu.addAction(label)
            action.setObjectName(f"transition_{offer.action}")
            action.setEnabled(offer.allowed)
            action.setToolTip(reasons_text(offer.reasons))
            action.triggered.connect(lambda _c=False, o=offer: self.transition(o.action, o.name))

    def transition(self, action: str, title: str) -> None:
        offer = next((o for o in self.offers() if o.action == action), None)
        args = self._ask_input(title, offer.needs if offer else ())
        if args is None:
            return
        self.run(
            title, lambda desk, actor, tid: services.transition(desk, actor, tid, action, args)
        )

    def _ask_input(self, title: str, needs: Sequence[str]) -> dict[str, Any] | None:
        fields = []
        if "reason" in needs:
            fields.append(Field("reason", "Причина (P-04)", "choice", list(
                (REASONS.get(r, r), r) for r in self.pack.lists.get("escalation_reasons", ())
            )))  # fmt: skip
        if "comment" in needs:
            fields.append(Field("comment", "Комментарий", "multiline"))
        if "history_reviewed" in needs:
            fields.append(Field("history_reviewed", "Смежные тикеты и история клиента "
                                "просмотрены (U-02)", "check"))  # fmt: skip
        if not fields:
            return {}
        dialog = FormDialog(title, fields, self.window)
        return dialog.values() if dialog.exec() else None

    # -- work on the ticket --------------------------------------------------------------------
    def comment(self, kind: str) -> None:
        dialog = FormDialog(
            "Комментарий",
            [Field("kind", "Вид", "choice", COMMENT_KINDS, kind),
             Field("text", "Текст", "multiline"),
             Field("reached", "Дозвонились (для попытки перезвонить)", "check")],
            self.window,
        )  # fmt: skip
        if not dialog.exec():
            return
        v = dialog.values()
        reached = bool(v["reached"]) if v["kind"] == "callback_attempt" else None
        self.run("Комментарий", lambda desk, actor, tid: services.add_comment(
            desk, actor, tid, str(v["kind"]), str(v["text"]), reached=reached))  # fmt: skip

    def _department(self, title: str, outgoing_only: bool) -> str | None:
        deps = [(d.name, d.id) for d in self.pack.departments if d.outgoing or not outgoing_only]
        dialog = FormDialog(title, [Field("dep", "Отдел", "choice", deps)], self.window)
        return str(dialog.values()["dep"]) if dialog.exec() else None

    def outgoing(self) -> None:
        dep = self._department("Исходящий запрос (U-06)", True)
        if dep is not None:
            self.run("Исходящий запрос", lambda desk, actor, tid: services.send_outgoing(
                desk, actor, tid, dep))  # fmt: skip

    def answer(self) -> None:
        dialog = FormDialog("Ответ отдела", [Field("text", "Ответ", "multiline")], self.window)
        if dialog.exec():
            text = str(dialog.values()["text"])
            self.run("Ответ отдела", lambda desk, actor, tid: services.record_answer(
                desk, actor, tid, text))  # fmt: skip

    def hand_over(self) -> None:
        dep = self._department("Передать в отдел", False)
        if dep is not None:
            self.run("Передать", lambda desk, actor, tid: services.hand_over(desk, actor, tid, dep))

    def fields(self) -> None:
        view = self.view()
        d = view.detail if view else None
        categories = [("—", ""), *((c, c) for c in self.pack.sla.categories)]
        priorities = [(p, p) for p in self.pack.sla.priorities]
        fields = [
            Field("category", "Категория", "choice", categories, d.category if d else ""),
            Field("priority", "Приоритет", "choice", priorities, d.priority if d else None),
            Field("type", "Тип", "text", value=d.type if d else ""),
        ]
        dialog = FormDialog("Категория и приоритет (U-03, U-04, B-05)", fields, self.window)
        if not dialog.exec():
            return
        v = {k: val for k, val in dialog.values().items() if val not in (None,)}
        if not v.get("category"):
            v.pop("category", None)
        self.run("Поля", lambda desk, actor, tid: services.set_fields(desk, actor, tid, **v))

    def toggle_notify(self) -> None:
        view = self.view()
        quiet = bool(view.detail.notify_client) if view else True
        self.run("«Не уведомлять»", lambda desk, actor, tid: services.set_fields(
            desk, actor, tid, notify_client=not quiet))  # fmt: skip
