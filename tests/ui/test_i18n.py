"""The English interface through Qt Linguist: the catalogue is complete, builds, is loaded, and
a missing one leaves the desk in Russian instead of stopping it."""

from __future__ import annotations

import logging
import re
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QLabel
from pytestqt.qtbot import QtBot

from opdesk.regulations.pack import load_default_pack
from opdesk.ui import i18n
from opdesk.ui.filter_panel import FilterPanel
from opdesk.ui.main_window import MainWindow
from tests.ui.conftest import NOW

ROOT = Path(__file__).resolve().parents[2]
TS = ROOT / "resources" / "i18n" / "opdesk_en.ts"
BIN = Path(sys.executable).parent
CYRILLIC = re.compile("[А-Яа-яЁё]")
PLACEHOLDER = re.compile(r"\{[^}]*\}")


def messages(ts: Path) -> list[tuple[str, str, ET.Element]]:
    """(context, source, translation element) of every message in a .ts file."""
    out = []
    for context in ET.parse(ts).getroot().iter("context"):
        name = context.findtext("name") or ""
        for message in context.iter("message"):
            translation = message.find("translation")
            assert translation is not None
            out.append((name, message.findtext("source") or "", translation))
    return out


def lrelease(ts: Path, qm: Path) -> None:
    """The command `make translations` runs: only the venv's lrelease, no network."""
    subprocess.run([str(BIN / "pyside6-lrelease"), "-silent", str(ts), "-qm", str(qm)],
                   check=True, capture_output=True, timeout=60)  # fmt: skip


def test_every_message_of_the_english_catalogue_is_translated() -> None:
    found = messages(TS)
    assert len(found) > 100
    for context, source, translation in found:
        where = f"{context}: {source!r}"
        assert translation.get("type") is None, f"{translation.get('type')} {where}"
        text = translation.text or ""
        assert text.strip(), f"empty translation {where}"
        assert not CYRILLIC.search(text), f"Russian left in the translation of {where}"
        # str.format placeholders must survive, or the English text raises KeyError
        assert sorted(PLACEHOLDER.findall(text)) == sorted(PLACEHOLDER.findall(source)), where
        assert source.count("&") == text.count("&"), f"menu accelerator lost in {where}"


def test_the_catalogue_holds_every_text_of_the_code(tmp_path: Path) -> None:
    """lupdate over opdesk/ui finds nothing new: a text wrapped in tr() without an English
    translation fails here (run `make i18n-update`, translate, `make translations`)."""
    copy = tmp_path / TS.name
    shutil.copy(TS, copy)
    sources = sorted(str(p) for p in (ROOT / "opdesk" / "ui").glob("*.py"))
    subprocess.run(
        [str(BIN / "pyside6-lupdate"), "-silent", "-no-obsolete", "-locations", "none",
         "-source-language", "ru_RU", "-target-language", "en", *sources, "-ts", str(copy)],
        check=True, capture_output=True, timeout=120,
    )  # fmt: skip
    untranslated = [
        f"{c}: {s!r}" for c, s, t in messages(copy) if t.get("type") or not (t.text or "").strip()
    ]
    assert untranslated == []
    assert {(c, s) for c, s, _ in messages(copy)} == {(c, s) for c, s, _ in messages(TS)}


def test_the_catalogue_builds(tmp_path: Path) -> None:
    qm = tmp_path / "opdesk_en.qm"
    lrelease(TS, qm)
    assert qm.stat().st_size > 1000
    # Qt Linguist's own checks: accelerators, surrounding spaces, end punctuation, %1 markers
    subprocess.run(
        [str(BIN / "pyside6-lrelease"), "-silent", "-fail-on-invalid", "-fail-on-unfinished",
         str(TS), "-qm", str(tmp_path / "checked.qm")],
        check=True, capture_output=True, timeout=60,
    )  # fmt: skip


