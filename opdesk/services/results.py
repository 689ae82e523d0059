"""What a command returns: a plain, frozen change object that views react to.

Commands never hand ORM objects to callers (they may live on another thread): a result says
whether the command was carried out, why (rule IDs and texts), and which tickets changed.
"""

from __future__ import annotations

from dataclasses import dataclass

from opdesk.regulations.rules import Reason


@dataclass(frozen=True)
class CommandResult:
    command: str
    ok: bool
    reasons: tuple[Reason, ...] = ()
    ticket_ids: tuple[int, ...] = ()  # local ids of the tickets that changed
    effects: tuple[str, ...] = ()  # effects the engine asked for (notify, survey, ...)
    created_id: int | None = None

    @property
    def rule_ids(self) -> tuple[str, ...]:
        return tuple(r.rule for r in self.reasons)

    def message(self) -> str:
        """The operator's message: which rule refused the action and why, in Russian."""
        return "\n".join(r.as_text() for r in self.reasons)


class Refused(Exception):
    """Raised inside a command's transaction: everything it wrote is rolled back."""

    def __init__(self, reasons: tuple[Reason, ...]) -> None:
        self.reasons = reasons
        super().__init__("; ".join(r.as_text() for r in reasons))
