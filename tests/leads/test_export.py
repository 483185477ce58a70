"""CSV export: the list's filters, every page, spreadsheet formulas neutralised, one org only."""

from __future__ import annotations

import csv
import io

from salesos.db.session import unit_of_work
from salesos.leads.export import DETAIL_COLUMNS, neutralise
from salesos.leads.schemas import CompanyIn, ContactIn, LeadCreateIn
from salesos.leads.service import leads
from tests.conftest import both_databases
from tests.leads.factories import _alice


def _create(world, count: int, **company) -> None:  # type: ignore[no-untyped-def]
    with unit_of_work(org_id=world.alice.org_id, user_id=world.alice.user_id) as session:
        for i in range(count):
            fields = {"name": f"Export Co {i}", **company}
            data = LeadCreateIn(
                company=CompanyIn(**fields), contact=ContactIn(first_name="Ann", last_name=f"L{i}")
            )
            leads.create_lead(session, _alice(world), data)


def _rows(response) -> list[dict[str, str]]:  # type: ignore[no-untyped-def]
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("text/csv")
    text = response.content.decode("utf-8-sig")
    return list(csv.DictReader(io.StringIO(text)))


def test_neutralise_formula_cells():
    for dangerous in ("=1+1", "+cmd", "-2+3", "@SUM(A1)", "\tx", "\rx"):
        assert neutralise(dangerous) == "'" + dangerous
    assert neutralise("Acme") == "Acme"
    assert neutralise(-5) == -5, "numbers stay numbers"
    assert neutralise(None) == ""


@both_databases
def test_export_streams_every_page_and_neutralises(client, world):
    _create(world, 205)  # more than one 200-row page
    with unit_of_work(org_id=world.alice.org_id, user_id=world.alice.user_id) as session:
        data = LeadCreateIn(company=CompanyIn(name='=HYPERLINK("http://evil.example","click")'))
        leads.create_lead(session, _alice(world), data)
    rows = _rows(client.get("/api/v1/leads/export.csv", headers=world.alice.headers))
    names = [r["company"] for r in rows]
    # + the world fixture's three org-A leads
    assert len(rows) == 205 + 1 + 3
    assert len(set(r["lead_id"] for r in rows)) == len(rows)
    assert '\'=HYPERLINK("http://evil.example","click")' in names
    assert all(r["stage"] == "New" for r in rows)


def test_export_applies_the_list_filters(client, world):
    _create(world, 3)
    rows = _rows(client.get("/api/v1/leads/export.csv?q=export co 1", headers=world.alice.headers))
    assert [r["company"] for r in rows] == ["Export Co 1"]
    bad = client.get("/api/v1/leads/export.csv?tier=Z", headers=world.alice.headers)
    assert bad.status_code == 422


def test_export_is_tenant_scoped(client, world):
    _create(world, 2)
    rows = _rows(client.get("/api/v1/leads/export.csv", headers=world.carol.headers))
    assert rows == []


@both_databases
def test_an_export_goes_back_in_without_mapping_by_hand(client, world):
    from tests.imports.helpers import run

    with unit_of_work(org_id=world.alice.org_id, user_id=world.alice.user_id) as session:
        for i, country in enumerate(("Germany", "United States")):
            company = CompanyIn(
                name=f"Round Trip {i}", website=f"https://trip{i}.example", city="Berlin", country=country,
                phone="+49 30 1234567", address="Main St 1", postal_code="10115", industry="Retail",
            )  # fmt: skip
            contact = ContactIn(
                first_name="Ria", last_name=f"Trip{i}", title="CEO", phone="+1 303 555 017" + str(i),
                email=f"ria{i}@trip{i}.example", linkedin_url=f"https://linkedin.com/in/ria{i}",
            )  # fmt: skip
            leads.create_lead(
                session, _alice(world), LeadCreateIn(company=company, contact=contact, value=1500)
            )
    lost = client.get("/api/v1/leads?q=round trip 1", headers=world.alice.headers).json()["items"][0]
    from tests.web.test_board import stages_of

    stages = {name: str(stage_id) for name, stage_id in stages_of(world.alice).items()}
    moved = client.patch(
        f"/api/v1/leads/{lost['id']}",
        json={"stage_id": stages["Lost"], "lost_reason": "Went with a rival"},
        headers=world.alice.headers,
    )
    assert moved.status_code == 200, moved.text
    exported = client.get("/api/v1/leads/export.csv?q=round trip", headers=world.alice.headers)
    rows = _rows(exported)
    assert {r["lost_reason"] for r in rows} == {"", "Went with a rival"}
    assert {r["city"] for r in rows} == {"Berlin"} and {r["title"] for r in rows} == {"CEO"}
    # Into the same organisation: every lead is found again, nothing rejected.
    same = run(client, world.alice, exported.content)
    assert (same["created"], same["merged"], same["rejected"]) == (0, 2, 0), same
    # Into another: the same leads, their details, stages and lost reason.
    other = run(client, world.carol, exported.content)
    assert (other["created"], other["rejected"]) == (2, 0), other
    again = _rows(client.get("/api/v1/leads/export.csv?q=round trip", headers=world.carol.headers))
    keep = [c for c in DETAIL_COLUMNS] + ["company", "email", "stage", "value", "currency"]
    assert sorted(tuple(r[c] for c in keep) for r in again) == sorted(tuple(r[c] for c in keep) for r in rows)
