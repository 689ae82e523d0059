"""The role table: who may do what, and a trainer only on a training server."""

from __future__ import annotations

import pytest

from opdesk.server.roles import PERMISSIONS, ROLES, may, refusal
from opdesk.services.ops import OPS

TICKET_WORK = tuple(sorted(OPS))  # every op a workstation pushes


def test_every_op_of_the_services_has_a_role_rule() -> None:
    """An op missing from the table is refused to everyone as an unknown action: escalate,
    reopen and cancel once were."""
    assert set(OPS) <= set(PERMISSIONS)


@pytest.mark.parametrize("action", TICKET_WORK)
def test_everyone_does_ticket_work_and_a_trainer_only_on_training(action: str) -> None:
    for role in ("operator", "lead", "admin"):
        assert may(role, action)
        assert may(role, action, training_server=True)
    assert not may("trainer", action)
    assert may("trainer", action, training_server=True)


def test_only_admins_manage_accounts() -> None:
    assert [r for r in ROLES if may(r, "manage_accounts", training_server=True)] == ["admin"]
    no = refusal("operator", "manage_accounts")
    assert no is not None and no.code == "forbidden"
    assert "администратор" in no.message_ru and "administrator" in no.message_en


def test_only_leads_and_admins_reassign_other_people_s_tickets() -> None:
    for action in ("reassign_others", "bulk_reassign"):
        assert {r for r in ROLES if may(r, action)} == {"lead", "admin"}
        assert not may("operator", action, training_server=True)
        assert may("trainer", action, training_server=True)


def test_a_trainer_on_a_production_server_is_told_why() -> None:
    no = refusal("trainer", "take")
    assert no is not None and no.code == "production_server"
    assert "учебном" in no.message_ru and "training server" in no.message_en
    assert not may("admin", "training_desk")
    assert may("trainer", "training_desk", training_server=True)
    assert not may("operator", "training_desk", training_server=True)


def test_unknown_roles_and_actions_are_refused() -> None:
    assert not may("root", "take")
    unknown_role = refusal("root", "take")
    assert unknown_role is not None and unknown_role.code == "unknown_role"
    for role in ROLES:
        no = refusal(role, "drop_database", training_server=True)
        assert no is not None and no.code == "unknown_action"


def test_every_action_names_only_known_roles() -> None:
    for action, roles in PERMISSIONS.items():
        assert roles and roles <= set(ROLES), action
        assert "admin" in roles, action  # an admin can always stand in
