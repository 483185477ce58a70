"""Org-A campaigns and prospects for the isolation battery's id factories (tests/support/world.py)."""

from __future__ import annotations

import uuid
from typing import TYPE_CHECKING

from sqlalchemy.orm import Session

from salesos.auth.principal import Principal
from salesos.campaigns.models import Prospect
from salesos.campaigns.repository import ProspectRepository
from salesos.campaigns.schemas import CampaignCreateIn
from salesos.campaigns.service import campaigns
from salesos.orgs.models import Role

if TYPE_CHECKING:
    from tests.support.world import World


def _campaign(session: Session, world: World) -> uuid.UUID:
    principal = Principal(
        org_id=world.alice.org_id, role=Role.OWNER, kind="token", user_id=world.alice.user_id
    )
    data = CampaignCreateIn(
        name="Acme Alpha dentists", business_type="dentists", location="Austin, TX", start=False
    )
    return campaigns.create_campaign(session, principal, data).id


def campaign_id(session: Session, world: World) -> uuid.UUID:
    """Id of a draft org-A campaign."""
    return _campaign(session, world)


def prospect_id(session: Session, world: World) -> uuid.UUID:
    """Id of a prospect of an org-A campaign."""
    prospect = Prospect(
        campaign_id=_campaign(session, world), name="Acme Alpha Dental", domain="acme-alpha.example"
    )
    return ProspectRepository(session).add(prospect).id
