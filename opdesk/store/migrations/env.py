"""Alembic environment: migrations run on the connection OpDesk hands over (SQLite or
PostgreSQL), never on a URL read from an ini file."""

from __future__ import annotations

from alembic import context

from opdesk.models import Base

connection = context.config.attributes["connection"]
context.configure(
    connection=connection,
    target_metadata=Base.metadata,
    render_as_batch=connection.dialect.name == "sqlite",
    compare_type=True,
)
with context.begin_transaction():
    context.run_migrations()
