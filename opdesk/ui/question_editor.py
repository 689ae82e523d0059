"""The caller's questions in «Новое обращение (звонок)»: the list and the editor of one question.

A call may hold several questions (S-02, S-06: one request per call, a second one only for a
compensation or correction). Each is classified through the cascade Theme → Type → Subtheme →
Product (S-04, S-05), offered from the pack by `services.intake_call.classification_options`;
the type the regulation resolves for a question (a complaint solved by re-connecting in АСР is
a «Заявка») is said under the editor as it is picked. The editor owns the questions; the dialog
(`opdesk.ui.new_request`) judges the whole call on every `changed` and shows the plan.
"""

from __future__ import annotations

import dataclasses
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QFormLayout,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListView,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from opdesk.errors import EngineError
from opdesk.regulations.classify import resulting_type
from opdesk.regulations.pack import Pack
from opdesk.regulations.questions import Question
from opdesk.regulations.rules import Reason
from opdesk.services.intake_call import classification_options
from opdesk.ui.i18n import pick

# Question.compensation values (S-02): the pack's second-request rules match on them
COMPENSATIONS = ("", "компенсация", "корректировка")
COMBO_CHARS = 18  # a combo's width in characters, whatever its items
LIST_LINES = 4  # the questions list shows this many lines; a longer call scrolls


