"""Regulation packs (data) and the rule engine that judges ticket snapshots (pure Python)."""

from __future__ import annotations
