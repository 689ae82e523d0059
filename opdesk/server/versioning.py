"""Row versions on the server that a puller can never skip, and tombstones for deletes.

Every synced row carries `version bigint`, stamped by a trigger with the id of the transaction
that wrote it (`pg_current_xact_id()`), and a puller only reads versions below the oldest
transaction still running (`pg_snapshot_xmin`, see `watermark`). Why this is safe: a
transaction's id is assigned at its first write, so a transaction still running has an id
≥ the watermark, and every transaction that starts later gets a larger id still. Whatever
commits after a pull therefore carries a version above that pull's cursor: nothing can commit
"behind" a cursor, however transactions interleave.

Why not a sequence drawn under a transaction advisory lock (the other way DESIGN.md names):
the lock would be held from a push's first write until its commit, WAL flush included, so
every push on every server process would run one at a time: throughput would be one over
the duration of a push transaction (the rule engine's work and its round trips included),
and a push waiting for a ticket's row lock while holding the version lock would deadlock with
one that holds the row and waits for the version. Measured by tests/server/
test_out_of_order.py (8 connections, 2 ms of work inside each transaction, on a 2-CPU test
machine with fsync off, which flatters the lock): 220-320 transactions/s under the lock
against 1,100-1,400 with the watermark, no different from an unprotected sequence; and
its stress run deadlocks a few times in 180 transactions. The watermark makes writers independent
(no shared lock, no shared sequence, group commit works) and moves the cost to the reader: a
pull waits for the oldest running writer of the *cluster* before it can pass that writer's
id. Push transactions are short, so that wait is short; a session left idle in a transaction
stalls sync, hence `idle_in_transaction_session_timeout` belongs on the server's role.

Consequences the pull handles (opdesk/server/pull.py):
- all rows written by one transaction share a version; a pull batch never splits one;
- version order is not commit order, and a row's version can go down (a transaction with an
  older id updates it last); only "nothing lands at or below a cursor" is guaranteed, which
  is all a keyset pull needs;
- a key can have both a row and a tombstone (deleted, then inserted again by an older
  transaction): the row wins, so a pull reports a tombstone only when its key is absent.

Versions are transaction ids of this cluster: a physical replica or a promoted standby
continues them, but a database restored from a dump into a new cluster starts lower, so a
workstation cursor from before a restore must be discarded: pull refuses a cursor above the
watermark, which catches most such cases, and `cluster_identity` the rest. (So a pull must
be served by the primary, or a replica no further behind than the last pull's: a lagging
replica would see the cursor as ahead of it.)

Rows that exist when the versioning is installed get version 1: below every transaction id
(normal ids start at 3), so the first pull (cursor 0) carries them.
"""

from __future__ import annotations

from sqlalchemy import text
from sqlalchemy.engine import Connection

from opdesk.store.wire import SYNCED_TABLES, VERSION_COLUMN

TOMBSTONES = "tombstones"
PRE_EXISTING_VERSION = 1  # rows already there at install: below every transaction id
# The version of a row written now: the writing transaction's 64-bit id (xid8, epoch included,
# so it never wraps around). The trigger functions take it as a parameter only so the
# out-of-order test can swap in a plain sequence and show that the test catches the skip.
STAMP_EXPRESSION = "pg_current_xact_id()::text::bigint"
STAMP_FUNCTION = "opdesk_stamp_version"
TOMBSTONE_FUNCTION = "opdesk_tombstone"


def stamp_functions_sql(stamp: str = STAMP_EXPRESSION) -> list[str]:
    """The two trigger functions, for a version expression `stamp` (SQL).

    The tombstone's key is read through `to_jsonb(OLD)` so one function serves every table
    whatever its key column is called (passed as the trigger's argument); deletes are rare,
    so the conversion costs nothing that matters. A second delete of the same key (deleted,
    inserted again, deleted again) moves the one tombstone to the newer version."""
    v = VERSION_COLUMN
    head = "() RETURNS trigger LANGUAGE plpgsql AS $$\n"
    return [
        f"CREATE OR REPLACE FUNCTION {STAMP_FUNCTION}{head}"
        f"BEGIN\n  NEW.{v} := {stamp};\n  RETURN NEW;\nEND $$",
        f"CREATE OR REPLACE FUNCTION {TOMBSTONE_FUNCTION}{head}"
        f"BEGIN\n  INSERT INTO {TOMBSTONES} (table_name, row_key, {v})\n"
        f"  VALUES (TG_TABLE_NAME, (to_jsonb(OLD) ->> TG_ARGV[0])::uuid, {stamp})\n"
        f"  ON CONFLICT (table_name, row_key) DO UPDATE SET {v} = EXCLUDED.{v};\n"
        f"  RETURN OLD;\nEND $$",
    ]


