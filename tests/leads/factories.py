"""Org-A leads for the isolation battery's id factories (tests/support/world.py)."""

from __future__ import annotations

import uuid
from typing import TYPE_CHECKING

from sqlalchemy.orm import Session

from salesos.auth.principal import Principal
from salesos.leads.models import Lead
from salesos.leads.schemas import CompanyIn, ContactIn, LeadCreateIn
from salesos.leads.service import leads, work
from salesos.orgs.models import Role

if TYPE_CHECKING:
    from tests.support.world import World


def _alice(world: World) -> Principal:
    return Principal(org_id=world.alice.org_id, role=Role.OWNER, kind="token", user_id=world.alice.user_id)


def sample_lead(session: Session, world: World) -> Lead:
    """A lead of org A with a company and contact whose names are markers Carol must never see."""
    data = LeadCreateIn(
        company=CompanyIn(name="Acme Alpha Widgets", website="https://acme-alpha.example"),
        contact=ContactIn(first_name="Zed", last_name="Alphason", email="zed@acme-alpha.example"),
    )
    return leads.create_lead(session, _alice(world), data)


def lead_id(session: Session, world: World) -> uuid.UUID:
    """Id of a new org-A lead."""
    return sample_lead(session, world).id


def company_id(session: Session, world: World) -> uuid.UUID:
    """Id of a new org-A company."""
    return sample_lead(session, world).company_id


def contact_id(session: Session, world: World) -> uuid.UUID:
    """Id of a new org-A contact."""
    contact = sample_lead(session, world).primary_contact_id
    assert contact is not None
    return contact


def task_id(session: Session, world: World) -> uuid.UUID:
    """Id of a task on the org-A lead registered as ``lead_id`` (so the task route's pair is valid in A)."""
    lead = leads.lead_or_404(session, world.ids["lead_id"])
    return work.add_task(session, _alice(world), lead, title="Call Zed", due_at=None, assignee_id=None).id


def note_id(session: Session, world: World) -> uuid.UUID:
    """Id of a note on the org-A lead registered as ``lead_id``; its text is a marker Carol must never see."""
    lead = leads.lead_or_404(session, world.ids["lead_id"])
    return work.add_note(session, _alice(world), lead, "Acme Alpha pricing call went well").id


def suggestion_id(session: Session, world: World) -> uuid.UUID:
    """Id of an open merge suggestion between two org-A leads the earlier factories made (no new leads)."""
    from sqlalchemy import select

    from salesos.leads.merge_repository import MergeSuggestionRepository

    stmt = select(Lead.id).where(Lead.org_id == world.alice.org_id).order_by(Lead.id).limit(2)
    first, second = session.scalars(stmt).all()
    suggestions = MergeSuggestionRepository(session)
    suggestions.add_many([{"lead_id": first, "other_lead_id": second, "score": 95, "reason": "Acme Alpha"}])
    return suggestions.open_for_lead(first)[0].id
