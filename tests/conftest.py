from __future__ import annotations

import os
import tempfile

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
# No test may write into the person's real data directory: everything OpDesk keeps by default
# goes to a throw-away home for this test run (tests that need their own set it themselves).
os.environ["OPDESK_HOME"] = tempfile.mkdtemp(prefix="opdesk-test-home-")

# A real PostgreSQL server on loopback (fixtures pg_server, pg_url, pg_fresh_url); it starts
# only when a test asks for it.
pytest_plugins = ["tests.pg"]
