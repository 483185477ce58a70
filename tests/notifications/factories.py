"""Notification objects for tests (the isolation battery's ``notification_id``)."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from salesos.leads.service.leads import lead_or_404
from salesos.notifications.models import Notification
from salesos.notifications.service import notify


def notification_id(session: Session, world: Any) -> uuid.UUID:
    """A notification of Alice's in org A: Bob assigned her the world's lead."""
    lead = lead_or_404(session, world.ids["lead_id"])
    notify(session, [world.alice.user_id], "lead_assigned", lead=lead, actor_id=world.bob.user_id)
    stmt = select(Notification.id).where(Notification.user_id == world.alice.user_id)
    return session.scalars(stmt.order_by(Notification.id.desc())).one()
