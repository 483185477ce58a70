"""Reminders: each task or scheduled call coming due notifies its person once, their minutes ahead."""

from __future__ import annotations

import uuid
from datetime import timedelta

from sqlalchemy import delete

from salesos.auth.models import User
from salesos.db.base import utcnow
from salesos.db.session import unit_of_work
from salesos.leads.models import Task
from salesos.leads.service import leads as lead_service
from salesos.leads.service import work
from salesos.notifications.reminders import remind_due
from tests.conftest import both_databases
from tests.notifications.helpers import new_lead, notifications_of, principal
from tests.support.world import Person


def _task(
    person: Person, lead_id: uuid.UUID, minutes: float, assignee: Person | None, title: str
) -> uuid.UUID:
    with unit_of_work(org_id=person.org_id, user_id=person.user_id) as session:
        lead = lead_service.lead_or_404(session, lead_id)
        task = work.add_task(
            session,
            principal(person),
            lead,
            title=title,
            due_at=utcnow() + timedelta(minutes=minutes),
            assignee_id=assignee.user_id if assignee else None,
        )
        return task.id


def _run(minutes_from_now: float = 0) -> int:
    with unit_of_work() as session:
        return remind_due(session, utcnow() + timedelta(minutes=minutes_from_now))


def _reminders(person: Person) -> list[str]:
    return [n.payload["task"] for n in notifications_of(person) if n.type == "task_due"]


def _set_minutes(person: Person, minutes: int) -> None:
    with unit_of_work() as session:
        user = session.get(User, person.user_id)
        assert user is not None
        user.reminder_minutes = minutes


@both_databases
def test_each_reminder_fires_once_for_the_right_person_in_the_right_org(world):
    alice, bob, carol = world.alice, world.bob, world.carol
    lead = new_lead(alice, "Due Co")
    _task(alice, lead, 8, bob, "Call Dana")  # inside Bob's default 10 minutes
    _task(alice, lead, 30, bob, "Send proposal")  # not yet
    done = _task(alice, lead, 5, bob, "Done already")
    gone = _task(alice, lead, 5, bob, "Deleted task")
    _task(alice, lead, -180, bob, "Long overdue")  # stale: no reminder hours late
    _task(carol, new_lead(carol, "Bravo Due"), 2, carol, "Call Bravo")
    with unit_of_work(org_id=alice.org_id, user_id=alice.user_id) as session:
        task = session.get(Task, done)
        assert task is not None
        work.update_task(
            session, principal(alice), lead_service.lead_or_404(session, lead), task, {"done": True}
        )
        session.execute(delete(Task).where(Task.id == gone))

    assert _run() == 2
    assert _reminders(bob) == ["Call Dana"] and _reminders(carol) == ["Call Bravo"]
    assert _reminders(alice) == []
    (note,) = [n for n in notifications_of(bob) if n.type == "task_due"]
    assert note.lead_id == lead and note.actor_id is None

    assert _run() == 0  # nothing twice
    assert _run(minutes_from_now=21) == 1  # 30 minutes out, 10 ahead: due at +20
    assert _reminders(bob) == ["Call Dana", "Send proposal"]


def test_minutes_ahead_follow_the_person_and_a_reschedule_rearms(world):
    alice, bob = world.alice, world.bob
    lead = new_lead(alice, "Ahead Co", owner_id=bob.user_id)
    _set_minutes(bob, 60)
    task_id = _task(alice, lead, 45, None, "Demo call")  # unassigned: the lead's owner hears
    assert _run() == 1 and _reminders(bob) == ["Demo call"]
    with unit_of_work(org_id=alice.org_id, user_id=alice.user_id) as session:
        task = session.get(Task, task_id)
        assert task is not None
        moved = {"due_at": utcnow() + timedelta(hours=3)}
        work.update_task(session, principal(alice), lead_service.lead_or_404(session, lead), task, moved)
    assert _run() == 0
    assert _run(minutes_from_now=125) == 1
    assert _reminders(bob) == ["Demo call", "Demo call"]
    text = next(n for n in reversed(notifications_of(bob)) if n.type == "task_due").payload["due"]
    assert text and ":" in text


def test_a_task_nobody_owns_reminds_nobody(world):
    lead = new_lead(world.alice, "Orphan Co")
    _task(world.alice, lead, 1, None, "Nobody's")
    assert _run() == 0
