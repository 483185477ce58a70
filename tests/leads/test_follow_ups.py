"""A due follow-up is kept by touching the lead: logging contact or completing a task clears it."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from salesos.auth.principal import Principal
from salesos.db.session import unit_of_work
from salesos.leads.models import Activity, Lead
from salesos.leads.repository import LeadRepository
from salesos.leads.service import actions, work
from salesos.orgs.models import Role
from tests.conftest import both_databases
from tests.support.world import Person
from tests.web.test_lead_actions import make_lead


def _principal(person: Person) -> Principal:
    return Principal(org_id=person.org_id, role=Role.MEMBER, kind="token", user_id=person.user_id)


def _touch(person: Person, lead_id: uuid.UUID, follow_up: datetime, act: Any) -> tuple[datetime | None, int]:
    """Set the follow-up, do *act* on the lead; the follow-up after it and how many were recorded done."""
    with unit_of_work(org_id=person.org_id, user_id=person.user_id) as session:
        lead = LeadRepository(session).get(lead_id)
        assert lead is not None
        lead.next_follow_up_at = follow_up
        session.flush()
        act(session, _principal(person), lead)
    with unit_of_work(write=False, org_id=person.org_id, user_id=person.user_id) as session:
        lead = session.get(Lead, lead_id)
        assert lead is not None
        done = session.query(Activity).filter_by(lead_id=lead_id, kind="follow_up_done").count()
        return lead.next_follow_up_at, done


def _complete_a_task(session: Any, principal: Principal, lead: Lead) -> None:
    task = work.add_task(session, principal, lead, title="Send the quote", due_at=None, assignee_id=None)
    work.update_task(session, principal, lead, task, {"done": True})


TOUCHES = {
    "email": lambda s, p, lead: actions.log_email(s, p, lead),
    "call": lambda s, p, lead: actions.log_call(s, p, lead, outcome="connected", minutes=4, notes=""),
    "whatsapp": lambda s, p, lead: actions.log_whatsapp(s, p, lead),
    "task done": _complete_a_task,
}


@both_databases
@pytest.mark.parametrize("touch", list(TOUCHES))
def test_touching_a_lead_clears_its_due_follow_up_but_not_a_later_one(world, touch):
    lead_id = make_lead(world.alice)
    now = datetime.now(UTC)
    assert _touch(world.alice, lead_id, now - timedelta(hours=1), TOUCHES[touch]) == (None, 1)
    later = now + timedelta(days=7)
    kept, done = _touch(world.alice, lead_id, later, TOUCHES[touch])
    assert kept is not None and abs(kept - later) < timedelta(seconds=1) and done == 1


def test_adding_a_note_or_task_is_not_following_up(world):
    lead_id = make_lead(world.alice)
    due = datetime.now(UTC) - timedelta(hours=1)

    def plan(session: Any, principal: Principal, lead: Lead) -> None:
        work.add_note(session, principal, lead, "Thinking about it")
        work.add_task(session, principal, lead, title="Call Monday", due_at=None, assignee_id=None)

    kept, done = _touch(world.alice, lead_id, due, plan)
    assert kept is not None and done == 0
