"""Org-A intake endpoints for the isolation battery's id factories (tests/support/world.py)."""

from __future__ import annotations

import uuid
from typing import TYPE_CHECKING

from sqlalchemy.orm import Session

from salesos.intake.service import endpoints

if TYPE_CHECKING:
    from tests.support.world import World


def intake_endpoint_id(session: Session, world: World) -> uuid.UUID:
    """Id of a new org-A intake endpoint (the management routes' ``{intake_endpoint_id}``)."""
    endpoint, _secret = endpoints.create_endpoint(
        session, name="A's scraper", source="scraper", created_by=world.alice.user_id
    )
    return endpoint.id


def endpoint_id(session: Session, world: World) -> str:
    """Public id of an org-A endpoint (the webhook's ``{endpoint_id}``, which names org A)."""
    endpoint, _secret = endpoints.create_endpoint(
        session, name="A's webhook", source="scraper", created_by=world.alice.user_id
    )
    return endpoints.public_id(endpoint)
