"""The campaigns API: validation, lifecycle, prospects, rescoring, sending to the board, failures, credits."""

from __future__ import annotations

import uuid

import pytest
from sqlalchemy import func, select

from salesos.campaigns.models import Campaign
from salesos.config import get_settings
from salesos.db.session import unit_of_work
from salesos.integrations.models import ApiUsage
from salesos.jobs.testing import drain
from salesos.leads.models import Lead, Note
from tests.conftest import both_databases
from tests.integrations.contacts.fake_hunter import FakeHunter
from tests.integrations.search.fake_http import serve

API = "/api/v1/campaigns"
BODY = {"name": "Austin dentists", "business_type": "dentists", "location": "Austin, TX"}


def campaigns_in(org_id: uuid.UUID) -> int:
    with unit_of_work(write=False, org_id=org_id) as session:
        return int(session.scalar(select(func.count()).select_from(Campaign)) or 0)


def run(client, person, **extra) -> dict:
    created = client.post(API, json={**BODY, **extra}, headers=person.headers)
    assert created.status_code == 201, created.text
    drain(max_rounds=10)
    return client.get(f"{API}/{created.json()['id']}", headers=person.headers).json()


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"org_id": str(uuid.uuid4())}, "org_id"),
        ({"status": "completed"}, "status"),
        ({"scoring": {"tier_a": 40, "tier_b": 50}}, "scoring"),
        ({"sources": ["google_places"]}, "sources"),
        ({"business_type": "quantum florists"}, "business_type"),
        ({"location": ""}, "location"),
        ({"max_prospects": 5000}, "max_prospects"),
    ],
)
def test_bad_input_is_refused_and_writes_nothing(client, world, change, field):
    before = campaigns_in(world.alice.org_id)
    response = client.post(API, json={**BODY, **change}, headers=world.alice.headers)
    assert response.status_code == 422, response.text
    assert field in response.text
    assert campaigns_in(world.alice.org_id) == before


def test_lifecycle_start_pause_resume_delete(client, world, prospecting):
    draft = client.post(API, json={**BODY, "start": False}, headers=world.alice.headers).json()
    url, headers = f"{API}/{draft['id']}", world.alice.headers
    assert draft["status"] == "draft" and draft["percent"] == 0
    assert client.post(f"{url}/pause", headers=headers).status_code == 409
    assert client.post(f"{url}/start", headers=headers).json()["status"] == "running"
    assert client.post(f"{url}/start", headers=headers).status_code == 409
    assert client.post(f"{url}/pause", headers=headers).json()["status"] == "paused"
    drain(max_rounds=10)  # the queued discovery finds the campaign paused and does nothing
    assert client.get(url, headers=headers).json()["found"] == 0
    resumed = client.post(f"{url}/resume", headers=headers).json()
    assert resumed["status"] == "running"
    drain(max_rounds=10)
    done = client.get(url, headers=headers).json()
    assert (done["status"], done["found"], done["enriched"], done["percent"]) == ("completed", 5, 5, 100)
    assert client.delete(url, headers=headers).status_code == 204
    assert client.get(url, headers=headers).status_code == 404


