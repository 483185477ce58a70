"""The import's bulk insert writes every column type exactly as the ORM would, on both databases.

On PostgreSQL each column goes as one binary array parameter (``unnest``); text that a text-format array
would have to quote or escape, JSON, numerics, floats, booleans, NULLs and aware timestamps must all come
back unchanged.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from decimal import Decimal

from sqlalchemy import select

from salesos.db.base import uuid7
from salesos.db.session import unit_of_work
from salesos.imports.repository import LeadBulkRepository
from salesos.leads.models import Company, Lead
from salesos.leads.service.pipelines import ensure_default_pipeline, first_open_stage
from tests.conftest import both_databases

AWKWARD = ('Quote " and \\ back, comma {brace} NULL', "ÄÖü 東京 😀", "", "  spaced  ", "NULL")


@both_databases
def test_every_column_type_round_trips(world):
    org = world.alice.org_id
    created = datetime(2026, 3, 29, 1, 30, 15, 123456, tzinfo=timezone(timedelta(hours=2)))
    companies = [
        {"id": uuid7(), "name": name, "website": None, "city": name or None, "lat": 52.520008 + n,
         "lon": -0.1 * n, "tags": ["vip", name, {"nested": [1, None]}] if n else [], "created_at": created,
         "updated_at": created}
        for n, name in enumerate(AWKWARD)
    ]  # fmt: skip
    with unit_of_work(org_id=org) as session:
        stage = first_open_stage(ensure_default_pipeline(session))
        bulk = LeadBulkRepository(session)
        bulk.insert(Company, companies)
        leads = [
            {"id": uuid7(), "company_id": c["id"], "pipeline_id": stage.pipeline_id, "stage_id": stage.id,
             "value": Decimal("1234.50") if n % 2 else None, "currency": "EUR", "tier": None,
             "custom_fields": {"k": c["name"], "n": n}, "tags": [c["name"]], "created_at": created,
             "updated_at": created}
            for n, c in enumerate(companies)
        ]  # fmt: skip
        bulk.insert(Lead, leads)

    with unit_of_work(write=False, org_id=org) as session:
        stored = {c.id: c for c in session.scalars(select(Company).where(Company.org_id == org))}
        for want in companies:
            got = stored[want["id"]]
            assert (got.name, got.city, got.website, got.tags) == (
                want["name"], want["city"], None, want["tags"]
            )  # fmt: skip
            assert (got.lat, got.lon) == (want["lat"], want["lon"])
            assert got.created_at == created and got.created_at.astimezone(UTC).hour == 23
        by_id = {lead.id: lead for lead in session.scalars(select(Lead).where(Lead.org_id == org))}
        for want in leads:
            lead = by_id[want["id"]]
            assert (lead.value, lead.custom_fields, lead.tags) == (
                want["value"], want["custom_fields"], want["tags"]
            )  # fmt: skip
            assert lead.org_id == org and lead.stage_id == stage.id
