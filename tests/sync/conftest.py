"""Fixtures of the sync tests: the live server, two workstations on it (stations.py)."""

from __future__ import annotations

from tests.server.live import live_server  # noqa: F401
from tests.sync.stations import stations  # noqa: F401
