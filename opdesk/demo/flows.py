"""Each process's transitions as a lookup the demo walks step through.

Why a lookup and not `check_transition`: the engine judges a full ticket snapshot with its
guards, which a million tickets cannot afford. The walks satisfy the guards by construction
(an outgoing request before «На удержании», a valid reason for an escalation, the client's
permission before «Решить эту проблему», the closing checklist before an outage is closed),
and every step they take is looked up here among the transitions of the ticket's own process:
a step the process does not have is a bug in the walk and stops the run. Target statuses,
stages, terminal statuses and auto-close days all come from the pack, so the walks name only
the actions they take.
"""

from __future__ import annotations

from opdesk.regulations.pack import Pack
from opdesk.regulations.processes import Process

Move = tuple[str, str, tuple[str, ...]]  # (status, stage, effects) after an action


class Flow:
    """One process of the pack: its intake, its moves, its terminal and auto-close statuses."""

    def __init__(self, pack: Pack, process: Process) -> None:
        self.pack, self.process, self.id = pack, process, process.id
        intake = pack.statuses[process.intake.status]
        self.intake = intake.id
        self.intake_stage = process.stage_of(intake, pack.stages)
        self.intake_effects = process.intake.effects
        self.terminal = process.terminal
        self.auto_close_days = {a.status: a.working_days for a in process.auto_close}
        self.reopen_window = (process.reopen.window_minutes or 0) * 60  # seconds; 0: no limit
        self.levels = pack.stages.order if process.levels else ()
        self._moves: dict[tuple[str, str, str], Move] = {}

    def move(self, action: str, status: str, stage: str) -> Move:
        """Where `action` leads from (status, stage) in this process (cached)."""
        key = (action, status, stage)
        found = self._moves.get(key)
        if found is None:
            found = self._moves[key] = self._find(action, status, stage)
        return found

    def _find(self, action: str, status: str, stage: str) -> Move:
        pack, process = self.pack, self.process
        for t in process.transitions:
            if t.action != action or status not in t.sources:
                continue
            if t.from_stages and stage not in t.from_stages:
                continue
            to = pack.statuses[status if t.to == "*" else t.to]
            if to.stage != "*":
                to_stage = process.stage_of(to, pack.stages, stage)
            elif not process.levels:
                to_stage = ""
            elif t.stage == "next":  # B-02: one level up; the last level stays where it is
                order = pack.stages.order
                up = order.index(stage) + 1 if stage in order else len(order)
                to_stage = order[up] if up < len(order) else stage
            else:
                to_stage = t.stage or stage
            return to.id, to_stage, t.effects
        raise RuntimeError(
            f"демо: в процессе «{self.id}» нет действия «{action}» из {status}@{stage} / "
            f"demo walk bug: process {self.id!r} has no {action!r} from {status}@{stage}"
        )


def build_flows(pack: Pack) -> dict[str, Flow]:
    return {pid: Flow(pack, p) for pid, p in pack.processes.items()}
