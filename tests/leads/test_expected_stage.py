"""PATCH with expected_stage_id (offline edits replayed later): the server wins when the lead moved since."""

from __future__ import annotations

import uuid

from sqlalchemy import func, select

from salesos.db.session import unit_of_work
from salesos.leads.models import LeadStatusHistory, Note
from tests.web.test_pages import browser, sign_in  # noqa: F401  (browser is a fixture used by name)

API = "/api/v1"


def _stages(client, person):  # type: ignore[no-untyped-def]
    pipelines = client.get(f"{API}/pipelines", headers=person.headers).json()
    return {s["name"]: s["id"] for s in pipelines[0]["stages"]}


def _lead(client, person, name="Globex"):  # type: ignore[no-untyped-def]
    r = client.post(f"{API}/leads", json={"company": {"name": name}}, headers=person.headers)
    assert r.status_code == 201, r.text
    return r.json()


def _patch(client, person, lead_id, **body):  # type: ignore[no-untyped-def]
    return client.patch(f"{API}/leads/{lead_id}", json=body, headers=person.headers)


def _moves(world, lead_id: str) -> int:
    """Stage changes after creation (creating a lead records its first stage too)."""
    with unit_of_work(org_id=world.alice.org_id) as s:
        count = s.scalar(select(func.count()).where(LeadStatusHistory.lead_id == uuid.UUID(lead_id)))
    return int(count or 0) - 1


def test_move_applies_when_the_lead_is_where_the_client_saw_it(client, world):
    stages = _stages(client, world.alice)
    lead = _lead(client, world.alice)
    r = _patch(client, world.alice, lead["id"], stage_id=stages["Contacted"], expected_stage_id=stages["New"])
    assert r.status_code == 200, r.text
    assert r.json()["stage_id"] == stages["Contacted"]
    assert _moves(world, lead["id"]) == 1


def test_server_wins_when_the_lead_moved_meanwhile(client, world):
    stages = _stages(client, world.alice)
    lead = _lead(client, world.alice)
    # Bob moves it while Alice's change (made against "New") waits offline.
    assert _patch(client, world.bob, lead["id"], stage_id=stages["Qualified"]).status_code == 200
    r = _patch(
        client,
        world.alice,
        lead["id"],
        stage_id=stages["Contacted"],
        expected_stage_id=stages["New"],
        value="100",
    )
    assert r.status_code == 409
    assert r.headers["content-type"].startswith("application/problem+json")
    problem = r.json()
    assert problem["status"] == 409 and problem["title"] == "Conflict"
    assert problem["detail"] == "This lead moved to Qualified meanwhile."
    after = client.get(f"{API}/leads/{lead['id']}", headers=world.alice.headers).json()
    assert after["stage_id"] == stages["Qualified"] and after["value"] is None  # nothing of it written
    assert _moves(world, lead["id"]) == 1


def test_replaying_a_move_that_already_happened_is_not_a_conflict(client, world):
    stages = _stages(client, world.alice)
    lead = _lead(client, world.alice)
    body = {"stage_id": stages["Contacted"], "expected_stage_id": stages["New"]}
    assert _patch(client, world.alice, lead["id"], **body).status_code == 200
    # The first answer was lost; the same change comes again.
    again = _patch(client, world.alice, lead["id"], **body)
    assert again.status_code == 200 and again.json()["stage_id"] == stages["Contacted"]
    assert _moves(world, lead["id"]) == 1


def test_expected_stage_guards_other_fields_too_and_is_optional(client, world):
    stages = _stages(client, world.alice)
    lead = _lead(client, world.alice)
    stale = _patch(client, world.alice, lead["id"], value="5", expected_stage_id=stages["Contacted"])
    assert stale.status_code == 409 and stale.json()["detail"] == "This lead moved to New meanwhile."
    fresh = _patch(client, world.alice, lead["id"], value="5", expected_stage_id=stages["New"])
    assert fresh.status_code == 200 and fresh.json()["value"] == "5.00"  # as stored and read back
    unguarded = _patch(client, world.alice, lead["id"], value="6", expected_stage_id=None)
    assert unguarded.status_code == 200 and unguarded.json()["value"] == "6.00"
    bad = _patch(client, world.alice, lead["id"], expected_stage_id="not-a-uuid")
    assert bad.status_code == 422


