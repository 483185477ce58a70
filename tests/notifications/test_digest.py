"""The daily digest: at 8:00 in each person's timezone, once per day, their unread notifications only."""

from __future__ import annotations

from datetime import UTC, datetime

from salesos.auth.models import User
from salesos.db.session import unit_of_work
from salesos.jobs.testing import drain
from salesos.leads.service import leads as lead_service
from salesos.notifications.digest import schedule_due
from salesos.notifications.schemas import PreferenceIn
from salesos.notifications.service import mark_read, save_preferences
from tests.conftest import both_databases
from tests.notifications.helpers import new_lead, notifications_of, principal
from tests.support.mail import sent_mail

# 13:00 UTC in January is 08:00 in New York.
MORNING_NY = datetime(2027, 1, 14, 13, 5, tzinfo=UTC)


def _wants_digest(person, timezone: str) -> None:  # type: ignore[no-untyped-def]
    with unit_of_work(org_id=person.org_id, user_id=person.user_id) as session:
        change = PreferenceIn(type="lead_assigned", in_app=True, push=False, email_digest=True)
        save_preferences(session, person.user_id, [change])
        user = session.get(User, person.user_id)
        assert user is not None
        user.timezone = timezone


def _assign(world, name: str) -> None:  # type: ignore[no-untyped-def]
    lead_id = new_lead(world.alice, name)
    with unit_of_work(org_id=world.alice.org_id, user_id=world.alice.user_id) as session:
        lead = lead_service.lead_or_404(session, lead_id)
        lead_service.update_lead(session, principal(world.alice), lead, {"owner_id": world.bob.user_id})


def _schedule(at: datetime) -> int:
    with unit_of_work() as session:
        return schedule_due(session, at)


@both_databases
def test_the_digest_goes_out_once_at_local_morning_with_unread_items(settings, world):
    _wants_digest(world.bob, "America/New_York")
    _assign(world, "Digest One")
    _assign(world, "Digest Two")
    with unit_of_work(org_id=world.bob.org_id, user_id=world.bob.user_id) as session:
        mark_read(session, world.bob.user_id, notifications_of(world.bob)[0].id)

    assert _schedule(MORNING_NY.replace(hour=12)) == 0  # 07:05 in New York: not yet
    assert _schedule(MORNING_NY) == 1
    assert _schedule(MORNING_NY.replace(minute=50)) == 0  # the same morning: already queued
    drain(now=datetime.now(UTC))
    digests = [m for m in sent_mail(settings.var_dir) if m["subject"].startswith("SalesOS digest")]
    assert len(digests) == 1
    (mail,) = digests
    assert mail["to"] == world.bob.email and mail["subject"].endswith("1 unread")
    assert "Alice Anders assigned Digest Two to you" in mail["text"]
    assert "Digest One" not in mail["text"]  # read already
    assert "/leads/" in mail["text"] and "/settings/notifications" in mail["text"]


def test_nobody_without_the_preference_or_anything_unread_gets_one(settings, world):
    _wants_digest(world.carol, "UTC")  # opted in, but nothing happened to her
    _assign(world, "Quiet Co")  # Bob has news but never asked for a digest
    for hour in range(24):
        _schedule(MORNING_NY.replace(hour=hour))
    drain(now=datetime.now(UTC))
    assert [m for m in sent_mail(settings.var_dir) if m["subject"].startswith("SalesOS digest")] == []
