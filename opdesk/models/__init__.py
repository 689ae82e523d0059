"""SQLAlchemy ORM models of the local store (step 2); no Qt here."""

from __future__ import annotations
