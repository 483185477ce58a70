"""The search terms' queries (see ``leads.search``). They run on the session's connection, not through
the ORM, because the session hook calls them in the middle of a flush."""

from __future__ import annotations

import uuid
from collections.abc import Collection
from typing import Any

from sqlalchemy import ColumnElement, bindparam, delete, false, insert, intersect, select

from salesos.db.repository import Repository
from salesos.leads.models import Company, Contact, Lead, LeadSearchTerm

CHUNK = 500  # ids per IN list


class SearchTermRepository(Repository[LeadSearchTerm]):
    model = LeadSearchTerm

    def leads_with_contacts(self, contact_ids: Collection[uuid.UUID]) -> list[uuid.UUID]:
        """Leads whose primary contact is one of *contact_ids*."""
        stmt = select(Lead.id).where(Lead.org_id == self.org_id, Lead.primary_contact_id.in_(contact_ids))
        return list(self.session.connection().scalars(stmt))

    def lock_leads(
        self, lead_ids: set[uuid.UUID], company_ids: set[uuid.UUID], contact_ids: set[uuid.UUID]
    ) -> list[uuid.UUID]:
        """The leads given or reached through their company or primary contact, row-locked in id order.

        Two transactions changing the words of one lead by different rows (a company renamed while its
        contact is edited) would otherwise each read the other's old words, and the second insert of a
        shared term would fail on the primary key. Locked, the second waits, then reads what the first
        committed (PostgreSQL; SQLite runs one writer at a time anyway).
        """
        found: set[uuid.UUID] = set()
        connection = self.session.connection()
        for column, ids in ((Lead.id, lead_ids), (Lead.company_id, company_ids),
                            (Lead.primary_contact_id, contact_ids)):  # fmt: skip
            listed = list(ids)
            for start in range(0, len(listed), CHUNK):
                stmt = select(Lead.id).where(
                    Lead.org_id == self.org_id, column.in_(listed[start : start + CHUNK])
                )
                found.update(connection.scalars(stmt.order_by(Lead.id).with_for_update()))
        return sorted(found)

    def sources(self, lead_ids: list[uuid.UUID]) -> list[Any]:
        """(id, name, full_name, email, tags): each lead's company name, primary contact and tags."""
        stmt = (
            select(Lead.id, Company.name, Contact.full_name, Contact.email, Lead.tags)
            .join(Company, Company.id == Lead.company_id)
            .outerjoin(Contact, Contact.id == Lead.primary_contact_id)
            .where(Lead.org_id == self.org_id)
        )
        connection = self.session.connection()
        rows: list[Any] = []
        for start in range(0, len(lead_ids), CHUNK):
            rows += connection.execute(stmt.where(Lead.id.in_(lead_ids[start : start + CHUNK]))).all()
        return rows

    def replace(self, terms: dict[uuid.UUID, set[str]]) -> None:
        """Make *terms* the whole set of search terms of each lead it names."""
        connection = self.session.connection()
        lead_ids = list(terms)
        for start in range(0, len(lead_ids), CHUNK):
            chunk = lead_ids[start : start + CHUNK]
            connection.execute(
                delete(LeadSearchTerm).where(
                    LeadSearchTerm.org_id == self.org_id, LeadSearchTerm.lead_id.in_(chunk)
                )
            )
        rows = [
            {"org_id": self.org_id, "term": term, "lead_id": lead_id}
            for lead_id, words in terms.items()
            for term in words
        ]
        if rows:
            connection.execute(insert(LeadSearchTerm), rows)


def matching(words: int) -> ColumnElement[bool]:
    """A condition on ``Lead.id``: leads with a term in every range (one range per query word).

    Bound by name: ``org_id``, and ``low_<i>``/``high_<i>`` for each of the *words* ranges (see
    ``range_params``). One IN over the INTERSECT of the words' index ranges, rather than one IN per
    word: PostgreSQL estimates each IN on its own as if the words were unrelated, and for "globex pat"
    at 100,000 leads it then hashed every lead of the org (209 ms); intersected first, it walks the
    newest leads and stops at the page's end (16 ms).
    """
    if not words:
        return false()  # a query with no letters or digits in it matches nothing
    selects = [
        select(LeadSearchTerm.lead_id).where(
            LeadSearchTerm.org_id == bindparam("org_id"),
            LeadSearchTerm.term >= bindparam(f"low_{i}"),
            LeadSearchTerm.term < bindparam(f"high_{i}"),
        )
        for i in range(words)
    ]
    return Lead.id.in_(selects[0] if len(selects) == 1 else intersect(*selects))


def range_params(ranges: list[tuple[str, str]]) -> dict[str, str]:
    """The values of ``matching(len(ranges))``'s range parameters."""
    params: dict[str, str] = {}
    for i, (low, high) in enumerate(ranges):
        params[f"low_{i}"], params[f"high_{i}"] = low, high
    return params


def tagged() -> ColumnElement[bool]:
    """A condition on ``Lead.id``: leads with the tag term bound as ``tag_term`` (and ``org_id``): one
    index lookup, any tag's rarity."""
    return Lead.id.in_(
        select(LeadSearchTerm.lead_id).where(
            LeadSearchTerm.org_id == bindparam("org_id"), LeadSearchTerm.term == bindparam("tag_term")
        )
    )
