"""Shortcuts for notification tests: principals, leads, and what each person has been told."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import select

from salesos.auth.principal import Principal
from salesos.db.session import unit_of_work
from salesos.leads.schemas import CompanyIn, LeadCreateIn
from salesos.leads.service import leads as lead_service
from salesos.notifications.models import Notification
from salesos.orgs.models import Role
from tests.support.world import Person


def principal(person: Person, role: Role = Role.OWNER) -> Principal:
    """*person* calling with a token."""
    return Principal(org_id=person.org_id, role=role, kind="token", user_id=person.user_id)


def new_lead(person: Person, name: str = "Notify Co", **fields: Any) -> uuid.UUID:
    """A lead in *person*'s org, created by them."""
    with unit_of_work(org_id=person.org_id, user_id=person.user_id) as session:
        data = LeadCreateIn(company=CompanyIn(name=name), **fields)
        return lead_service.create_lead(session, principal(person), data).id


def notifications_of(person: Person) -> list[Notification]:
    """Every notification *person* has, oldest first."""
    with unit_of_work(write=False, org_id=person.org_id, user_id=person.user_id) as session:
        stmt = select(Notification).where(Notification.user_id == person.user_id).order_by(Notification.id)
        return list(session.scalars(stmt))


def types_of(person: Person) -> list[str]:
    """The types of *person*'s notifications, oldest first."""
    return [n.type for n in notifications_of(person)]
