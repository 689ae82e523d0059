"""Commands: every write goes through here and through the rule engine, in one transaction."""

from __future__ import annotations