class QuestionEditor(QGroupBox):
    """The questions of the call (a list, «Добавить»/«Удалить») and the current one's form."""

    changed = Signal()  # a question was edited, added or removed: the call is judged again

    def __init__(self, pack: Pack, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.pack = pack
        self.setObjectName("questionEditor")
        self.setTitle(self.tr("Вопросы клиента (S-02, S-06: одно обращение на звонок)"))
        self.questions: list[Question] = [Question("", "")]
        self._loading = False
        outer = QVBoxLayout(self)
        outer.addLayout(self._list_row())
        outer.addLayout(self._form())
        outer.addLayout(self._checks())
        # below the form, full width: a wrapped label in a form row is clipped to one line
        self.type_line = QLabel(self)
        self.type_line.setObjectName("typeLine")
        self.type_line.setWordWrap(True)
        outer.addWidget(self.type_line)
        outer.addStretch(1)
        self.theme.addItem(self.tr("— выберите тему —"), "")
        for name in classification_options(pack).themes:
            self.theme.addItem(name, name)
        self.theme.currentIndexChanged.connect(self._theme_changed)
        self.type.currentIndexChanged.connect(lambda _i: self._sync())
        self._load_question(0)

    # -- building ------------------------------------------------------------------------------
    def _list_row(self) -> QHBoxLayout:
        """The list across the editor's width, its items wrapped rather than cut (the full
        classification is in each item's tooltip too); the two buttons beside it."""
        row = QHBoxLayout()
        self.list = QListWidget(self)
        self.list.setObjectName("questions")
        self.list.setWordWrap(True)
        self.list.setTextElideMode(Qt.TextElideMode.ElideNone)
        self.list.setResizeMode(QListView.ResizeMode.Adjust)
        self.list.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.list.setVerticalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
        lines = self.list.fontMetrics().lineSpacing() * LIST_LINES
        self.list.setFixedHeight(lines + 2 * self.list.frameWidth() + 4)
        self.list.currentRowChanged.connect(self._load_question)
        row.addWidget(self.list, 1)
        side = QVBoxLayout()
        add = QPushButton(self.tr("Добавить вопрос"), self)
        add.setObjectName("addQuestion")
        add.clicked.connect(self._add_question)
        self.remove = QPushButton(self.tr("Удалить вопрос"), self)
        self.remove.setObjectName("removeQuestion")
        self.remove.clicked.connect(self._remove_question)
        side.addWidget(add)
        side.addWidget(self.remove)
        side.addStretch(1)
        row.addLayout(side)
        return row

    def _form(self) -> QFormLayout:
        form = QFormLayout()
        self.theme, self.type, self.subtheme, self.product = (
            self._combo(n) for n in ("theme", "type", "subtheme", "product")
        )
        self.product_label = QLabel(self.tr("Продукт"), self)
        form.addRow(self.tr("Тема"), self.theme)
        form.addRow(self.tr("Тип"), self.type)
        form.addRow(self.tr("Подтема"), self.subtheme)
        form.addRow(self.product_label, self.product)
        self.number = self._line("number", self.tr("если клиент спрашивает о другом номере"))
        form.addRow(self.tr("Номер вопроса"), self.number)
        self.compensation = self._combo("compensation")
        for value, text in zip(
            COMPENSATIONS, ("—", self.tr("компенсация"), self.tr("корректировка")), strict=True
        ):
            self.compensation.addItem(text, value)
        form.addRow(self.tr("Компенсация / корректировка"), self.compensation)
        self.content = self._line("contentNumber", self.tr("контент-номер, о котором вопрос"))
        form.addRow(self.tr("Контент-номер"), self.content)
        self.incident = self._line("massIncident", self.tr("номер МИ, если СЗ привязан к МИ"))
        form.addRow(self.tr("Массовый инцидент"), self.incident)
        return form

    def _checks(self) -> QGridLayout:
        """The yes/no facts of the question, two to a row (the editor stays short)."""
        self.justified = self._check("justified", self.tr("Жалоба обоснована"), True)
        self.geocoded = self._check("geocoded", self.tr("СЗ требуется геокодировать"))
        self.asr = self._check("asrReconnect", self.tr("Услуга переподключается в АСР"))
        self.main_check = self._check("mainSubtheme", self.tr("Основная подтема (S-06)"))
        self.claim = self._check("claimNeeded", self.tr("Нужна претензия в ГОП"))
        grid = QGridLayout()
        boxes = (self.justified, self.geocoded, self.asr, self.main_check, self.claim)
        for i, box in enumerate(boxes):
            grid.addWidget(box, i // 2, i % 2)
        return grid

    def _combo(self, name: str) -> QComboBox:
        box = QComboBox(self)
        box.setObjectName(name)
        # as wide as the column, not as the longest subtheme of the pack (the list shows it)
        box.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        box.setMinimumContentsLength(COMBO_CHARS)
        if name in ("subtheme", "product", "compensation"):
            box.currentIndexChanged.connect(lambda _i: self._sync())
        return box

    def _line(self, name: str, hint: str) -> QLineEdit:
        line = QLineEdit(self)
        line.setObjectName(name)
        line.setPlaceholderText(hint)
        line.textEdited.connect(lambda _t: self._sync())
        return line

    def _check(self, name: str, text: str, checked: bool = False) -> QCheckBox:
        box = QCheckBox(text, self)
        box.setObjectName(name)
        box.setChecked(checked)
        box.toggled.connect(lambda _c: self._sync())
        return box

    # -- the list ------------------------------------------------------------------------------
    def reset(self) -> None:
        """One blank question, as at the start of a call."""
        self.questions = [Question("", "")]
        self._refresh_list()
        self.list.setCurrentRow(0)
        self._load_question(0)

    def _add_question(self) -> None:
        current = self.questions[self.list.currentRow()] if self.questions else None
        self.questions.append(Question(current.theme if current else "", ""))
        self._refresh_list()
        self.list.setCurrentRow(len(self.questions) - 1)

    def _remove_question(self) -> None:
        row = self.list.currentRow()
        if len(self.questions) <= 1 or row < 0:
            return
        del self.questions[row]
        self._refresh_list()
        self.list.setCurrentRow(min(row, len(self.questions) - 1))
        self._load_question(self.list.currentRow())  # the row number may not have changed

    def item_text(self, row: int) -> str:
        """«2. Тема | Тип | Подтема | Продукт» of the question in `row`."""
        q = self.questions[row]
        parts = [p for p in (q.theme, q.type, q.subtheme, q.product) if p]
        return f"{row + 1}. " + (" | ".join(parts) or self.tr("(не классифицирован)"))

    def _refresh_list(self) -> None:
        self.list.blockSignals(True)
        current = self.list.currentRow()
        self.list.clear()
        for i in range(len(self.questions)):
            text = self.item_text(i)
            item = QListWidgetItem(text, self.list)
            item.setToolTip(text)
        self.list.setCurrentRow(max(0, min(current, len(self.questions) - 1)))
        self.list.blockSignals(False)
        self.remove.setEnabled(len(self.questions) > 1)

    # -- the question and the cascade ----------------------------------------------------------
    def _load_question(self, row: int) -> None:
        if not 0 <= row < len(self.questions):
            return
        q = self.questions[row]
        self._loading = True
        try:
            _choose(self.theme, q.theme)
            self._fill_theme(q.theme)
            _choose(self.type, q.type)
            self._fill_subthemes(q)
            _choose(self.subtheme, q.subtheme)
            _choose(self.product, q.product)
            self.number.setText(q.number)
            self.content.setText(q.content_number)
            self.incident.setText(q.mass_incident)
            _choose(self.compensation, q.compensation)
            for box, value in (
                (self.justified, q.justified), (self.geocoded, q.geocoded),
                (self.asr, q.asr_reconnect), (self.main_check, q.main),
                (self.claim, q.claim_needed),
            ):  # fmt: skip
                box.setChecked(value)
        finally:
            self._loading = False
        self._refresh_list()
        self._sync()

    def _theme_changed(self, _index: int) -> None:
        if self._loading:
            return
        self._loading = True
        try:
            self._fill_theme(str(self.theme.currentData() or ""))
        finally:
            self._loading = False
        self._sync()

    def _fill_theme(self, theme: str) -> None:
        """Theme → the theme's types, in priority order, and its products (S-04, S-05)."""
        options = classification_options(self.pack, theme)
        kept_type, kept_product = self.type.currentData(), self.product.currentData()
        _refill(self.type, self.tr("— тип —"), options.types, kept_type)
        _refill(self.product, "—", options.products, kept_product)
        self.product.setEnabled(bool(options.products))
        required = self.tr("Продукт *") if options.product_required else self.tr("Продукт")
        self.product_label.setText(required)
        self.product_label.setToolTip(
            self.tr("S-04: для темы «{theme}» продукт обязателен").format(theme=theme)
            if options.product_required
            else ""
        )
        font = self.product_label.font()
        font.setBold(options.product_required)
        self.product_label.setFont(font)

    def _fill_subthemes(self, q: Question) -> None:
        """Subthemes of the type the regulation resolves for the question (S-05): a complaint
        solved by re-connecting in АСР is classified under «Заявка»."""
        effective, _why = self._resolved(q)
        options = classification_options(self.pack, q.theme, effective or q.type)
        _refill(
            self.subtheme, self.tr("— подтема —"), options.subthemes, self.subtheme.currentData()
        )

    def _resolved(self, q: Question) -> tuple[str, tuple[Reason, ...]]:
        """The question's type after S-05's corrections ("" = not registered), and why."""
        c = self.pack.classification
        if c.theme(q.theme) is None or q.type not in c.types:
            return q.type, ()
        try:
            decision = resulting_type(c, [q])
        except EngineError:
            return q.type, ()
        # judged alone, the question is the engine's «вопрос №1» whatever its row: drop that
        alone = tuple(
            dataclasses.replace(r, detail=r.detail.removeprefix("вопрос №1: "))
            for r in decision.reasons
        )
        return decision.types[0], alone

    def _question(self) -> Question:
        def data(box: QComboBox) -> str:
            return str(box.currentData() or "")

        return Question(
            theme=data(self.theme), type=data(self.type), subtheme=data(self.subtheme),
            product=data(self.product), number=self.number.text().strip(),
            main=self.main_check.isChecked(), justified=self.justified.isChecked(),
            geocoded=self.geocoded.isChecked(), asr_reconnect=self.asr.isChecked(),
            content_number=self.content.text().strip(), compensation=data(self.compensation),
            mass_incident=self.incident.text().strip(), claim_needed=self.claim.isChecked(),
        )  # fmt: skip

    def _sync(self) -> None:
        """The form's question into the list, then the type line; the dialog is told."""
        if self._loading:
            return
        row = self.list.currentRow()
        if not 0 <= row < len(self.questions):
            return
        self._loading = True
        try:
            q = self._question()
            self._fill_subthemes(q)
            q = dataclasses.replace(q, subtheme=str(self.subtheme.currentData() or ""))
        finally:
            self._loading = False
        self.questions[row] = q
        self._refresh_list()
        self._show_type(q)
        self.changed.emit()

    def _show_type(self, q: Question) -> None:
        effective, why = self._resolved(q)
        if not q.type:
            self.type_line.setText("")
        elif not effective:
            self.type_line.setText(
                self.tr("Вопрос не регистрируется: {why}").format(why=brief(why))
            )
        elif effective != q.type:
            self.type_line.setText(
                self.tr("Тип по регламенту: «{type}» — {why}").format(
                    type=effective, why=brief(why)
                )
            )
        else:
            self.type_line.setText(self.tr("Тип: «{type}»").format(type=effective))


def _choose(box: QComboBox, value: str) -> None:
    box.setCurrentIndex(max(0, box.findData(value)))


def _refill(box: QComboBox, placeholder: str, values: tuple[str, ...], keep: Any) -> None:
    box.blockSignals(True)
    box.clear()
    box.addItem(placeholder, "")
    for v in values:
        box.addItem(v, v)
    _choose(box, str(keep or ""))
    box.blockSignals(False)


def brief(reasons: tuple[Reason, ...], rule: bool = True) -> str:
    """Reasons in one line: the detail about this call (else the rule's text), by rule."""
    return "; ".join(
        (f"{r.rule}: " if rule and r.rule else "")
        + pick(r.detail or r.text, r.detail_en or r.text_en)
        for r in reasons
    )
