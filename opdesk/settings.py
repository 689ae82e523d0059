"""The workstation's own settings: who sits at it, the language, where the database lives
(and, from step 8, which server it syncs with).

A plain JSON file in the platformdirs config directory (`OPDESK_HOME` moves it), read and
written whole. Why not QSettings: the CLI and the tests read the same values without Qt, and
a damaged file must not stop the desk — it is set aside and the defaults are used.
"""

from __future__ import annotations

import dataclasses
import json
import logging
from dataclasses import dataclass
from pathlib import Path

from opdesk import paths

LANGUAGES = ("ru", "en")
log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Settings:
    person: str = ""  # login of the person at this workstation ("" until chosen)
    language: str = "ru"
    database: str = ""  # "" = the default local database
    detail_below: bool = False  # the detail view right of the queue, or below it
    server: str = ""  # the shared desk's server address; empty: a lone desk, no sync

    def database_path(self) -> Path:
        return Path(self.database) if self.database else paths.database_path()


def settings_file() -> Path:
    return paths.config_dir() / "settings.json"


def load() -> Settings:
    path = settings_file()
    if not path.exists():
        return Settings()
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        if not isinstance(data, dict):
            raise ValueError("not an object")
        known = {f.name for f in dataclasses.fields(Settings)}
        values = Settings(**{k: v for k, v in data.items() if k in known})
        if values.language not in LANGUAGES:
            values = dataclasses.replace(values, language="ru")
        return values
    except (OSError, ValueError, TypeError) as exc:
        aside = path.with_suffix(".damaged")
        log.warning("settings file %s unreadable (%s); set aside as %s", path, exc, aside)
        path.replace(aside)
        return Settings()


def save(settings: Settings) -> None:
    """Write atomically: a crash mid-write leaves the previous file, never half of one."""
    path = settings_file()
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps(dataclasses.asdict(settings), ensure_ascii=False, indent=2), "utf-8")
    tmp.replace(path)
