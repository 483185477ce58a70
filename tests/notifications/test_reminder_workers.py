"""Two real worker processes in Redis mode (PostgreSQL + RedisHuey), both running the scheduler: a reminder
goes out exactly once, and a deleted task's reminder never does."""

from __future__ import annotations

import time
import uuid
from datetime import timedelta

import pytest
from sqlalchemy import delete, select

from salesos.db.base import utcnow
from salesos.db.session import unit_of_work
from salesos.leads.models import Task
from salesos.leads.service import leads as lead_service
from salesos.leads.service import work
from salesos.notifications.models import Notification
from tests.jobs.conftest import jobs_env, spawn_worker, wait_for  # noqa: F401  (fixtures used by name)
from tests.notifications.helpers import new_lead, principal

TICK = "notifications.remind_due=1"


def _task(person, lead_id: uuid.UUID, title: str) -> uuid.UUID:  # type: ignore[no-untyped-def]
    with unit_of_work(org_id=person.org_id, user_id=person.user_id) as session:
        lead = lead_service.lead_or_404(session, lead_id)
        due = utcnow() + timedelta(minutes=2)
        task = work.add_task(
            session, principal(person), lead, title=title, due_at=due, assignee_id=person.user_id
        )
        return task.id


def _reminders(person) -> list[str]:  # type: ignore[no-untyped-def]
    with unit_of_work(write=False, org_id=person.org_id, user_id=person.user_id) as session:
        stmt = select(Notification).where(Notification.type == "task_due").order_by(Notification.id)
        return [n.payload["task"] for n in session.scalars(stmt)]


@pytest.mark.parametrize("jobs_env", ["redis-queue"], indirect=True)
def test_a_reminder_fires_exactly_once_with_two_workers(jobs_env, spawn_worker):  # noqa: F811
    from tests.support.world import build_world

    world = build_world()
    alice = world.alice
    lead = new_lead(alice, "Twice Co")
    _task(alice, lead, "Call once")
    deleted = _task(alice, lead, "Deleted before due")
    with unit_of_work(org_id=alice.org_id, user_id=alice.user_id) as session:
        session.execute(delete(Task).where(Task.id == deleted))

    workers = [spawn_worker(f"w{i}", periodic=True, periodic_intervals=TICK) for i in (1, 2)]
    for worker in workers:
        worker.wait_started()
    wait_for(lambda: _reminders(alice), timeout=30)
    time.sleep(4)  # several more ticks on both schedulers
    for worker in workers:
        worker.stop()
    assert _reminders(alice) == ["Call once"]
    # Both schedulers were live, so each tick was contested and still ran once.
    assert all("worker_started" in w.output() for w in workers)
