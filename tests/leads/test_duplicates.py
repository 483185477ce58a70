"""Fuzzy duplicates: alike names in one city become suggestions, once, within one org, until dismissed."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import pytest

from salesos.jobs.testing import drain
from salesos.leads.service.duplicates import Candidate, city_key, find_matches, name_key
from tests.conftest import both_databases

API = "/api/v1"


def _candidate(name: str, city: str, company_id: uuid.UUID | None = None, age_days: int = 0) -> Candidate:
    created = datetime.now(UTC) - timedelta(days=age_days)
    return Candidate(uuid.uuid4(), company_id or uuid.uuid4(), name, name_key(name), city, created)


@pytest.mark.parametrize(
    ("first", "second", "alike"),
    [
        ("Joe's Pizza", "Joes Pizza LLC", True),
        ("Brightsmile Dental", "Bright Smile Dental", True),
        ("Blue Door Café", "The Blue Door Cafe", True),
        ("Smith & Sons Plumbing Inc.", "Smith and Sons Plumbing", True),
        ("Austin Dental", "Austin Dentistry", False),
        ("Acme Plumbing", "Acme Plumbing & Heating", False),
        ("Northside Bakery", "Southside Bakery", False),
        # Numbers in a name are branch or store numbers: they must agree.
        ("Bulk Co 1504", "Bulk Co 15804", False),
        ("Studio 54", "Studio 45", False),
        ("7-Eleven", "7 Eleven Inc", True),
        ("Studio 54", "Studio 54 LLC", True),
    ],
)
def test_alike_names_in_one_city(first, second, alike):
    matches = find_matches([_candidate(first, "Austin"), _candidate(second, " AUSTIN ")])
    assert bool(matches) is alike
    if alike:
        assert matches[0].score >= 90 and matches[0].lead_id < matches[0].other_lead_id


def test_other_cities_and_the_same_company_never_match():
    company = uuid.uuid4()
    assert find_matches([_candidate("Joe's Pizza", "Austin"), _candidate("Joe's Pizza", "Dallas")]) == []
    same = [_candidate("Joe's Pizza", "Austin", company), _candidate("Joe's Pizza", "Austin", company)]
    assert find_matches(same) == []
    assert city_key("St. Louis") == city_key("st louis ") == "st louis"


def test_since_only_pairs_new_leads_and_reports_each_pair_once():
    old = [_candidate("Joe's Pizza", "Austin", age_days=3), _candidate("Joes Pizza", "Austin", age_days=3)]
    new = [_candidate("Joe\u2019s Pizza Co", "Austin"), _candidate("Joe's Pizza Inc", "Austin")]
    since = datetime.now(UTC) - timedelta(hours=1)
    pairs = {(m.lead_id, m.other_lead_id) for m in find_matches([*old, *new], since)}
    # Each new lead with every other lead (4 + 1 pairs), never the two old ones with each other again.
    assert len(pairs) == 5 == len(find_matches([*old, *new], since))
    assert tuple(sorted(c.lead_id for c in old)) not in pairs
    assert len(find_matches([*old, *new])) == 6


def _lead(client, person, name, city):  # type: ignore[no-untyped-def]
    body = {"company": {"name": name, "city": city}}
    r = client.post(f"{API}/leads", json=body, headers=person.headers)
    assert r.status_code == 201, r.text
    return r.json()["id"]


def _open_pairs(client, person):  # type: ignore[no-untyped-def]
    """Open suggestions as sorted name pairs (the battery's fixture pair of "Acme Alpha" leads aside)."""
    items = client.get(f"{API}/merge-suggestions", headers=person.headers).json()["items"]
    pairs = {tuple(sorted((i["lead"]["company_name"], i["other_lead"]["company_name"]))) for i in items}
    return {p for p in pairs if "Acme Alpha" not in p[0]}


def _run_scans():  # type: ignore[no-untyped-def]
    # The scan waits for the minute's burst of new leads to end; jump past it.
    drain(now=datetime.now(UTC) + timedelta(minutes=3))


@both_databases
def test_new_leads_get_suggestions_that_can_be_dismissed_for_good(client, world):
    alice, carol = world.alice, world.carol
    first = _lead(client, alice, "Joe's Pizza", "Austin")
    second = _lead(client, alice, "Joes Pizza LLC", "austin")
    _lead(client, alice, "Austin Dentistry", "Austin")
    theirs = _lead(client, carol, "Joe's Pizza", "Austin")
    _run_scans()

    r = client.get(f"{API}/merge-suggestions", params={"lead_id": first}, headers=alice.headers)
    assert r.status_code == 200
    items = r.json()["items"]
    assert len(items) == 1
    pair = {items[0]["lead"]["id"], items[0]["other_lead"]["id"]}
    assert pair == {first, second} and items[0]["score"] == 100
    assert "Austin" in items[0]["reason"] or "austin" in items[0]["reason"]
    # Carol's lead of the same name in the same city is never paired across organisations.
    mine = client.get(f"{API}/merge-suggestions", headers=carol.headers).json()["items"]
    assert mine == []
    assert (
        client.get(f"{API}/merge-suggestions", params={"lead_id": theirs}, headers=carol.headers).json()[
            "items"
        ]
        == []
    )

    r = client.post(f"{API}/merge-suggestions/{items[0]['id']}/dismiss", headers=alice.headers)
    assert r.status_code == 200 and r.json()["status"] == "dismissed"
    assert client.post(f"{API}/merge-suggestions/scan", headers=alice.headers).status_code == 202
    _run_scans()
    assert _open_pairs(client, alice) == set()


@both_databases
def test_a_full_scan_finds_pairs_among_existing_leads(client, world):
    alice = world.alice
    _lead(client, alice, "Brightsmile Dental", "Round Rock")
    _lead(client, alice, "Bright Smile Dental", "Round Rock")
    r = client.post(f"{API}/merge-suggestions/scan", headers=alice.headers)
    assert r.status_code == 202 and r.json() == {"scheduled": True}
    # A second click within the minute adds no second job.
    assert client.post(f"{API}/merge-suggestions/scan", headers=alice.headers).json() == {"scheduled": False}
    drain()
    assert _open_pairs(client, alice) == {("Bright Smile Dental", "Brightsmile Dental")}
    # Scanning again (the debounced per-minute scan) adds nothing new.
    _run_scans()
    assert len(_open_pairs(client, alice)) == 1


def test_a_scan_holds_no_write_lock_while_it_matches(client, world, monkeypatch):
    # On SQLite a write session holds the one write lock from its first statement: a scan reading and
    # matching for half a minute in the job's session made every sign-in and edit meanwhile fail.
    from sqlalchemy import update

    from salesos.db.session import unit_of_work
    from salesos.leads.models import Lead
    from salesos.leads.service import duplicates

    first = _lead(client, world.alice, "Joe's Pizza", "Austin")
    _lead(client, world.alice, "Joes Pizza LLC", "Austin")
    matching = duplicates.find_matches

    def someone_writes_meanwhile(*args, **kwargs):  # type: ignore[no-untyped-def]
        with unit_of_work(org_id=world.alice.org_id) as other:
            other.execute(update(Lead).where(Lead.id == uuid.UUID(first)).values(source="edited meanwhile"))
        return matching(*args, **kwargs)

    monkeypatch.setattr(duplicates, "find_matches", someone_writes_meanwhile)
    _run_scans()
    assert _open_pairs(client, world.alice) == {("Joe's Pizza", "Joes Pizza LLC")}
    assert (
        client.get(f"{API}/leads/{first}", headers=world.alice.headers).json()["source"] == "edited meanwhile"
    )
