"""Org-A calendar events for the isolation battery's id factories (tests/support/world.py)."""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import TYPE_CHECKING

from sqlalchemy.orm import Session

from salesos.calendar import service as calendar
from salesos.db.base import utcnow
from salesos.leads.service import leads
from tests.leads.factories import _alice

if TYPE_CHECKING:
    from tests.support.world import World


def event_id(session: Session, world: World) -> uuid.UUID:
    """Id of a call Alice had on the org-A lead registered as ``lead_id`` (a valid pair in A).

    Long past, so it is in no feed, listing or lead page that other tests count events of."""
    lead = leads.lead_or_404(session, world.ids["lead_id"])
    event = calendar.schedule(
        session,
        _alice(world),
        lead,
        title="Call Zed Alphason",
        starts_at=utcnow() - timedelta(days=400),
        duration_minutes=30,
        notes=None,
        task_id=None,
    )
    return event.id
