"""Reference data commands: the pack's departments, people and clients."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import select

from opdesk.models import Client, Department, Person
from opdesk.services.desk import Desk


def ensure_departments(desk: Desk) -> None:
    """Create the pack's departments in the database (idempotent)."""
    with desk.db.transaction() as s:
        known = set(s.scalars(select(Department.code)))
        for dep in desk.pack.departments:
            if dep.id not in known:
                s.add(Department(code=dep.id, name=dep.name))


def add_person(desk: Desk, login: str, name: str, role: str, department: str) -> uuid.UUID:
    with desk.db.transaction() as s:
        dep = desk.department(s, department)
        person = Person(login=login, name=name, role=role, department_id=dep.id)
        s.add(person)
        s.flush()
        return person.id


def add_client(desk: Desk, name: str, **fields: Any) -> uuid.UUID:
    with desk.db.transaction() as s:
        client = Client(name=name, **fields)
        s.add(client)
        s.flush()
        return client.id
