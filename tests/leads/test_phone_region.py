"""Phones written without a country code are read in the company's country, else the organisation's."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import select

from salesos.db.session import unit_of_work
from salesos.leads.models import Company, Contact
from salesos.leads.normalize import phone_region, region_of_country
from tests.imports.helpers import run

API = "/api/v1"


@pytest.mark.parametrize(
    ("country", "region"),
    [
        ("Germany", "DE"),
        (" germany ", "DE"),
        ("DE", "DE"),
        ("deu", "DE"),
        ("Deutschland", "DE"),
        ("United Kingdom", "GB"),
        ("UK", "GB"),
        ("United States", "US"),
        ("Korea, Republic of", "KR"),
        ("Narnia", None),
        ("", None),
        (None, None),
    ],
)
def test_region_of_country(country: str | None, region: str | None) -> None:
    assert region_of_country(country) == region
    assert phone_region(country, "US") == (region or "US")


def _phones(org_id: Any) -> dict[str, tuple[str | None, str | None]]:
    """Company name → (company phone, its contact's phone)."""
    with unit_of_work(write=False, org_id=org_id) as session:
        companies = {c.id: c for c in session.scalars(select(Company))}
        contacts = {c.company_id: c.phone for c in session.scalars(select(Contact))}
    return {c.name: (c.phone, contacts.get(c.id)) for c in companies.values()}


def test_the_api_reads_a_local_number_in_the_company_country(client, world):
    body = {
        "company": {"name": "Berlin GmbH", "country": "Germany", "phone": "030 1234567"},
        "contact": {"first_name": "Jan", "phone": "(030) 123-4567"},
    }
    made = client.post(f"{API}/leads", json=body, headers=world.alice.headers)
    assert made.status_code == 201, made.text
    assert _phones(world.alice.org_id)["Berlin GmbH"] == ("+49301234567", "+49301234567")
    # The same digits with no country are read in the organisation's region (US), where they are no number.
    body = {"company": {"name": "Nowhere Inc", "phone": "030 1234567"}}
    refused = client.post(f"{API}/leads", json=body, headers=world.alice.headers)
    assert refused.status_code == 422 and refused.json()["errors"][0]["field"] == "company.phone"


def test_an_import_reads_each_row_in_its_own_country(client, world):
    content = (
        "Company,Company phone,Phone,First name,Country\n"
        "Berlin GmbH,030 1234567,(030) 123-4567,Jan,Germany\n"
        "London Ltd,020 7946 0958,020 7946 0959,Liz,United Kingdom\n"
        "Denver Co,(303) 555-0177,303 555 0178,Dan,\n"
    )
    result = run(client, world.alice, content.encode())
    assert (result["created"], result["rejected"]) == (3, 0), result
    phones = _phones(world.alice.org_id)
    assert phones["Berlin GmbH"] == ("+49301234567", "+49301234567")
    assert phones["London Ltd"] == ("+442079460958", "+442079460959")
    assert phones["Denver Co"] == ("+13035550177", "+13035550178")