@pytest.fixture(scope="session")
def qm_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The catalogue built fresh from the .ts (the tests do not rely on `make translations`)."""
    folder = tmp_path_factory.mktemp("i18n")
    lrelease(TS, folder / "opdesk_en.qm")
    return folder


@pytest.fixture
def english(qapp: QApplication, qm_dir: Path) -> Iterator[None]:
    assert i18n.install_translator(qapp, "en", qm_dir)
    yield
    i18n.remove_translators(qapp)


def texts(panel: FilterPanel) -> list[str]:
    """What the filter panel itself says (not the pack's process and status names)."""
    form = panel.fields
    labels = [form.itemAt(i).widget() for i in range(form.count())]
    out = [
        panel.search.placeholderText(), panel.saved_label.text(), panel.reset.text(),
        panel.save.text(), panel.open_only.text(), panel.process.itemText(0),
        *(panel.owner.itemText(i) for i in range(3)),  # any, mine, unassigned (then people)
        *(panel.sla.itemText(i) for i in range(panel.sla.count())),
        *(panel.list.item(i).text() for i in range(panel.list.count())),
        *(w.text() for w in labels if isinstance(w, QLabel) and w.text()),
    ]  # fmt: skip
    assert all(out)
    return out


def test_english_window_then_russian_again(
    qtbot: QtBot, qapp: QApplication, english: None, window: MainWindow
) -> None:
    menus = [a.text() for a in window.menuBar().actions()]
    assert menus == ["&File", "&Ticket", "&View", "&Help"]
    file_menu = window.menuBar().actions()[0].menu()
    items = [a.text() for a in file_menu.actions() if a.text()]
    assert items[0] == "Settings…" and items[-1] == "Quit" and len(items) > 2
    assert not [t for t in items if CYRILLIC.search(t)]  # the data jobs too
    english_texts = texts(window.filters)
    assert not [t for t in english_texts if CYRILLIC.search(t)]
    assert "Search: number, phone, client, words (Ctrl+F)" in english_texts
    assert window.filters.list.item(0).text().startswith("Mine")
    assert "operator" in window.who.text()
    assert window.counts_label.text().startswith("In the queue: ")
    assert window.model is not None
    assert window.model.headerData(0, Qt.Orientation.Horizontal) == "Number"

    i18n.remove_translators(qapp)
    panel = FilterPanel(load_default_pack(), NOW)
    qtbot.addWidget(panel)
    russian = texts(panel)
    assert "Поиск: номер, телефон, клиент, слова (Ctrl+F)" in russian
    assert panel.list.item(0).text() == "Мои"
    # tables are translated where shown: the same model answers in Russian now
    assert window.model.headerData(0, Qt.Orientation.Horizontal) == "Номер"


def test_a_missing_catalogue_leaves_the_desk_in_russian(
    qtbot: QtBot, qapp: QApplication, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.WARNING, logger="opdesk.ui.i18n"):
        assert not i18n.install_translator(qapp, "en", tmp_path / "nowhere")
    try:
        assert "stays in Russian" in caplog.text
        panel = FilterPanel(load_default_pack(), NOW)
        qtbot.addWidget(panel)
        assert panel.reset.text() == "Сбросить"
        # Russian is the source: nothing of ours to load, and it always succeeds
        assert i18n.install_translator(qapp, "ru", tmp_path / "nowhere")
        assert FilterPanel(load_default_pack(), NOW, panel).save.text() == "Сохранить фильтр…"
    finally:
        i18n.remove_translators(qapp)


def test_a_damaged_catalogue_is_a_missing_one(
    qapp: QApplication, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    (tmp_path / "opdesk_en.qm").write_bytes(b"not a catalogue")
    with caplog.at_level(logging.WARNING, logger="opdesk.ui.i18n"):
        assert not i18n.install_translator(qapp, "en", tmp_path)
    i18n.remove_translators(qapp)
    assert "unreadable" in caplog.text
