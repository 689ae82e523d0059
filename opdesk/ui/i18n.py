"""The interface language: Russian in the source code, English through Qt Linguist.

Why Qt Linguist and not a Python dictionary: the `.ts` files are the translators' tool (Qt
Linguist shows each string in its context, marks what changed), `pyside6-lupdate` finds the
strings in the code by `self.tr(...)` / `QCoreApplication.translate(...)`, and Qt's own
dialogs (standard buttons, file dialogs) are translated the same way from Qt's catalogues.

The catalogues: `resources/i18n/opdesk_<lang>.ts` is kept in git, `make translations` (and
the install, `make run`) builds the `.qm` that is loaded here. Russian is the source language
and needs no catalogue of ours. A missing `.qm` is not fatal: the desk starts in Russian and
says so in the log, because a help desk that does not start is worse than one in Russian.
"""

from __future__ import annotations

import logging
from pathlib import Path

from PySide6.QtCore import QCoreApplication, QLibraryInfo, QTranslator

from opdesk.regulations.pack import RESOURCES

I18N_DIR = RESOURCES / "i18n"
SOURCE_LANGUAGE = "ru"
log = logging.getLogger(__name__)

# The translators installed here, kept referenced (a QTranslator collected by Python would
# leave Qt with a dangling pointer) and so that `remove_translators` can take them out again.
_installed: list[QTranslator] = []
_language = SOURCE_LANGUAGE  # the language the interface speaks now


def language() -> str:
    """ "ru" or "en": the catalogue installed now. The regulation pack carries both languages
    for its own names and reasons (`name_en`, `text_en`); `pick` chooses between them."""
    return _language


def pick(russian: str, english: str) -> str:
    """The pack's text in the interface language (Russian where the pack has no English)."""
    return english if _language == "en" and english else russian


def translated(context: str, text: str) -> str:
    """`QCoreApplication.translate` of a source text held in a variable: module-level tables
    (marked with `QT_TRANSLATE_NOOP(context, …)` for lupdate) are translated at use time, never
    at import, so the table holds the source text and the language is the one installed now.

    Why not named `tr`: lupdate takes any `tr("…", …)` call for `QObject.tr(source, comment)`
    and would file the context name as a message. Literal texts outside a QObject are written
    `QCoreApplication.translate("Context", "…")`, which lupdate reads."""
    return QCoreApplication.translate(context, text)


def catalogue(language: str, directory: Path | None = None) -> Path:
    """Where the compiled catalogue of our own strings for `language` lives."""
    return (directory or I18N_DIR) / f"opdesk_{language}.qm"


def install_translator(app: QCoreApplication, language: str, directory: Path | None = None) -> bool:
    """Install the translators for `language`; True when the interface will speak it.

    Any translators installed earlier by this function are removed first, so calling it again
    switches the language (widgets built afterwards use it). `directory` holds the `.qm` files
    (the tests build theirs into a temporary folder)."""
    global _language
    remove_translators(app)
    if language != SOURCE_LANGUAGE:
        path = catalogue(language, directory)
        ours = QTranslator(app)
        if not path.is_file() or not ours.load(str(path)):
            log.warning(
                "no interface translation for %r (%s missing or unreadable; run `make "
                "translations`): the interface stays in Russian",
                language,
                path,
            )
            _install_qt(app, SOURCE_LANGUAGE)
            return False
        _add(app, ours)
    _install_qt(app, language)
    _language = language
    return True


def _install_qt(app: QCoreApplication, language: str) -> None:
    """Qt's own strings (standard buttons, file dialogs) in `language`, when Qt ships them."""
    folder = QLibraryInfo.path(QLibraryInfo.LibraryPath.TranslationsPath)
    qt = QTranslator(app)
    if qt.load(f"qtbase_{language}", folder):
        _add(app, qt)
    else:
        log.info("no Qt translation qtbase_%s in %s", language, folder)


def _add(app: QCoreApplication, translator: QTranslator) -> None:
    app.installTranslator(translator)
    _installed.append(translator)


def remove_translators(app: QCoreApplication) -> None:
    """Back to the source language (Russian) for widgets built from now on."""
    global _language
    _language = SOURCE_LANGUAGE
    while _installed:
        app.removeTranslator(_installed.pop())
