"""Alembic environment of the server's own tables (opdesk/server/tables.py).

Migrations run on the connection OpDesk hands over, never on a URL read from an ini file. The
version is kept in `opdesk_server_version`, apart from the store's `alembic_version`, so the two
histories never mix; autogenerate compares only the server's tables (the store's are the
store environment's business).
"""

from __future__ import annotations

from typing import Any

from alembic import context

from opdesk.server.tables import metadata

VERSION_TABLE = "opdesk_server_version"


def _ours(obj: Any, name: str | None, type_: str, reflected: bool, compare_to: Any) -> bool:
    if type_ == "table":
        return name in metadata.tables
    return True


connection = context.config.attributes["connection"]
context.configure(
    connection=connection,
    target_metadata=metadata,
    version_table=VERSION_TABLE,
    include_object=_ours,
    compare_type=True,
)
with context.begin_transaction():
    context.run_migrations()