def versioning_sql() -> list[str]:
    """The whole DDL, in order; every statement may run again (install is idempotent).

    The triggers are dropped and created again rather than `CREATE OR REPLACE TRIGGER` so
    PostgreSQL 13 works too (13 is the least for `pg_current_xact_id`). Pre-existing rows are
    set to version 1 while their table's trigger is absent (a new column gets it as its
    default; `tickets.version` exists in the models and holds whatever the ORM wrote)."""
    statements = [
        f"CREATE TABLE IF NOT EXISTS {TOMBSTONES} ("
        " table_name varchar(40) NOT NULL,"
        " row_key uuid NOT NULL,"
        f" {VERSION_COLUMN} bigint NOT NULL,"
        f" CONSTRAINT pk_{TOMBSTONES} PRIMARY KEY (table_name, row_key))",
        f"CREATE INDEX IF NOT EXISTS ix_{TOMBSTONES}_{VERSION_COLUMN}"
        f" ON {TOMBSTONES} ({VERSION_COLUMN})",
        *stamp_functions_sql(),
    ]
    for table, key in SYNCED_TABLES.items():
        statements += [
            f"ALTER TABLE {table} ADD COLUMN IF NOT EXISTS {VERSION_COLUMN} bigint NOT NULL"
            f" DEFAULT {PRE_EXISTING_VERSION}",
            f"CREATE INDEX IF NOT EXISTS ix_{table}_{VERSION_COLUMN} ON {table} ({VERSION_COLUMN})",
            f"DROP TRIGGER IF EXISTS {table}_stamp_version ON {table}",
            f"DROP TRIGGER IF EXISTS {table}_tombstone ON {table}",
            f"UPDATE {table} SET {VERSION_COLUMN} = {PRE_EXISTING_VERSION}"
            f" WHERE {VERSION_COLUMN} < {PRE_EXISTING_VERSION}",
            f"CREATE TRIGGER {table}_stamp_version BEFORE INSERT OR UPDATE ON {table}"
            f" FOR EACH ROW EXECUTE FUNCTION {STAMP_FUNCTION}()",
            f"CREATE TRIGGER {table}_tombstone AFTER DELETE ON {table}"
            f" FOR EACH ROW EXECUTE FUNCTION {TOMBSTONE_FUNCTION}('{key}')",
        ]
    return statements


def install_versioning(connection: Connection) -> None:
    """Create (or bring up to date) versions, triggers and tombstones on a PostgreSQL database
    whose store schema is migrated. Runs in the caller's transaction (a migration's), so it
    is all or nothing; running it again changes nothing but the function bodies."""
    if connection.dialect.name != "postgresql":
        raise ValueError(f"row versions are a PostgreSQL feature, not {connection.dialect.name}")
    for statement in versioning_sql():
        connection.execute(text(statement))


def uninstall_versioning(connection: Connection) -> None:
    """Take the triggers, functions and tombstones away again (a server revision's downgrade).
    The version columns stay: `tickets.version` belongs to the models, and a column more on
    the others harms nothing the store's own downgrade does not remove."""
    for table in SYNCED_TABLES:
        connection.execute(text(f"DROP TRIGGER IF EXISTS {table}_stamp_version ON {table}"))
        connection.execute(text(f"DROP TRIGGER IF EXISTS {table}_tombstone ON {table}"))
    for name in (STAMP_FUNCTION, TOMBSTONE_FUNCTION):
        connection.execute(text(f"DROP FUNCTION IF EXISTS {name}()"))
    connection.execute(text(f"DROP TABLE IF EXISTS {TOMBSTONES}"))


def watermark(connection: Connection) -> int:
    """The highest version that is final now: every transaction with an id ≤ it has ended,
    and every later write gets a larger version. A pull never moves its cursor past it."""
    value = connection.execute(
        text("SELECT pg_snapshot_xmin(pg_current_snapshot())::text::bigint - 1")
    ).scalar_one()
    return int(value)


def cluster_identity(connection: Connection) -> str:
    """The PostgreSQL cluster whose transaction ids the versions are: the same on its physical
    replicas, new after a restore from a dump (or any initdb), where a workstation's cursor
    no longer means anything. A cursor handed to a workstation should carry it (with the
    database's own server id, since databases of one cluster share transaction ids)."""
    value = connection.execute(text("SELECT system_identifier FROM pg_control_system()"))
    return str(value.scalar_one())
