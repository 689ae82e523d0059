"""Who may do what on the shared server: one small table, read top to bottom.

The server checks a role before it runs an op through the services (which then judge the
regulation). Anything not in the table is refused: a new op name must be given its roles here
before any workstation can push it.

A trainer's rights hold on a training server only: trainers demonstrate the regulation with
made-up tickets, and a demonstration must never reach a production desk (DESIGN.md, Security).
"""

from __future__ import annotations

from dataclasses import dataclass

OPERATOR, LEAD, TRAINER, ADMIN = "operator", "lead", "trainer", "admin"
ROLES = (OPERATOR, LEAD, TRAINER, ADMIN)

ROLE_NAMES = {
    OPERATOR: ("оператор", "operator"),
    LEAD: ("руководитель группы", "team lead"),
    TRAINER: ("тренер", "trainer"),
    ADMIN: ("администратор", "administrator"),
}

_EVERYONE = frozenset(ROLES)
_LEADS = frozenset({LEAD, TRAINER, ADMIN})  # a trainer shows a lead's work, on training only
_ADMINS = frozenset({ADMIN})

# action -> roles that may do it. Ticket work is every op a workstation pushes (the command
# layer's names, with the short names of the sync brief beside them).
PERMISSIONS: dict[str, frozenset[str]] = {
    # reading and syncing
    "pull": _EVERYONE,
    "push": _EVERYONE,
    # one's own ticket work: every op of opdesk.services.ops (the rule engine then judges
    # each by the pack's own role rules, as on the workstation)
    "create_ticket": _EVERYONE,
    "register_call": _EVERYONE,
    "take": _EVERYONE,
    "escalate": _EVERYONE,
    "reopen": _EVERYONE,
    "cancel": _EVERYONE,
    "transition": _EVERYONE,
    "change_process": _EVERYONE,
    "close": _EVERYONE,
    "add_comment": _EVERYONE,
    "send_reply": _EVERYONE,
    "send_outgoing": _EVERYONE,
    "record_answer": _EVERYONE,
    "fill_closure": _EVERYONE,
    "save_closing": _EVERYONE,
    "close_with_report": _EVERYONE,
    "record_confirmation": _EVERYONE,
    "set_fields": _EVERYONE,
    "hand_over": _EVERYONE,
    "resolve_conflict": _EVERYONE,  # a text conflict merged (services.conflicts)
    # other people's tickets: owner changes, singly or in bulk
    "reassign_others": _LEADS,
    "bulk_reassign": _LEADS,
    # the trainer's own tools (simulated clock, resetting the training desk)
    "training_desk": frozenset({TRAINER, ADMIN}),
    # the server itself
    "manage_accounts": _ADMINS,
}

# Holds only on a training server: for these roles every action there is refused elsewhere.
TRAINING_ONLY_ROLES = frozenset({TRAINER})
# Holds for everyone only on a training server.
TRAINING_ONLY_ACTIONS = frozenset({"training_desk"})


@dataclass(frozen=True)
class Refusal:
    """Why a role may not do an action; `code` is for programs, the texts for people."""

    code: str  # unknown_role | unknown_action | forbidden | production_server
    role: str
    action: str
    message_ru: str
    message_en: str

    def __str__(self) -> str:
        return f"{self.message_ru} / {self.message_en}"


def may(role: str, action: str, *, training_server: bool = False) -> bool:
    return refusal(role, action, training_server=training_server) is None


def refusal(role: str, action: str, *, training_server: bool = False) -> Refusal | None:
    """None when the role may do the action here, else the reason in Russian and English."""
    if role not in ROLE_NAMES:
        return Refusal(
            "unknown_role", role, action,
            f"неизвестная роль «{role}»; роли: {', '.join(ROLES)}",
            f"unknown role '{role}'; roles: {', '.join(ROLES)}",
        )  # fmt: skip
    allowed = PERMISSIONS.get(action)
    if allowed is None:
        return Refusal(
            "unknown_action", role, action,
            f"неизвестное действие «{action}»", f"unknown action '{action}'",
        )  # fmt: skip
    ru, en = ROLE_NAMES[role]
    if (
        role in allowed
        and not training_server
        and (role in TRAINING_ONLY_ROLES or action in TRAINING_ONLY_ACTIONS)
    ):
        return Refusal(
            "production_server", role, action,
            f"роль «{ru}» может действовать («{action}») только на учебном сервере, "
            "а этот сервер рабочий",
            f"the {en} role may act ('{action}') on a training server only, "
            "and this is a production server",
        )  # fmt: skip
    if role not in allowed:
        who = ", ".join(ROLE_NAMES[r][0] for r in ROLES if r in allowed)
        who_en = ", ".join(ROLE_NAMES[r][1] for r in ROLES if r in allowed)
        return Refusal(
            "forbidden", role, action,
            f"роли «{ru}» действие «{action}» не разрешено; разрешено: {who}",
            f"the {en} role may not '{action}'; allowed to: {who_en}",
        )  # fmt: skip
    return None
