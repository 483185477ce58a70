"""The shared world, minus the notification the isolation battery's id factory gives Alice."""

from __future__ import annotations

import pytest
from sqlalchemy import delete

from salesos.config import Settings
from salesos.db.session import unit_of_work
from salesos.notifications.models import Notification


@pytest.fixture
def world(settings: Settings):  # type: ignore[no-untyped-def]
    """Alice + Bob in org A, Carol in org B, and nobody has been notified of anything yet."""
    from tests.support.world import build_world

    built = build_world()
    with unit_of_work(org_id=built.alice.org_id, user_id=built.alice.user_id) as session:
        session.execute(delete(Notification).where(Notification.org_id == built.alice.org_id))
    return built
