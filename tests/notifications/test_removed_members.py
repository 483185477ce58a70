"""Someone no longer an active member of the org hears nothing more from it: no row, no Web Push, no
reminder (their old leads and tasks may still name them)."""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import delete

from salesos.auth.models import User
from salesos.db.base import utcnow
from salesos.db.session import unit_of_work
from salesos.leads.service import leads as lead_service
from salesos.leads.service import work
from salesos.notifications import service
from salesos.notifications.reminders import remind_due
from salesos.orgs.models import Membership
from tests.conftest import both_databases
from tests.notifications.helpers import new_lead, notifications_of, principal
from tests.support.world import Person


def _gone(person: Person) -> None:
    """End *person*'s membership behind the app's back, as removals did before they handed work over."""
    with unit_of_work(org_id=person.org_id) as session:
        session.execute(delete(Membership).where(Membership.id == person.member_id))


def _deactivate(person: Person) -> None:
    with unit_of_work() as session:
        user = session.get(User, person.user_id)
        assert user is not None
        user.is_active = False


def _notify_about(lead_id: uuid.UUID, actor: Person, *recipients: Person) -> list[uuid.UUID]:
    with unit_of_work(org_id=actor.org_id, user_id=actor.user_id) as session:
        lead = lead_service.lead_or_404(session, lead_id)
        return service.notify(
            session, [r.user_id for r in recipients], "lead_assigned", lead=lead, actor_id=actor.user_id
        )


def _task(person: Person, lead_id: uuid.UUID, assignee: Person, title: str) -> None:
    with unit_of_work(org_id=person.org_id, user_id=person.user_id) as session:
        lead = lead_service.lead_or_404(session, lead_id)
        due = utcnow() + timedelta(minutes=5)
        work.add_task(session, principal(person), lead, title=title, due_at=due, assignee_id=assignee.user_id)


@both_databases
def test_a_removed_member_gets_no_notification_and_no_push(world, monkeypatch: pytest.MonkeyPatch):
    pushed: list[dict[Any, Any]] = []
    monkeypatch.setattr(service, "queue_push", lambda _session, rows: pushed.append(rows))
    lead_id = new_lead(world.alice, "Old Co", owner_id=world.bob.user_id)
    before = len(notifications_of(world.bob))
    _gone(world.bob)
    assert _notify_about(lead_id, world.alice, world.bob) == []
    assert len(notifications_of(world.bob)) == before and pushed == []


def test_a_deactivated_account_is_skipped_and_the_others_still_hear(world, monkeypatch: pytest.MonkeyPatch):
    pushed: list[dict[Any, Any]] = []
    monkeypatch.setattr(service, "queue_push", lambda _session, rows: pushed.append(rows))
    lead_id = new_lead(world.alice, "Both Co")
    _deactivate(world.bob)
    outsider = world.carol  # a member of another org is not a member here either
    told = _notify_about(lead_id, world.bob, world.alice, world.bob, outsider)
    assert told == [world.alice.user_id]
    assert [list(rows) for rows in pushed] == [[world.alice.user_id]]


@both_databases
def test_the_reminder_scan_skips_a_removed_assignee_and_reminds_the_owner(world):
    alice, bob = world.alice, world.bob
    alices = new_lead(alice, "Alice Co", owner_id=alice.user_id)
    bobs = new_lead(alice, "Bob Co", owner_id=bob.user_id)
    _task(alice, alices, bob, "Call on Alice's lead")
    _task(alice, bobs, bob, "Call on Bob's lead")
    _gone(bob)
    with unit_of_work() as session:
        assert remind_due(session, utcnow()) == 1
    assert [n.payload["task"] for n in notifications_of(alice) if n.type == "task_due"] == [
        "Call on Alice's lead"
    ]
    assert [n for n in notifications_of(bob) if n.type == "task_due"] == []
