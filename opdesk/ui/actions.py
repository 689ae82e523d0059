"""The operator's actions on the selected ticket(s), each one command of opdesk.services run on
the writer thread. A multi-selection applies the same command ticket by ticket (the same guarded
path as one ticket) and lists what was done and what was refused and why."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from PySide6.QtCore import QT_TRANSLATE_NOOP, QObject, Signal
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QMenu, QWidget

from opdesk import services
from opdesk.regulations.pack import Pack
from opdesk.regulations.snapshot import Actor
from opdesk.services import CommandResult, Desk
from opdesk.services.views import ActionOffer, TicketView
from opdesk.ui.db_worker import DbThread
from opdesk.ui.i18n import language, pick, translated
from opdesk.ui.panels import BulkResults, Field, FormDialog, RefusalPanel, reasons_text

Command = Callable[[Desk, Actor, int], CommandResult]
# The tables hold source texts marked for lupdate (context "TicketActions", the class's own);
# they are translated where shown, so the language is the one installed at that moment.
CONTEXT = "TicketActions"
REASONS = {
    "dissatisfied_progress": QT_TRANSLATE_NOOP("TicketActions", "Недовольство ходом работ"),
    "new_circumstances": QT_TRANSLATE_NOOP("TicketActions", "Новые обстоятельства"),
    "other_weighty": QT_TRANSLATE_NOOP("TicketActions", "Другие весомые обстоятельства"),
}
COMMENT_KINDS = (
    (QT_TRANSLATE_NOOP("TicketActions", "Заметка"), "note"),
    (QT_TRANSLATE_NOOP("TicketActions", "Итог звонка (U-07)"), "call_result"),
    (QT_TRANSLATE_NOOP("TicketActions", "Попытка перезвонить (S-08)"), "callback_attempt"),
    (QT_TRANSLATE_NOOP("TicketActions", "Ответ клиента"), "client_reply"),
)
# (name, shortcut, title); `shortcut_title` translates a title
SHORTCUTS = (
    ("take", "Ctrl+T", QT_TRANSLATE_NOOP("TicketActions", "Взять в работу")),
    ("status", "F6", QT_TRANSLATE_NOOP("TicketActions", "Сменить статус (меню переходов)")),
    ("comment", "Ctrl+M", QT_TRANSLATE_NOOP("TicketActions", "Комментарий")),
    ("call", "Ctrl+L", QT_TRANSLATE_NOOP("TicketActions", "Итог звонка / попытка перезвонить")),
    ("escalate", "Ctrl+Shift+E", QT_TRANSLATE_NOOP("TicketActions", "Эскалировать")),
    ("outgoing", "Ctrl+Shift+O", QT_TRANSLATE_NOOP("TicketActions", "Исходящий запрос в отдел")),
    ("answer", "Ctrl+Shift+A", QT_TRANSLATE_NOOP("TicketActions", "Ответ отдела")),
    ("hand_over", "Ctrl+Shift+H", QT_TRANSLATE_NOOP("TicketActions", "Передать в отдел")),
    ("fields", "Ctrl+Shift+F", QT_TRANSLATE_NOOP("TicketActions", "Категория, приоритет, тип")),
    ("notify", "Ctrl+Shift+N", QT_TRANSLATE_NOOP("TicketActions", "«Не уведомлять» (P-09)")),
)


def shortcut_title(title: str) -> str:
    """A title of `SHORTCUTS` (or `REASONS`, `COMMENT_KINDS`) in the interface language."""
    return translated(CONTEXT, title)


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
        self.status_menu = QMenu(self.tr("Сменить статус"), window)
        self.status_menu.setObjectName("statusMenu")
        self.status_menu.setToolTipsVisible(True)
        self.status_menu.aboutToShow.connect(self._fill_status_menu)
        self.actions: dict[str, QAction] = {}
        handlers = {
            "take": lambda: self.transition("take", self.tr("Взять в работу")),
            "status": self._pop_status_menu,
            "comment": lambda: self.comment("note"),
            "call": lambda: self.comment("call_result"),
            "escalate": lambda: self.transition("escalate", self.tr("Эскалировать")),
            "outgoing": self.outgoing,
            "answer": self.answer,
            "hand_over": self.hand_over,
            "fields": self.fields,
            "notify": self.toggle_notify,
        }
        for name, keys, title in SHORTCUTS:
            action = QAction(shortcut_title(title), window)
            action.setObjectName(f"action_{name}")
            action.setShortcut(QKeySequence(keys))
            action.triggered.connect(handlers[name])
            window.addAction(action)
            self.actions[name] = action
        self.last_results: list[tuple[str, CommandResult]] = []
        self.last_bulk: BulkResults | None = None

    # -- running -------------------------------------------------------------------------------
    def run(
        self, title: str, command: Command, chosen: list[tuple[int, str]] | None = None
    ) -> None:
        """Run `command` on every selected ticket (or on `chosen`: the card's own ticket for
        an edit in place), in order, on the writer thread."""
        chosen = self.selection() if chosen is None else chosen
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
            label = self._offer_label(offer)
            action = self.status_menu.addAction(label)
            action.setObjectName(f"transition_{offer.action}")
            action.setEnabled(offer.allowed)
            action.setToolTip(reasons_text(offer.reasons))
            action.triggered.connect(lambda _c=False, o=offer: self.transition(o.action, o.name))

    def _offer_label(self, offer: ActionOffer) -> str:
        """«Решен → Решена» in Russian, from the pack's English names in English."""
        name, to = offer.name, offer.to_status
        view = self.view()
        process = self.pack.processes.get(view.detail.process) if view else None
        if language() != "ru" and process is not None:
            move = next((t for t in process.transitions if t.action == offer.action), None)
            target = self.pack.statuses.get(move.to) if move else None
            name = pick(name, move.name_en if move else "")
            to = pick(to, target.name_en if target and to else "")
        return name + (f" → {to}" if to else "")

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
            fields.append(Field("reason", self.tr("Причина (P-04)"), "choice", list(
                (shortcut_title(REASONS[r]) if r in REASONS else r, r)
                for r in self.pack.lists.get("escalation_reasons", ())
            )))  # fmt: skip
        if "comment" in needs:
            fields.append(Field("comment", self.tr("Комментарий"), "multiline"))
        if "history_reviewed" in needs:
            fields.append(Field("history_reviewed", self.tr(
                "Смежные тикеты и история клиента просмотрены (U-02)"), "check"))  # fmt: skip
        if not fields:
            return {}
        dialog = FormDialog(title, fields, self.window)
        return dialog.values() if dialog.exec() else None

    # -- work on the ticket --------------------------------------------------------------------
    def comment(self, kind: str) -> None:
        kinds = [(shortcut_title(text), value) for text, value in COMMENT_KINDS]
        dialog = FormDialog(
            self.tr("Комментарий"),
            [Field("kind", self.tr("Вид"), "choice", kinds, kind),
             Field("text", self.tr("Текст"), "multiline"),
             Field("reached", self.tr("Дозвонились (для попытки перезвонить)"), "check")],
            self.window,
        )  # fmt: skip
        if not dialog.exec():
            return
        v = dialog.values()
        reached = bool(v["reached"]) if v["kind"] == "callback_attempt" else None
        self.run(self.tr("Комментарий"), lambda desk, actor, tid: services.add_comment(
            desk, actor, tid, str(v["kind"]), str(v["text"]), reached=reached))  # fmt: skip

    def _department(self, title: str, outgoing_only: bool) -> str | None:
        deps = [(d.name, d.id) for d in self.pack.departments if d.outgoing or not outgoing_only]
        dialog = FormDialog(title, [Field("dep", self.tr("Отдел"), "choice", deps)], self.window)
        return str(dialog.values()["dep"]) if dialog.exec() else None

    def outgoing(self) -> None:
        dep = self._department(self.tr("Исходящий запрос (U-06)"), True)
        if dep is not None:
            self.run(self.tr("Исходящий запрос"), lambda desk, actor, tid: services.send_outgoing(
                desk, actor, tid, dep))  # fmt: skip

    def answer(self) -> None:
        title = self.tr("Ответ отдела")
        dialog = FormDialog(title, [Field("text", self.tr("Ответ"), "multiline")], self.window)
        if dialog.exec():
            text = str(dialog.values()["text"])
            self.run(title, lambda desk, actor, tid: services.record_answer(
                desk, actor, tid, text))  # fmt: skip

    def hand_over(self) -> None:
        dep = self._department(self.tr("Передать в отдел"), False)
        if dep is not None:
            self.run(
                self.tr("Передать"),
                lambda desk, actor, tid: services.hand_over(desk, actor, tid, dep),
            )

    def fields(self) -> None:
        view = self.view()
        d = view.detail if view else None
        categories = [("—", ""), *((c, c) for c in self.pack.sla.categories)]
        priorities = [(p, p) for p in self.pack.sla.priorities]
        fields = [
            Field("category", self.tr("Категория"), "choice", categories, d.category if d else ""),
            Field(
                "priority", self.tr("Приоритет"), "choice", priorities, d.priority if d else None
            ),
            Field("type", self.tr("Тип"), "text", value=d.type if d else ""),
        ]
        dialog = FormDialog(
            self.tr("Категория и приоритет (U-03, U-04, B-05)"), fields, self.window
        )
        if not dialog.exec():
            return
        v = {k: val for k, val in dialog.values().items() if val not in (None,)}
        if not v.get("category"):
            v.pop("category", None)
        self.run(
            self.tr("Поля"), lambda desk, actor, tid: services.set_fields(desk, actor, tid, **v)
        )

    def toggle_notify(self) -> None:
        view = self.view()
        quiet = bool(view.detail.notify_client) if view else True
        self.run(self.tr("«Не уведомлять»"), lambda desk, actor, tid: services.set_fields(
            desk, actor, tid, notify_client=not quiet))  # fmt: skip
