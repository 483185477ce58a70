"""Board and lead-workspace assembly for the HTML views: columns with totals, cards, a readable timeline."""

from __future__ import annotations

import uuid
from collections.abc import Container, Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from decimal import Decimal
from functools import lru_cache
from typing import Any, Literal
from urllib.parse import quote_plus, urlencode

from markupsafe import Markup, escape
from sqlalchemy.orm import Session

from salesos.db.base import utcnow
from salesos.leads import timeline
from salesos.leads.board_repository import BoardRepository, Card, CompanyContactRepository, user_names
from salesos.leads.models import Company, Lead, Pipeline, PipelineStage, StageKind
from salesos.leads.repository import HistoryRepository, PipelineRepository, TaskRepository
from salesos.leads.schemas import UNOWNED, LeadFilters
from salesos.leads.service.pipelines import ensure_default_pipeline
from salesos.leads.zones import zone_of

COLUMN_PAGE = 25
MAX_COLUMN_PAGE = 100


@dataclass
class ColumnHead:
    """A column's count and total value per currency."""

    stage: PipelineStage
    count: int = 0
    totals: dict[str, Decimal] = field(default_factory=dict)

    @property
    def total(self) -> str:
        """The value total as shown in the column header."""
        if not self.totals:
            return "—"
        # One amount per currency, the largest first: "657,000 USD · 1,200.50 EUR". Amounts in different
        # currencies are not added up (no rates here), and one euro lead must not hide the dollars.
        amounts = sorted(
            ((amount, currency) for currency, amount in self.totals.items() if amount), reverse=True
        )
        if not amounts:
            return money(Decimal(0), next(iter(self.totals))) if len(self.totals) == 1 else "0"
        return " · ".join(money(amount, currency) for amount, currency in amounts)


@dataclass
class Column:
    head: ColumnHead
    cards: list[Card]
    next_cursor: str | None


def money(amount: Decimal | None, currency: str) -> str:
    """An amount with thousands separators and its currency code."""
    if amount is None:
        return ""
    return f"{Decimal(amount):,.0f} {currency}" if amount == int(amount) else f"{amount:,.2f} {currency}"


# id(stage list) -> (that list, its options HTML for each selected stage). A board renders the
# same request-local list on each of its cards; holding the list keeps its id from being reused.
_options_by_list: dict[int, tuple[list[PipelineStage], dict[uuid.UUID | None, Markup]]] = {}


def _options(stage_list: list[PipelineStage]) -> dict[uuid.UUID | None, Markup]:
    parts = [
        (
            stage.id,
            f'<option value="{stage.id}" data-kind="{escape(stage.kind)}"',
            f">{escape(stage.name)}</option>",
        )
        for stage in stage_list
    ]
    return {
        chosen: Markup(
            "".join(f"{head}{' selected' if sid == chosen else ''}{tail}" for sid, head, tail in parts)
        )
        for chosen in [None, *(sid for sid, _, _ in parts)]
    }


def stage_options(stage_list: list[PipelineStage], selected: uuid.UUID) -> Markup:
    """The options of a card's Move select, *selected* marked.

    Built in Python once per stage list: as a template loop, six options on each of a board's 150
    cards cost as much as the rest of the board's rendering (docs/benchmarks.md, P2).
    """
    cached = _options_by_list.get(id(stage_list))
    if cached is None or cached[0] is not stage_list:
        if len(_options_by_list) > 64:
            _options_by_list.clear()
        cached = _options_by_list[id(stage_list)] = (stage_list, _options(stage_list))
    variants = cached[1]
    return variants.get(selected, variants[None])


@lru_cache(maxsize=1024)
def initials(name: str | None) -> str:
    """Up to two initials of a person's name (cached: a board shows the same few owners 150 times)."""
    return "".join(part[0] for part in (name or "").split()[:2]).upper()


def board_filters(owner: str, tag: str, q: str) -> LeadFilters:
    """The board's filter bar as lead filters; an unreadable owner id filters nothing."""
    owner_id: uuid.UUID | Literal["none"] | None
    try:
        owner_id = UNOWNED if owner == UNOWNED else uuid.UUID(owner) if owner else None
    except ValueError:
        owner_id = None
    return LeadFilters(owner_id=owner_id, tag=tag.strip()[:50] or None, q=q.strip()[:200] or None)


def filter_query(filters: LeadFilters) -> str:
    """The filters as a query string, carried by "Load more" and realtime refreshes."""
    params = {"owner": filters.owner_id or "", "tag": filters.tag or "", "q": filters.q or ""}
    return urlencode({k: str(v) for k, v in params.items() if v})


def stages(session: Session, pipeline_id: uuid.UUID | None = None) -> list[PipelineStage]:
    """A pipeline's stages in board order: *pipeline_id*'s, else (or when unknown) the default one's."""
    return list(pipeline_for(session, pipeline_id).stages)


def pipeline_for(session: Session, pipeline_id: uuid.UUID | None) -> Pipeline:
    """The pipeline a board shows: the one asked for when it exists in this org, else the default."""
    if pipeline_id is not None:
        found = PipelineRepository(session).get(pipeline_id)
        if found is not None:
            return found
    return ensure_default_pipeline(session)


def heads(session: Session, filters: LeadFilters, stage_list: list[PipelineStage]) -> list[ColumnHead]:
    """Every column's count and totals from one grouped query."""
    by_stage = {stage.id: ColumnHead(stage) for stage in stage_list}
    for row in BoardRepository(session).column_totals(filters):
        head = by_stage.get(row.stage_id)
        if head is None:
            continue  # a lead on another pipeline's stage is not on this board
        head.count += row.leads
        if row.total:
            head.totals[row.currency] = head.totals.get(row.currency, Decimal(0)) + Decimal(row.total)
    return list(by_stage.values())


