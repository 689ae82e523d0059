"""One sync of a workstation with `opdesk server`: push, pull, check.

`SyncEngine.sync_once()` is a plain blocking function returning a frozen `SyncReport`: the
window runs it on a worker (woken by the server's events or a timer) and shows the report;
nothing here touches Qt or waits on the GUI thread.

1. Who: the server's identity is checked before anything is sent — a training database never
   syncs with a production server nor the reverse, and a database stays bound to the first
   server it synced with (another server's cursor and op numbers mean nothing).
2. Push: pending ops in batches of at most 500, each answer recorded in one local transaction
   (outbox.py); refused ops are undone here and reported with the server's words.
3. Pull until `more` is false, each batch with its cursor in one local transaction
   (pulling.py); pending ops stay applied on top (rebase.py).
4. Check: the server's per-table count + hash against the same figures of the local file.
   Figures are compared only when they describe the same moment — nothing pulled between
   the server's answer and the comparison, nothing waiting in the outbox — and a divergence
   must show twice before it is repaired: a full re-pull from cursor 0 that sweeps what the
   server does not have (sweep.py), reported in `repaired`.
"""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass, field

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from opdesk.clock import Clock
from opdesk.models import OutboxEntry, Ticket
from opdesk.regulations.pack import Pack
from opdesk.services.desk import Desk
from opdesk.store.database import Database
from opdesk.store.wire import snapshot_counts
from opdesk.sync import outbox, pulling, state
from opdesk.sync.contract import Reason, Server, SyncError
from opdesk.sync.history import raw_connection
from opdesk.sync.state import Refresh

MAX_PUSH_ROUNDS = 100  # 50,000 ops per sync; more wait for the next one
CHECK_ATTEMPTS = 4


@dataclass(frozen=True)
class RefusedOp:
    """An op the server refused, undone here: what the operator is told, and why."""

    op: int
    name: str
    tickets: tuple[uuid.UUID, ...]
    reasons: tuple[Reason, ...]

    @property
    def message_ru(self) -> str:
        return "; ".join(r.message_ru for r in self.reasons)

    @property
    def message_en(self) -> str:
        return "; ".join(r.message_en for r in self.reasons)


@dataclass(frozen=True)
class ConflictedOp(RefusedOp):
    """An op the server applied keeping its own long text over the op's (someone else had
    edited it meanwhile): the op's text waits on the ticket's card for a manual merge."""


@dataclass(frozen=True)
class SyncReport:
    pushed: int  # ops the server answered applied (or had already: duplicate)
    refused: tuple[RefusedOp, ...]
    pulled: int  # rows written or deleted by the pull
    cursor: int
    offline: bool
    error: SyncError | None = None  # why the sync stopped, if it did
    waiting: int = 0  # ops still in the outbox
    unsyncable: int = 0  # outbox rows that are not ops (an import's): never sent
    checked: bool = False  # the count + hash check ran and agreed
    repaired: tuple[str, ...] = ()  # tables a full re-pull repaired
    diverged: tuple[str, ...] = ()  # tables that still differ after a repair
    tickets: frozenset[uuid.UUID] = frozenset()  # tickets changed here: views to refresh
    conflicted: tuple[ConflictedOp, ...] = ()  # applied, a long text of theirs kept
    many: bool = False  # too many tickets changed to list (pulling.MANY_TICKETS): reload all


@dataclass
class _Progress:
    pushed: int = 0
    refused: list[RefusedOp] = field(default_factory=list)
    conflicted: list[ConflictedOp] = field(default_factory=list)
    pulled: int = 0
    cursor: int = 0
    checked: bool = False
    repaired: tuple[str, ...] = ()
    diverged: tuple[str, ...] = ()
    tickets: set[uuid.UUID] = field(default_factory=set)
    many: bool = False

    def add(self, pulled: pulling.Pulled) -> None:
        self.pulled += pulled.rows
        self.cursor = pulled.cursor
        self.tickets |= pulled.tickets
        self.many = self.many or pulled.many


