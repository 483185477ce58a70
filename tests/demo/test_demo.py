"""The demo's backdated story keeps id order = creation order: the lead list's "Created" sort (by id) shows
the dates in order, and so do history, timelines, notes and tasks; loading it again changes nothing."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import select

from salesos.db.base import utcnow
from salesos.db.session import unit_of_work
from salesos.demo import load_demo
from salesos.demo.team import DEMO_SLUG
from salesos.leads.models import Activity, Company, Contact, Lead, LeadStatusHistory, Note, Task
from salesos.orgs.repository import OrganizationRepository
from tests.conftest import both_databases

STORY = (Company, Contact, Lead, LeadStatusHistory, Activity, Note, Task)


def _id_ms(value: uuid.UUID) -> int:
    return value.int >> 80


def _ms(moment: datetime) -> int:
    return int(moment.timestamp() * 1000)


def _demo_org() -> uuid.UUID:
    with unit_of_work(write=False) as session:
        org_id = OrganizationRepository(session).id_for_slug(DEMO_SLUG)
    assert org_id is not None
    return org_id


def _story_ids() -> dict[str, list[uuid.UUID]]:
    with unit_of_work(write=False, org_id=_demo_org()) as session:
        return {model.__name__: sorted(session.scalars(select(model.id))) for model in STORY}


def _leads_by_created(client, email: str, password: str) -> list[dict]:  # type: ignore[no-untyped-def]
    token = client.post("/api/v1/auth/token", json={"email": email, "password": password})
    headers = {"Authorization": f"Bearer {token.json()['access_token']}"}
    rows, cursor = [], None
    while True:
        params = {"limit": 50, "sort": "-created_at", **({"cursor": cursor} if cursor else {})}
        page = client.get("/api/v1/leads", params=params, headers=headers)
        assert page.status_code == 200, page.text
        rows += page.json()["items"]
        cursor = page.json()["next_cursor"]
        if not cursor:
            return rows


@both_databases
def test_demo_lead_list_sorted_by_created_is_in_date_order(settings, client):
    before = utcnow()
    demo = load_demo()
    assert demo.leads_created == 200
    rows = _leads_by_created(client, demo.email, demo.password)
    assert len(rows) == 200
    created = [datetime.fromisoformat(r["created_at"]) for r in rows]
    assert created == sorted(created, reverse=True)
    assert created[-1] < created[0] < before  # a story in the past, weeks long


@both_databases
def test_every_backdated_row_has_the_id_of_its_creation_time(settings):
    demo = load_demo()
    org_id = _demo_org()
    with unit_of_work(write=False, org_id=org_id) as session:
        for model in STORY:
            rows = session.execute(
                select(model.id, model.created_at).where(model.org_id == org_id).order_by(model.id)
            ).all()
            assert rows, model.__name__
            assert all(_id_ms(row.id) == _ms(row.created_at) for row in rows), model.__name__
            stamps = [row.created_at for row in rows]
            assert stamps == sorted(stamps), model.__name__
        # Each lead's own story runs forward: created, then moved on, noted, given a task.
        for lead in session.scalars(select(Lead).where(Lead.org_id == org_id)):
            history = session.scalars(
                select(LeadStatusHistory.created_at).where(LeadStatusHistory.lead_id == lead.id)
            ).all()
            assert min(history) == lead.created_at and lead.updated_at >= max(history)
    assert demo.leads_created == 200


def test_loading_the_demo_twice_changes_nothing(settings):
    assert load_demo().leads_created == 200
    before = _story_ids()
    assert len(before["Lead"]) == 200
    assert load_demo().leads_created == 0
    assert _story_ids() == before
