"""Queries of the board and the lead workspace: column pages, column totals, one card, company contacts."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import Row, Select, func, select

from salesos.auth.models import User
from salesos.db.base import uuid_text
from salesos.db.pagination import Page, decode_cursor, encode_cursor
from salesos.leads.models import Company, Contact, Lead
from salesos.leads.repository import ContactRepository, LeadRepository
from salesos.leads.schemas import LeadFilters

CARD_COLUMNS = (
    uuid_text(Lead.id),
    Lead.stage_id,
    Company.name.label("company_name"),
    Contact.full_name.label("contact_name"),
    Lead.value,
    Lead.currency,
    Lead.tier,
    Lead.next_follow_up_at,
    Lead.owner_id,
    User.name.label("owner_name"),
)


@dataclass(slots=True)
class Card:
    """One board card; the id is read as text: a card's HTML repeats it eight times, 150 cards a board."""

    id: str
    stage_id: uuid.UUID
    company_name: str
    contact_name: str | None
    value: Decimal | None
    currency: str
    tier: str | None
    next_follow_up_at: datetime | None
    owner_id: uuid.UUID | None
    owner_name: str | None


def _card(row: Row[Any]) -> Card:
    return Card(
        row.id,
        row.stage_id,
        row.company_name,
        row.contact_name,
        row.value,
        row.currency,
        row.tier,
        row.next_follow_up_at,
        row.owner_id,
        row.owner_name,
    )


class BoardRepository(LeadRepository):
    """Board reads: every statement is one query whatever the page size (no per-card lookups)."""

    def _cards(self, filters: LeadFilters) -> Select[Any]:
        stmt = (
            self.scoped(*CARD_COLUMNS)
            .join(Company, Company.id == Lead.company_id)
            .outerjoin(Contact, Contact.id == Lead.primary_contact_id)
            .outerjoin(User, User.id == Lead.owner_id)
        )
        for condition in self._conditions(filters):
            stmt = stmt.where(condition)
        return stmt

    def column_page(
        self, stage_id: uuid.UUID, filters: LeadFilters, *, limit: int, cursor: str | None
    ) -> Page[Card]:
        """One page of a column's cards, newest first, keyset on (org_id, stage_id, id)."""
        stmt = self._cards(filters).where(Lead.stage_id == stage_id)
        if cursor:
            stmt = stmt.where(Lead.id < decode_cursor(cursor))
        found = self.rows(stmt.order_by(Lead.id.desc()).limit(limit + 1))
        items = found[:limit]
        more = len(found) > limit and bool(items)
        return Page(
            items=[_card(row) for row in items], next_cursor=encode_cursor(items[-1].id) if more else None
        )

    def card(self, lead_id: uuid.UUID, filters: LeadFilters) -> Card | None:
        """One lead's card, or None when it is missing or outside *filters*."""
        found = self.rows(self._cards(filters).where(Lead.id == lead_id))
        return _card(found[0]) if found else None

    def column_totals(self, filters: LeadFilters) -> list[Row[Any]]:
        """(stage_id, currency, count, value sum) for every column, in one grouped query.

        It reads every lead of the org, so it joins nothing (the free-text filter reads the search terms):
        unfiltered, it is an index-only scan of (org_id, stage_id, currency, value).
        """
        stmt = self.scoped(Lead.stage_id, Lead.currency, func.count().label("leads")).add_columns(
            func.coalesce(func.sum(Lead.value), 0).label("total")
        )
        for condition in self._conditions(filters):
            stmt = stmt.where(condition)
        return self.rows(stmt.group_by(Lead.stage_id, Lead.currency))


class CompanyContactRepository(ContactRepository):
    def for_company(self, company_id: uuid.UUID, limit: int = 50) -> list[Contact]:
        """People at one company, primary contact first."""
        stmt = self.scoped().where(Contact.company_id == company_id)
        stmt = stmt.order_by(Contact.is_primary.desc(), Contact.full_name).limit(limit)
        return list(self.session.scalars(stmt))


def user_names(repository: LeadRepository, user_ids: set[uuid.UUID]) -> dict[uuid.UUID, str]:
    """Display names of users (timeline actors, note authors) in one query."""
    if not user_ids:
        return {}
    rows = repository.session.execute(select(User.id, User.name).where(User.id.in_(user_ids))).all()
    return {row.id: row.name for row in rows}
