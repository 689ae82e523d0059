from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

# A real PostgreSQL server on loopback (fixtures pg_server, pg_url, pg_fresh_url); it starts
# only when a test asks for it.
pytest_plugins = ["tests.pg"]
