"""CSV export of a filtered lead list, streamed page by page, safe to open in a spreadsheet."""

from __future__ import annotations

import csv
import io
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import pydantic_core

from salesos.db.pagination import MAX_LIMIT
from salesos.db.session import unit_of_work
from salesos.leads.repository import LeadRepository
from salesos.leads.schemas import LeadFilters
from salesos.orgs.repository import MembershipRepository

# The list's columns first (as they have always been), then the details a re-import needs; every name is
# one the import's mapping screen recognises, so an export goes back in without mapping by hand.
LIST_COLUMNS = [
    "lead_id", "company", "contact", "email", "stage", "owner", "value", "currency",
    "source", "tags", "tier", "score", "next_follow_up_at", "created_at",
]  # fmt: skip
DETAIL_COLUMNS = [
    "first_name", "last_name", "title", "phone", "linkedin_url", "company_phone", "website", "address",
    "city", "region", "postal_code", "country", "industry", "lost_reason",
]  # fmt: skip
HEADER = LIST_COLUMNS + DETAIL_COLUMNS
# A spreadsheet runs a cell starting with one of these as a formula (CSV injection).
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")


def neutralise(value: Any) -> Any:
    """Text that a spreadsheet would evaluate gets a leading apostrophe; numbers pass unchanged."""
    if value is None:
        return ""
    if isinstance(value, int | float | Decimal):
        return value
    text = str(value)
    return "'" + text if text.startswith(FORMULA_TRIGGERS) else text


def instant(moment: datetime | None) -> str:
    """*moment* written as the JSON answers write it (``2026-12-05T17:50:51.171078Z``): one form for one
    instant, in a file or an answer; the import reads it back (ISO 8601 with its offset)."""
    if moment is None:
        return ""
    return pydantic_core.to_json(moment.astimezone(UTC)).decode()[1:-1]


def _names(org_id: uuid.UUID) -> tuple[dict[uuid.UUID, str], dict[uuid.UUID, str]]:
    from salesos.leads.repository import StageRepository

    with unit_of_work(write=False, org_id=org_id) as session:
        stages = {s.id: s.name for s in session.scalars(StageRepository(session).scoped())}
        owners = {m.user_id: m.user.name for m in MembershipRepository(session).listing()}
    return stages, owners


def lead_csv_chunks(org_id: uuid.UUID, filters: LeadFilters) -> Iterator[bytes]:
    """The CSV, one chunk per page of 200 leads; each page in its own short read transaction."""
    stages, owners = _names(org_id)
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    # A BOM makes Excel read the file as UTF-8 instead of the machine's legacy code page.
    buffer.write("\ufeff")
    writer.writerow(HEADER)
    cursor: str | None = None
    while True:
        with unit_of_work(write=False, org_id=org_id) as session:
            leads = LeadRepository(session)
            page = leads.page(filters, limit=MAX_LIMIT, cursor=cursor)
            details = leads.export_details([row.id for row in page.items])
        for row in page.items:
            detail = details.get(row.id)
            extra = (
                [getattr(detail, name) for name in DETAIL_COLUMNS] if detail else [None] * len(DETAIL_COLUMNS)
            )
            writer.writerow(
                neutralise(v)
                for v in (
                    row.id, row.company_name, row.contact_name, row.contact_email,
                    stages.get(row.stage_id, ""), owners.get(row.owner_id, "") if row.owner_id else "",
                    row.value, row.currency, row.source, ";".join(row.tags or []), row.tier, row.score,
                    instant(row.next_follow_up_at), instant(row.created_at), *extra,
                )
            )  # fmt: skip
        yield buffer.getvalue().encode("utf-8")
        buffer.seek(0)
        buffer.truncate()
        cursor = page.next_cursor
        if cursor is None:
            return
