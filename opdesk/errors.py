"""Errors of the pack reader and the engine, shared by opdesk.regulations and opdesk.sla.

A malformed pack must never produce a traceback for the person who wrote it: every problem
names the file, the key path inside it and what is wrong, in Russian and in English.
"""

from __future__ import annotations

from pathlib import Path


class PackError(Exception):
    """A problem in a regulation pack, located by file and key path."""

    def __init__(self, file: Path | str, key: str, problem_ru: str, problem_en: str) -> None:
        self.file = str(file)
        self.key = key
        self.problem_ru = problem_ru
        self.problem_en = problem_en
        super().__init__(self.message())

    def message(self) -> str:
        where = f"{self.file}: {self.key}" if self.key else self.file
        return f"{where}: {self.problem_ru} / {self.problem_en}"


class EngineError(Exception):
    """A request the engine cannot answer (unknown status, category, template, ...).

    Carries a bilingual message; the CLI turns it into exit code 2.
    """

    def __init__(self, message_ru: str, message_en: str) -> None:
        self.message_ru = message_ru
        self.message_en = message_en
        super().__init__(f"{message_ru} / {message_en}")
