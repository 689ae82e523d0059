"""Help → Keyboard shortcuts lists every action that has a key (issue 8: «every action has a
shortcut, listed in Help → Keyboard shortcuts»), including screens added later, no key twice."""

from __future__ import annotations

from PySide6.QtGui import QAction, QKeySequence

from opdesk.ui.main_window import MainWindow


def test_every_keyed_action_of_the_window_is_listed_once(window: MainWindow) -> None:
    rows = window.shortcut_rows()
    listed = [keys for keys, _title in rows]
    assert len(listed) == len(set(listed))
    keyed = {
        a.shortcut().toString(QKeySequence.SequenceFormat.NativeText)
        for a in window.findChildren(QAction)
        if not a.shortcut().isEmpty() and a.isVisible()
    }
    assert keyed <= set(listed), keyed - set(listed)
    for keys in ("Ctrl+T", "F6", "F5", "Ctrl+F", "Esc"):
        assert keys in listed, keys
    assert all(title.strip() for _keys, title in rows)