class SyncEngine:
    def __init__(
        self,
        db: Database,
        transport: Server,
        pack: Pack,
        clock: Clock,
        *,
        pull_limit: int = pulling.LIMIT,
        check: bool = True,
    ) -> None:
        self.db = db
        self.server = transport
        # A shared desk numbers new tickets provisionally (the server gives the final number),
        # also when a pending create op is re-run on top of a pull.
        self.desk = Desk(db, pack, clock, provisional_numbers=True)
        self.pull_limit = pull_limit
        self.check = check
        # The token's person, when known: pushing stops at the first op of anyone else. The
        # server runs an op only as its token's person and would refuse (and so undo) a
        # colleague's op left here; it waits for its author's login (outbox.waiting_of_others).
        self.actor: str | None = None

    def sync_once(self, *, check: bool | None = None) -> SyncReport:
        """Push, pull and (unless `check` or the engine says no) check; never raises a
        SyncError — the report carries it. `check=False` suits the syncs a wake-up or a
        short timer starts: the check hashes every synced row on both sides."""
        progress = _Progress(cursor=state.load(self.db).cursor)
        error: SyncError | None = None
        try:
            self._identify()
            self._push(progress)
            progress.add(self._pull())
            if self.check if check is None else check:
                self._check(progress)
        except SyncError as exc:
            error = exc
        with self.db.transaction() as s:
            waiting = len(outbox.pending(s, 0))
            unsyncable = outbox.unsyncable(s)
        return SyncReport(
            pushed=progress.pushed, refused=tuple(progress.refused), pulled=progress.pulled,
            cursor=progress.cursor, offline=error is not None and error.offline, error=error,
            waiting=waiting, unsyncable=unsyncable, checked=progress.checked,
            repaired=progress.repaired, diverged=progress.diverged,
            tickets=frozenset(progress.tickets), conflicted=tuple(progress.conflicted),
            many=progress.many,
        )  # fmt: skip

    # -- the steps -----------------------------------------------------------------------
    def _identify(self) -> None:
        identity = self.server.identity()
        with self.db.transaction() as s:
            status = state.read(s)
            if identity.training != status.training:
                raise training_mismatch(server_training=identity.training)
            if status.server_id is None:
                _refuse_local_data(s)
                state.bind_server(s, identity.server_id)
            elif status.server_id != identity.server_id:
                raise pulling.other_server(status.server_id, identity.server_id)

    def _push(self, progress: _Progress) -> None:
        for _round in range(MAX_PUSH_ROUNDS):
            with self.db.transaction() as s:
                status = state.read(s)
                sent = outbox.pending(s, status.last_op, outbox.MAX_BATCH, actor=self.actor)
            if not sent:
                return
            answer = self.server.push(status.client_id, [op.outgoing() for op in sent])
            with self.db.transaction() as s:
                acked = outbox.acknowledge(s, sent, answer)
            progress.tickets |= acked.changed
            for op, result in acked.answered:
                named = (op.number, op.name, tuple(sorted(op.tickets)), result.reasons)
                if result.status == "refused":
                    progress.refused.append(RefusedOp(*named))
                    continue
                if result.status == "conflicted":
                    progress.conflicted.append(ConflictedOp(*named))
                progress.pushed += 1

    def _pull(self) -> pulling.Pulled:
        return pulling.pull_all(self.db, self.server, self.desk, limit=self.pull_limit)

    def _check(self, progress: _Progress) -> None:
        """See the module docstring, step 4."""
        seen: tuple[str, ...] = ()
        for _attempt in range(CHECK_ATTEMPTS):
            answer = self.server.check()
            caught_up = self._pull()
            progress.add(caught_up)
            if caught_up.rows or caught_up.cursor < answer.cursor:
                continue  # the desk moved meanwhile: ask again
            local = self._local_figures()
            if local is None:
                return  # ops are waiting: local rows are ahead of the server by design
            tables = set(answer.tables) | set(local)
            diverged = tuple(sorted(t for t in tables if answer.tables.get(t) != local.get(t)))
            if not diverged:
                progress.checked, progress.diverged = True, ()
                return
            if diverged != seen:
                seen = diverged  # once may be a moment's difference: look again
                continue
            if progress.repaired:
                progress.diverged = diverged  # a repair did not help: say so, do not loop
                return
            with self.db.transaction() as s:
                state.request_refresh(s, Refresh(0, None, sweep=True))
            progress.add(self._pull())
            progress.repaired, seen = diverged, ()

    def _local_figures(self) -> dict[str, tuple[int, str]] | None:
        """The local figures, read in one snapshot; None while the outbox holds anything."""
        with self.db.engine.connect() as conn:
            raw_connection(conn).execute("BEGIN")
            try:
                if conn.scalar(select(func.count()).select_from(OutboxEntry)):
                    return None
                return snapshot_counts(conn)
            finally:
                conn.rollback()


def _refuse_local_data(s: Session) -> None:
    """A database meeting its first server must hold no tickets of its own.

    Why: the server is the truth of a shared desk, and the first check would find the
    database's own tickets missing there and repair the difference by deleting them — a demo
    desk from `make run`, or a lone desk's real work, would be lost without a word. Tickets
    this workstation made for the server (their create ops still waiting) are fine."""
    made = set()
    for name, row_id, payload in s.execute(
        select(OutboxEntry.command, OutboxEntry.row_id, OutboxEntry.payload).where(
            OutboxEntry.command.in_(("create_ticket", "register_call"))
        )
    ):
        made.add(row_id)
        if name == "register_call":
            made.update(str(t) for t in json.loads(payload).get("tickets", ()))
    own = [u for u in s.scalars(select(Ticket.uuid)) if str(u) not in made]
    if own:
        raise SyncError(
            "local_data",
            f"в этой базе {len(own)} заявок, которых нет на сервере; рабочее место общего стола "
            "начинает с новой базы — выберите новый файл базы в настройках (эта база не изменена)",
            f"this database holds {len(own)} tickets the server does not have; a workstation of "
            "a shared desk starts from a new database - choose a new database file in the "
            "settings (this database was left as it was)",
        )


def training_mismatch(*, server_training: bool) -> SyncError:
    if server_training:
        ru = "это учебный сервер, а база рабочего места рабочая: синхронизация запрещена"
        en = "this is a training server and the workstation's database a production one: no sync"
    else:
        ru = "это рабочий сервер, а база рабочего места учебная: синхронизация запрещена"
        en = "this is a production server and the workstation's database a training one: no sync"
    return SyncError("training_mismatch", ru, en)
