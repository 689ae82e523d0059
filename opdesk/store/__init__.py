"""The local store: database setup, migrations, queries (TicketQuery → SQL) and search."""

from __future__ import annotations
