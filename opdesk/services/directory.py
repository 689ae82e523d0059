"""Reference data commands: the pack's departments, people and clients.

None of them records an op (no op adds a person or a client yet), so on a database bound to a
shared desk's server they refuse before writing: the rows would never reach the server, and
its check would sweep them away (opdesk.store.local_writes). A shared desk gets its people
and departments from the server (`opdesk server init`, `add-person`) by pull.
"""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import select

from opdesk.models import Client, Department, Person
from opdesk.services.desk import Desk
from opdesk.store.local_writes import (
    client_refusal,
    departments_refusal,
    person_refusal,
    refuse_if_bound,
)


def ensure_departments(desk: Desk) -> None:
    """Create the pack's departments in the database (idempotent). On a database bound to a
    server, where the pull brings them, only a call with nothing to write passes."""
    with desk.db.transaction() as s:
        known = set(s.scalars(select(Department.code)))
        missing = [dep for dep in desk.pack.departments if dep.id not in known]
        if missing:
            refuse_if_bound(s, departments_refusal())
        for dep in missing:
            s.add(Department(code=dep.id, name=dep.name))


def add_person(desk: Desk, login: str, name: str, role: str, department: str) -> uuid.UUID:
    """Add a person; refused (SharedDeskRefusal) on a database bound to a server."""
    with desk.db.transaction() as s:
        refuse_if_bound(s, person_refusal(login))
        dep = desk.department(s, department)
        person = Person(login=login, name=name, role=role, department_id=dep.id)
        s.add(person)
        s.flush()
        return person.id


def add_client(desk: Desk, name: str, **fields: Any) -> uuid.UUID:
    """Add a client; refused (SharedDeskRefusal) on a database bound to a server."""
    with desk.db.transaction() as s:
        refuse_if_bound(s, client_refusal(name))
        client = Client(name=name, **fields)
        s.add(client)
        s.flush()
        return client.id
