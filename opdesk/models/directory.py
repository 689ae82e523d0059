"""Reference data: departments, people (operators, performers) and clients."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from opdesk.models.base import Base, stable_id, uuid7


def _department_id(context: Any) -> uuid.UUID:
    return stable_id("department", context.get_current_parameters()["code"])


def _person_id(context: Any) -> uuid.UUID:
    return stable_id("person", context.get_current_parameters()["login"])


class Department(Base):
    __tablename__ = "departments"

    # The same department has the same id in every database (see stable_id).
    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=_department_id)
    code: Mapped[str] = mapped_column(String(40), unique=True)  # the pack's department id
    name: Mapped[str] = mapped_column(String(120))


class Person(Base):
    __tablename__ = "people"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=_person_id)
    login: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(120))
    role: Mapped[str] = mapped_column(String(16), default="operator")  # operator|lead|trainer|admin
    department_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("departments.id"))


CLIENT_CATEGORIES = ("VIP", "Важный", "обычный")  # C-07, C-09


class Client(Base):
    __tablename__ = "clients"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid7)
    name: Mapped[str] = mapped_column(String(200), index=True)
    category: Mapped[str] = mapped_column(String(16), default="обычный")  # VIP|Важный|обычный
    mobile: Mapped[str] = mapped_column(String(32), default="")  # for SMS; "" = none
    group_name: Mapped[str] = mapped_column(String(64), default="")  # e.g. Мегафон, Сбербанк
    city: Mapped[str] = mapped_column(String(80), default="")
    phone: Mapped[str] = mapped_column(String(32), default="")