def columns(
    session: Session, filters: LeadFilters, limit: int = COLUMN_PAGE, pipeline: Pipeline | None = None
) -> list[Column]:
    """The board of one pipeline (default: the default one): a column per stage with its first cards."""
    repository = BoardRepository(session)
    result = []
    stage_list = list(pipeline.stages) if pipeline is not None else stages(session)
    for head in heads(session, filters, stage_list):
        page = repository.column_page(head.stage.id, filters, limit=limit, cursor=None)
        result.append(Column(head, page.items, page.next_cursor))
    return result


def local_time(value: datetime | None, tz: str = "UTC") -> str:
    """A stored UTC time in the org's timezone, e.g. "3 Mar 2025, 14:05"."""
    if value is None:
        return ""
    local = value.astimezone(zone_of(tz))
    return f"{local.day} {local:%b %Y, %H:%M}"


def is_due(value: datetime | None) -> bool:
    """A follow-up (or any planned time) that has come: now or earlier."""
    return value is not None and value <= utcnow()


def open_stage_ids(stages: Iterable[PipelineStage]) -> set[uuid.UUID]:
    """The ids of the stages still being worked (neither won nor lost)."""
    return {s.id for s in stages if s.kind == StageKind.OPEN.value}


def follow_up_due(item: Any, open_stage_ids: Container[Any]) -> bool:
    """A lead's follow-up that has come, while the lead is still worked (in an open stage).

    A won or lost lead's old date is no longer a to-do: the dashboard and the "due" filters leave it
    out, so its card and row are not marked due either.
    """
    return is_due(item.next_follow_up_at) and item.stage_id in open_stage_ids


def local_day(value: datetime | None, tz: str = "UTC") -> str:
    """A stored UTC time as its day in *tz*, e.g. "7 Dec" (with the year when it isn't this year's).

    For board cards: the time of day made "Follow up 7 Dec 2026, 07:27" wrap in a laptop-width column.
    """
    if value is None:
        return ""
    zone = zone_of(tz)
    local = value.astimezone(zone)
    same_year = local.year == datetime.now(zone).year
    return f"{local.day} {local:%b}" if same_year else f"{local.day} {local:%b %Y}"


def local_input(value: datetime, tz: str) -> str:
    """A stored UTC time as a datetime-local input's value in *tz* (to the minute, as the input shows)."""
    return value.astimezone(zone_of(tz)).strftime("%Y-%m-%dT%H:%M")


def parse_local(value: str, tz: str) -> datetime | None:
    """A datetime-local input (org time) as aware UTC; ValueError when unreadable."""
    if not value.strip():
        return None
    naive = datetime.fromisoformat(value.strip())
    return naive.replace(tzinfo=zone_of(tz)).astimezone(UTC)


def map_links(company: Company) -> dict[str, str] | None:
    """OpenStreetMap and Google Maps links for the company's position (else its address), labelled with
    the address a person reads (else the position)."""
    parts = [company.address, company.city, company.region, company.postal_code, company.country]
    address = ", ".join(p for p in parts if p)
    position = f"{company.lat},{company.lon}" if company.lat is not None and company.lon is not None else ""
    where = position or address
    if not where:
        return None
    return {
        "label": address or position,
        "osm": f"https://www.openstreetmap.org/search?query={quote_plus(where)}",
        "google": f"https://www.google.com/maps/search/?api=1&query={quote_plus(where)}",
    }


def _reached_position(
    session: Session, lead: Lead, stage: PipelineStage | None, stage_list: list[PipelineStage]
) -> int:
    """How far along the open stages the lead got: the stage path marks those up to it as passed.

    An open lead has passed the stages before its own, a won one all of them; a lost one those up to the
    stage it was lost from, not the ones it never reached (-1: none, e.g. imported as lost).
    """
    if stage is None:
        return -1
    if stage.kind == StageKind.OPEN.value:
        return stage.position - 1
    if stage.kind == StageKind.WON.value:
        return max((s.position for s in stage_list), default=-1)
    came_from = HistoryRepository(session).came_from(lead.id, stage.id)
    left = next((s for s in stage_list if s.id == came_from), None)
    return left.position if left is not None and left.kind == StageKind.OPEN.value else -1


def workspace(session: Session, lead: Lead) -> dict[str, Any]:
    """Everything the lead page shows besides the lead itself (a fixed number of queries)."""
    stage_list = stages(session, lead.pipeline_id)
    stage_names = {str(s.id): s.name for s in stage_list}
    history = timeline.timeline_page(session, lead, stage_names)
    notes = timeline.notes_page(session, lead)
    tasks = TaskRepository(session).page(lead.id, limit=50, cursor=None).items
    owner = user_names(BoardRepository(session), {lead.owner_id}) if lead.owner_id else {}
    open_tasks = sorted((t for t in tasks if t.done_at is None), key=lambda t: (t.due_at is None, t.due_at))
    stage = next((s for s in stage_list if s.id == lead.stage_id), None)
    return {
        "stages": stage_list,
        "stage": stage,
        "reached_position": _reached_position(session, lead, stage, stage_list),
        "owner_name": owner.get(lead.owner_id) if lead.owner_id else None,
        "timeline": history.entries,
        "timeline_cursor": history.next_cursor,
        "notes": notes.notes,
        "notes_cursor": notes.next_cursor,
        "open_tasks": open_tasks,
        "done_tasks": [t for t in tasks if t.done_at is not None],
        "contacts": CompanyContactRepository(session).for_company(lead.company_id),
        "map": map_links(lead.company),
    }
