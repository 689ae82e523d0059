"""Commands: every write goes through here and through the rule engine, in one transaction.

One shape for all of them: a function taking the `Desk` (database, pack, clock) and the
acting person first — `services.take(desk, actor, ticket_id)` — so a command is one call
from the window, the CLI, an import or a sync push alike.
"""

from __future__ import annotations

from opdesk.services.closing import (
    ClosingView,
    ClosureDraft,
    ConfirmationDraft,
    close_with_report,
    closing_view,
    save_closing,
)
from opdesk.services.closure import SparePart, fill_closure, record_confirmation
from opdesk.services.conflicts import resolve_conflict
from opdesk.services.conversation import add_comment, record_answer, send_outgoing
from opdesk.services.desk import Desk, ticket_number
from opdesk.services.directory import add_client, add_person, ensure_departments
from opdesk.services.fields import hand_over, set_fields
from opdesk.services.intake_call import CallDraft, find_client_by_phone, register_call
from opdesk.services.registration import create_ticket
from opdesk.services.replies import ReplyChoice, TemplateOffer, reply_choice, send_reply
from opdesk.services.results import CommandResult, Refused
from opdesk.services.transitions import (
    bulk_close,
    cancel,
    change_process,
    change_status,
    close,
    escalate,
    reopen,
    take,
    transition,
)

__all__ = [
    "CallDraft",
    "ClosingView",
    "ClosureDraft",
    "CommandResult",
    "ConfirmationDraft",
    "Desk",
    "Refused",
    "ReplyChoice",
    "SparePart",
    "TemplateOffer",
    "add_client",
    "add_comment",
    "add_person",
    "bulk_close",
    "cancel",
    "change_process",
    "change_status",
    "close",
    "close_with_report",
    "closing_view",
    "create_ticket",
    "ensure_departments",
    "escalate",
    "fill_closure",
    "find_client_by_phone",
    "hand_over",
    "record_answer",
    "record_confirmation",
    "register_call",
    "reopen",
    "reply_choice",
    "resolve_conflict",
    "save_closing",
    "send_outgoing",
    "send_reply",
    "set_fields",
    "take",
    "ticket_number",
    "transition",
]
