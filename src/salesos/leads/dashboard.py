"""The dashboard's day: what is due for the signed-in person, the org's figures, and its default pipeline
at a glance."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy.orm import Session

from salesos.leads.board import ColumnHead, heads, money, pipeline_for
from salesos.leads.dashboard_repository import DashboardRepository
from salesos.leads.models import StageKind
from salesos.leads.repository import PipelineRepository
from salesos.leads.schemas import ADDED_DAYS, LeadFilters
from salesos.leads.zones import day_bounds, zone_of

DUE_SHOWN = 8  # rows of each list; the count says how many more there are
RECENT_DAYS = ADDED_DAYS["7d"]  # the card links to the list's "Added: last 7 days", the same count


@dataclass
class Today:
    """Everything the dashboard shows, in the reader's timezone."""

    zone: str
    now: datetime  # what "overdue" is measured against
    pipeline_id: uuid.UUID  # the pipeline of the stage card: the default one
    pipeline_name: str
    stages: list[ColumnHead]
    # The headline figures count every pipeline, as the list does; only the stage card is one pipeline's.
    has_leads: bool
    open_count: int
    open_value: str
    won_count: int
    won_value: str
    added_recently: int
    tasks: list[Any]
    tasks_overdue: int
    tasks_today: int
    follow_ups: list[Any]
    follow_ups_due: int

    @property
    def stages_title(self) -> str:
        """The stage card's title, naming its pipeline: "Sales pipeline at a glance"."""
        named = self.pipeline_name
        if not named.lower().endswith("pipeline"):
            named += " pipeline"
        return f"{named} at a glance"

    @property
    def widest_stage(self) -> int:
        """The largest stage's lead count, the 100 % of the stage bars."""
        return max((head.count for head in self.stages), default=0)


def amounts(totals: dict[str, Decimal]) -> str:
    """Totals per currency, largest first, e.g. "12,500 USD · 3,000 EUR" ("—" when there are none)."""
    ranked = sorted(totals.items(), key=lambda item: (-item[1], item[0]))
    return " · ".join(money(amount, currency) for currency, amount in ranked if amount) or "—"


def today(session: Session, user_id: uuid.UUID, zone_name: str | None, now: datetime | None = None) -> Today:
    """The day of *user_id* in *zone_name* (their timezone, else the org's): due work, the org's figures
    over every pipeline, and the default pipeline's stages."""
    zone = zone_of(zone_name)
    now = now or datetime.now(UTC)
    day_start, day_end = day_bounds(zone.key, now)
    month_start = day_start.astimezone(zone).replace(day=1).astimezone(UTC)
    recent = now - timedelta(days=RECENT_DAYS)
    repository = DashboardRepository(session)

    pipeline = pipeline_for(session, None)
    # One grouped count for every stage of every pipeline: the card's stages are the default pipeline's.
    every_stage = [stage for each in PipelineRepository(session).listing() for stage in each.stages]
    all_heads = heads(session, LeadFilters(), every_stage)
    stage_heads = [head for head in all_heads if head.stage.pipeline_id == pipeline.id]
    open_heads = [head for head in all_heads if head.stage.kind == StageKind.OPEN.value]
    open_totals: dict[str, Decimal] = {}
    for head in open_heads:
        for currency, amount in head.totals.items():
            open_totals[currency] = open_totals.get(currency, Decimal(0)) + amount
    won = repository.won_since(month_start)
    overdue, due_today = repository.count_tasks_due(user_id, day_start, day_end)
    return Today(
        zone=zone.key,
        now=now,
        pipeline_id=pipeline.id,
        pipeline_name=pipeline.name,
        stages=stage_heads,
        has_leads=any(head.count for head in all_heads),
        open_count=sum(head.count for head in open_heads),
        open_value=amounts(open_totals),
        won_count=sum(int(row.leads) for row in won),
        won_value=amounts({row.currency: Decimal(row.total) for row in won}),
        added_recently=repository.count_created_since(recent),
        tasks=repository.tasks_due(user_id, day_end, DUE_SHOWN),
        tasks_overdue=overdue,
        tasks_today=due_today,
        follow_ups=repository.follow_ups_due(user_id, day_end, DUE_SHOWN),
        follow_ups_due=repository.count_follow_ups_due(user_id, day_end),
    )