@both_databases
def test_prospects_rescoring_and_sending_to_the_board(client, world, prospecting):
    done = run(client, world.alice)
    url, headers = f"{API}/{done['id']}", world.alice.headers
    tier_a = client.get(f"{url}/prospects", params={"tier": "A"}, headers=headers).json()["items"]
    assert [p["name"] for p in tier_a] == ["Bright Smiles Dental"]
    detail = client.get(f"{url}/prospects/{tier_a[0]['id']}", headers=headers).json()
    assert [f["key"] for f in detail["score_breakdown"]] == ["website", "reviews", "contact", "timing"]
    assert detail["sources"] == [{"source": "osm", "source_id": "node/5000"}]
    assert detail["tier_reason"].startswith("A (") and detail["analysis"]["pain_points"]

    # Stricter thresholds rescore what was found, without searching again.
    patched = client.patch(url, json={"scoring": {"tier_a": 95, "tier_b": 90}}, headers=headers)
    assert patched.status_code == 200, patched.text
    drain(max_rounds=5)
    assert client.get(f"{url}/prospects", params={"tier": "A"}, headers=headers).json()["items"] == []
    client.patch(url, json={"scoring": {"tier_a": 60, "tier_b": 40}}, headers=headers)
    drain(max_rounds=5)

    sent = client.post(f"{url}/send-to-board", json={"tiers": ["A", "B"]}, headers=headers).json()
    assert sent["created"] == 1 and len(sent["lead_ids"]) == 1
    with unit_of_work(write=False, org_id=world.alice.org_id) as session:
        lead = session.get(Lead, uuid.UUID(sent["lead_ids"][0]))
        assert lead is not None and (lead.tier, lead.source) == ("A", "campaign")
        assert lead.score == detail["score"] and lead.company.name == "Bright Smiles Dental"
        assert (
            lead.primary_contact is not None
            and lead.primary_contact.email == "jane@bright-smiles-dental-atx.com"
        )
        note = session.scalars(select(Note).where(Note.lead_id == lead.id)).one()
        assert "Bright Smiles" in note.body and "[source](" in note.body
    again = client.post(
        f"{url}/send-to-board", json={"ids": [tier_a[0]["id"], str(uuid.uuid4())]}, headers=headers
    )
    assert again.json() == {"created": 0, "lead_ids": [], "skipped": 2}
    neither = client.post(f"{url}/send-to-board", json={}, headers=headers)
    assert neither.status_code == 422 and "ids or tiers" in neither.text
    assert client.get(url, headers=headers).json()["qualified"] >= 1


def test_a_refused_contact_provider_fails_prospects_with_the_reason(client, world, prospecting, monkeypatch):
    with serve(FakeHunter()) as hunter:
        monkeypatch.setenv("SALESOS_HUNTER_API_KEY", "wrong-key")
        monkeypatch.setenv("SALESOS_HUNTER_API_URL", hunter.origin + "/v2")
        get_settings.cache_clear()
        done = run(client, world.alice)
    assert (done["status"], done["enriched"], done["failed"]) == ("completed", 0, 5)
    items = client.get(f"{API}/{done['id']}/prospects", headers=world.alice.headers).json()["items"]
    assert all(p["enrichment_status"] == "failed" for p in items)
    assert all("hunter" in p["failure_reason"] and "API key" in p["failure_reason"] for p in items)
    # The listing and the site audit still score them.
    assert all(p["score"] is not None and p["tier"] for p in items)
    with unit_of_work(write=False, org_id=world.alice.org_id) as session:
        charged = session.scalar(
            select(func.count()).select_from(ApiUsage).where(ApiUsage.kind == "lead_credit")
        )
    assert charged == 0  # a refused prospect costs no lead credit


def test_the_monthly_credit_budget_pauses_the_campaign_with_a_clear_message(client, world, prospecting):
    bob = client.patch("/api/v1/org", json={"lead_credits_monthly": 2}, headers=world.bob.headers)
    assert bob.status_code == 403  # a member can't raise the budget
    budget = client.patch("/api/v1/org", json={"lead_credits_monthly": 2}, headers=world.alice.headers)
    assert budget.json()["lead_credits_monthly"] == 2
    paused = run(client, world.alice)
    assert (paused["status"], paused["enriched"]) == ("paused", 2)
    assert "lead credits are used up" in paused["error"]
    client.patch("/api/v1/org", json={"lead_credits_monthly": 10}, headers=world.alice.headers)
    client.post(f"{API}/{paused['id']}/resume", headers=world.alice.headers)
    drain(max_rounds=10)
    done = client.get(f"{API}/{paused['id']}", headers=world.alice.headers).json()
    assert (done["status"], done["enriched"], done["error"]) == ("completed", 5, None)


def test_a_place_the_directory_does_not_know_pauses_with_the_reason(client, world, prospecting):
    paused = run(client, world.alice, location="Atlantis")
    assert paused["status"] == "paused"
    assert paused["error"] == "OpenStreetMap: No place called 'Atlantis' was found."
