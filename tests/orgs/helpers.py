"""Shortcuts for member tests: a third member, a rep's leads and tasks, and what landed where."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import select

from salesos.db.session import unit_of_work
from salesos.leads.models import Activity, Lead, Task
from salesos.leads.schemas import CompanyIn, LeadCreateIn
from salesos.leads.service import leads as lead_service
from salesos.leads.service import work
from salesos.orgs.models import Role
from tests.notifications.helpers import principal
from tests.support.world import Person, World, _person


def add_member(world: World, email: str, name: str, role: Role = Role.MEMBER) -> Person:
    """Another person in org A with *role* (signed in with a token)."""
    with unit_of_work() as session:
        person = _person(session, email, name, world.alice.org_id, "")
    if role is not Role.MEMBER:
        person.set_role(role)
    return person


def give_work(owner: Person, by: Person, leads: int, tasks: int, name: str = "Rita Co") -> list[uuid.UUID]:
    """*leads* leads owned by *owner*, with *tasks* open tasks assigned to them spread over those leads
    (plus one done task of theirs, which a hand-over leaves alone); the lead ids."""
    with unit_of_work(org_id=by.org_id, user_id=by.user_id) as session:
        made = [
            lead_service.create_lead(
                session,
                principal(by),
                LeadCreateIn(company=CompanyIn(name=f"{name} {i}"), owner_id=owner.user_id),
            )
            for i in range(leads)
        ]
        for i in range(tasks):
            lead = made[i % len(made)]
            work.add_task(
                session, principal(by), lead, title=f"Task {i}", due_at=None, assignee_id=owner.user_id
            )
        done = work.add_task(
            session, principal(by), made[0], title="Done", due_at=None, assignee_id=owner.user_id
        )
        work.update_task(session, principal(by), made[0], done, {"done": True})
        return [lead.id for lead in made]


def owners(person: Person, lead_ids: list[uuid.UUID]) -> set[uuid.UUID | None]:
    """The owners of *lead_ids*."""
    with unit_of_work(write=False, org_id=person.org_id) as session:
        return set(session.scalars(select(Lead.owner_id).where(Lead.id.in_(lead_ids))))


def task_assignees(person: Person) -> dict[str, uuid.UUID | None]:
    """Each task's assignee in *person*'s org, by title."""
    with unit_of_work(write=False, org_id=person.org_id) as session:
        return {
            t.title: t.assignee_id for t in session.scalars(select(Task).where(Task.org_id == person.org_id))
        }


def hand_over_entries(person: Person, lead_id: uuid.UUID) -> list[dict[str, Any]]:
    """The data of the lead's timeline entries that record a hand-over."""
    with unit_of_work(write=False, org_id=person.org_id) as session:
        stmt = select(Activity).where(Activity.lead_id == lead_id, Activity.kind == "updated")
        return [a.data for a in session.scalars(stmt) if a.data.get("reason") == "member_removed"]


def timeline_texts(person: Person, lead_id: uuid.UUID) -> list[str]:
    """The lead's timeline as its page words it, newest first."""
    from salesos.leads.timeline import timeline_page

    with unit_of_work(write=False, org_id=person.org_id, user_id=person.user_id) as session:
        lead = lead_service.lead_or_404(session, lead_id)
        return [entry.text for entry in timeline_page(session, lead, {}).entries]
