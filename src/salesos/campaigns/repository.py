"""Every query of the campaigns domain."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Select, case, func

from salesos.campaigns.models import Campaign, CampaignStatus, EnrichmentStatus, Prospect, ProspectSource
from salesos.db.repository import Repository


@dataclass(frozen=True)
class Counts:
    """A campaign's counters, read from its prospects."""

    found: int
    enriched: int
    failed: int
    qualified: int
    on_board: int
    pending: int

    @classmethod
    def none(cls) -> Counts:
        """The counts of a campaign that has found nothing yet."""
        return cls(0, 0, 0, 0, 0, 0)


class CampaignRepository(Repository[Campaign]):
    model = Campaign

    def locked(self, campaign_id: uuid.UUID) -> Campaign | None:
        """The campaign, row-locked on PostgreSQL so concurrent jobs take turns (SQLite: the write lock)."""
        stmt = self.scoped().where(Campaign.id == campaign_id).with_for_update()
        return self.session.scalars(stmt.execution_options(populate_existing=True)).first()

    def listing(self) -> Select[Any]:
        """The org's campaigns, for the cursor-paged list (newest first)."""
        return self.scoped()

    def recent(self, limit: int = 100) -> Sequence[Campaign]:
        """The newest campaigns first, for the campaigns page."""
        return self.session.scalars(self.scoped().order_by(Campaign.id.desc()).limit(limit)).all()

    def due_for_refresh(self, now: datetime) -> Sequence[uuid.UUID]:
        """Completed campaigns whose next refresh time has come."""
        stmt = self.scoped(Campaign.id).where(
            Campaign.status == CampaignStatus.COMPLETED.value,
            Campaign.next_refresh_at.is_not(None),
            Campaign.next_refresh_at <= now,
        )
        return self.session.scalars(stmt).all()


class ProspectRepository(Repository[Prospect]):
    model = Prospect

    def in_campaign(self, campaign_id: uuid.UUID) -> Select[Any]:
        """The campaign's prospects (callers add filters and order)."""
        return self.scoped().where(Prospect.campaign_id == campaign_id)

    def ranked(
        self, campaign_id: uuid.UUID, *, tier: str | None = None, limit: int = 500
    ) -> Sequence[Prospect]:
        """Best score first (unscored last), then the order they were found."""
        stmt = self.in_campaign(campaign_id)
        if tier:
            stmt = stmt.where(Prospect.tier == tier)
        stmt = stmt.order_by(Prospect.score.is_(None), Prospect.score.desc(), Prospect.id).limit(limit)
        return self.session.scalars(stmt).all()

    def pending_ids(self, campaign_id: uuid.UUID) -> Sequence[uuid.UUID]:
        """Prospects still waiting for enrichment, oldest first."""
        stmt = (
            self.scoped(Prospect.id)
            .where(Prospect.campaign_id == campaign_id)
            .where(Prospect.enrichment_status == EnrichmentStatus.PENDING.value)
            .order_by(Prospect.id)
        )
        return self.session.scalars(stmt).all()

    def for_scoring(self, campaign_id: uuid.UUID) -> Sequence[Prospect]:
        """Every prospect whose enrichment finished (done or failed): the ones a score can be given."""
        stmt = self.in_campaign(campaign_id).where(
            Prospect.enrichment_status != EnrichmentStatus.PENDING.value
        )
        return self.session.scalars(stmt.order_by(Prospect.id)).all()

    def by_ids(self, campaign_id: uuid.UUID, ids: Sequence[uuid.UUID]) -> Sequence[Prospect]:
        """The given prospects of the campaign (unknown or foreign ids are left out)."""
        return self.session.scalars(self.in_campaign(campaign_id).where(Prospect.id.in_(ids))).all()

    def sendable(self, campaign_id: uuid.UUID, tiers: Sequence[str]) -> Sequence[Prospect]:
        """Qualified prospects of *tiers* that are not on the board yet."""
        stmt = self.in_campaign(campaign_id).where(
            Prospect.qualified.is_(True), Prospect.tier.in_(tiers), Prospect.lead_id.is_(None)
        )
        return self.session.scalars(stmt.order_by(Prospect.score.desc(), Prospect.id)).all()

    def all_in(self, campaign_id: uuid.UUID) -> Sequence[Prospect]:
        """Every prospect of the campaign (discovery indexes them by domain and phone)."""
        return self.session.scalars(self.in_campaign(campaign_id)).all()

    def counts(self, campaign_id: uuid.UUID) -> Counts:
        """Found, enriched, failed, qualified, on the board and still pending, in one scan."""
        return self.counts_by_campaign([campaign_id]).get(campaign_id, Counts.none())

    def counts_by_campaign(self, campaign_ids: Sequence[uuid.UUID]) -> dict[uuid.UUID, Counts]:
        """``counts`` of several campaigns in one grouped scan (the campaigns page)."""
        done, failed = EnrichmentStatus.DONE.value, EnrichmentStatus.FAILED.value
        pending = EnrichmentStatus.PENDING.value

        def tally(condition: Any) -> Any:
            return func.coalesce(func.sum(case((condition, 1), else_=0)), 0)

        stmt = (
            self.scoped(
                Prospect.campaign_id,
                func.count(),
                tally(Prospect.enrichment_status == done),
                tally(Prospect.enrichment_status == failed),
                tally(Prospect.qualified.is_(True)),
                tally(Prospect.lead_id.is_not(None)),
                tally(Prospect.enrichment_status == pending),
            )
            .where(Prospect.campaign_id.in_(campaign_ids))
            .group_by(Prospect.campaign_id)
        )
        return {row[0]: Counts(*(int(v) for v in row[1:])) for row in self.session.execute(stmt)}


class ProspectSourceRepository(Repository[ProspectSource]):
    model = ProspectSource

    def known(self, campaign_id: uuid.UUID) -> dict[tuple[str, str], uuid.UUID]:
        """(source, source id) → prospect id for everything the campaign has found before."""
        stmt = self.scoped(ProspectSource.source, ProspectSource.source_id, ProspectSource.prospect_id).where(
            ProspectSource.campaign_id == campaign_id
        )
        rows = self.session.execute(stmt).all()
        return {(str(source), str(sid)): uuid.UUID(str(pid)) for source, sid, pid in rows}

    def of_prospect(self, prospect_id: uuid.UUID) -> list[tuple[str, str]]:
        """The (source, source id) records one prospect was built from."""
        stmt = self.scoped(ProspectSource.source, ProspectSource.source_id).where(
            ProspectSource.prospect_id == prospect_id
        )
        return [
            (str(source), str(sid)) for source, sid in self.session.execute(stmt.order_by(ProspectSource.id))
        ]