def test_expected_updated_at_refuses_a_lead_changed_in_any_way_since(client, world):
    stages = _stages(client, world.alice)
    lead = _lead(client, world.alice)
    seen = lead["updated_at"]
    # Someone else edits another field: the stage is the same, the lead is not.
    assert _patch(client, world.bob, lead["id"], value="99999").status_code == 200
    stale = _patch(client, world.alice, lead["id"], stage_id=stages["Contacted"], expected_updated_at=seen)
    assert stale.status_code == 409, stale.text
    assert "changed by someone else meanwhile (it is at New)" in stale.json()["detail"]
    assert _moves(world, lead["id"]) == 0
    # Against what the lead is now, the move goes through, and answers the new updated_at to chain on.
    now = client.get(f"{API}/leads/{lead['id']}", headers=world.alice.headers).json()["updated_at"]
    moved = _patch(client, world.alice, lead["id"], stage_id=stages["Contacted"], expected_updated_at=now)
    assert moved.status_code == 200, moved.text
    assert moved.json()["updated_at"] != now
    following = {"stage_id": stages["Qualified"], "expected_updated_at": moved.json()["updated_at"]}
    assert _patch(client, world.alice, lead["id"], **following).status_code == 200
    # A replay of a move that already happened is no conflict: nothing changes.
    again = _patch(client, world.alice, lead["id"], stage_id=stages["Qualified"], expected_updated_at=seen)
    assert again.status_code == 200
    assert _moves(world, lead["id"]) == 2


def test_a_stale_patch_changes_nothing_at_all(client, world):
    lead = _lead(client, world.alice)
    contact = client.post(
        f"{API}/contacts",
        json={"company_id": lead["company"]["id"], "first_name": "Pia"},
        headers=world.alice.headers,
    ).json()
    assert _patch(client, world.alice, lead["id"], tier="A").status_code == 200
    stale = _patch(
        client,
        world.alice,
        lead["id"],
        primary_contact_id=contact["id"],
        expected_updated_at=lead["updated_at"],
    )
    assert stale.status_code == 409
    after = client.get(f"{API}/leads/{lead['id']}", headers=world.alice.headers).json()
    assert after["primary_contact"] is None


def test_another_orgs_lead_is_not_found_before_any_stage_check(client, world):
    stages = _stages(client, world.alice)
    lead = _lead(client, world.alice)
    theirs = _patch(
        client, world.carol, lead["id"], stage_id=stages["Contacted"], expected_stage_id=stages["New"]
    )
    missing = _patch(
        client, world.carol, str(uuid.uuid4()), stage_id=stages["Contacted"], expected_stage_id=stages["New"]
    )
    assert theirs.status_code == missing.status_code == 404
    same = ("type", "title", "status", "detail")
    assert {k: theirs.json()[k] for k in same} == {k: missing.json()[k] for k in same}


def test_cookie_session_replay_with_idempotency_key_writes_one_note(client, world, browser):  # noqa: F811
    """What the offline queue does: the JSON API with the session cookie, CSRF header and a key."""
    lead = _lead(client, world.alice)
    b = browser()
    token = sign_in(b, world.alice.email)
    headers = {"Accept": "application/json", "X-CSRF-Token": token, "Idempotency-Key": str(uuid.uuid4())}
    url = f"{API}/leads/{lead['id']}/notes"
    first = b.post(url, json={"body": "Written offline"}, headers=headers)
    assert first.status_code == 201, first.text
    again = b.post(url, json={"body": "Written offline"}, headers=headers)
    assert again.status_code == 201 and again.headers.get("idempotent-replayed") == "true"
    assert again.json()["id"] == first.json()["id"]
    no_csrf = b.post(url, json={"body": "x"}, headers={"Idempotency-Key": str(uuid.uuid4())})
    assert no_csrf.status_code == 403
    with unit_of_work(org_id=world.alice.org_id) as s:
        count = s.scalar(select(func.count()).where(Note.lead_id == uuid.UUID(lead["id"])))
    assert count == 1
