"""Leads API: CRUD, stage moves with history, notes and tasks, filters, roles and isolation."""

from __future__ import annotations

import uuid

from sqlalchemy import func, select

from salesos.db.session import unit_of_work
from salesos.leads.models import Activity, LeadStatusHistory
from salesos.orgs.models import Role
from tests.conftest import both_databases

API = "/api/v1"


def _stages(client, person):  # type: ignore[no-untyped-def]
    pipelines = client.get(f"{API}/pipelines", headers=person.headers).json()
    return {s["name"]: s["id"] for s in pipelines[0]["stages"]}


def _create(client, person, name="Globex", **extra):  # type: ignore[no-untyped-def]
    body = {"company": {"name": name}, **extra}
    r = client.post(f"{API}/leads", json=body, headers=person.headers)
    assert r.status_code == 201, r.text
    return r.json()


def _history_count(world, lead_id):  # type: ignore[no-untyped-def]
    lead_id = uuid.UUID(lead_id)
    with unit_of_work(org_id=world.alice.org_id) as s:
        history = s.scalar(select(func.count()).where(LeadStatusHistory.lead_id == lead_id))
        activity = s.scalar(select(func.count()).where(Activity.lead_id == lead_id))
    return history, activity


@both_databases
def test_create_normalises_and_reads_back(client, world):
    lead = _create(
        client,
        world.alice,
        company={"name": "Initech", "website": "https://WWW.Initech.com:8080/about", "phone": "512.555.0134"},
        contact={
            "first_name": "Peter",
            "last_name": "Gibbons",
            "email": "  Peter@Initech.COM ",
            "phone": "(512) 555-0199",
        },
        owner_id=str(world.bob.user_id),
        value="1200.50",
        tags=["hot", "hot", "q4"],
    )
    assert lead["company"]["domain"] == "initech.com"
    assert lead["company"]["phone"] == "+15125550134"
    assert lead["primary_contact"]["email"] == "peter@initech.com"
    assert lead["primary_contact"]["phone"] == "+15125550199"
    assert lead["primary_contact"]["full_name"] == "Peter Gibbons"
    assert lead["tags"] == ["hot", "q4"] and lead["value"] == "1200.50"
    assert lead["stage_id"] == _stages(client, world.alice)["New"]
    got = client.get(f"{API}/leads/{lead['id']}", headers=world.bob.headers).json()
    assert got == lead
    company = client.get(f"{API}/companies/{lead['company']['id']}", headers=world.alice.headers)
    assert company.json()["name"] == "Initech"
    contact = client.get(f"{API}/contacts/{lead['primary_contact']['id']}", headers=world.alice.headers)
    assert contact.json()["email"] == "peter@initech.com"
    timeline = client.get(f"{API}/leads/{lead['id']}/timeline", headers=world.alice.headers).json()
    assert [a["kind"] for a in timeline["items"]] == ["created"]


def test_bad_input_is_refused_and_nothing_written(client, world):
    before = client.get(f"{API}/companies", headers=world.alice.headers).json()["items"]
    cases = [
        ({"company": {"name": "X", "phone": "12"}}, "company.phone"),
        ({"company": {"name": "X"}, "contact": {"email": "not-an-email"}}, "contact.email"),
        ({"company": {"name": "X"}, "owner_id": str(world.carol.user_id)}, "owner_id"),
        ({}, "company"),
    ]
    for body, field in cases:
        r = client.post(f"{API}/leads", json=body, headers=world.alice.headers)
        assert r.status_code == 422, r.text
        assert r.json()["errors"][0]["field"] == field
    unknown = client.post(
        f"{API}/leads",
        json={"company": {"name": "X"}, "org_id": str(world.carol.org_id)},
        headers=world.alice.headers,
    )
    assert unknown.status_code == 422
    assert client.get(f"{API}/companies", headers=world.alice.headers).json()["items"] == before


@both_databases
def test_stage_move_writes_history_and_timeline(client, world):
    stages = _stages(client, world.alice)
    lead = _create(client, world.alice)
    r = client.patch(
        f"{API}/leads/{lead['id']}",
        json={"stage_id": stages["Contacted"], "reason": "called"},
        headers=world.alice.headers,
    )
    assert r.status_code == 200 and r.json()["stage_id"] == stages["Contacted"]
    assert _history_count(world, lead["id"]) == (2, 2)
    with unit_of_work(org_id=world.alice.org_id) as s:
        last = s.scalars(select(LeadStatusHistory).order_by(LeadStatusHistory.id.desc())).first()
        assert last is not None
        assert (str(last.from_stage_id), str(last.to_stage_id)) == (stages["New"], stages["Contacted"])
        assert last.changed_by_id == world.alice.user_id and last.reason == "called"
    kinds = [
        a["kind"]
        for a in client.get(f"{API}/leads/{lead['id']}/timeline", headers=world.alice.headers).json()["items"]
    ]
    assert kinds == ["stage_changed", "created"]


@both_databases
def test_lost_needs_a_reason(client, world):
    stages = _stages(client, world.alice)
    lead = _create(client, world.alice)
    url = f"{API}/leads/{lead['id']}"
    r = client.patch(url, json={"stage_id": stages["Lost"], "tags": ["x"]}, headers=world.alice.headers)
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "lost_reason"
    assert _history_count(world, lead["id"]) == (1, 1)
    assert client.get(url, headers=world.alice.headers).json()["tags"] == []
    r = client.patch(
        url, json={"stage_id": stages["Lost"], "lost_reason": "Budget"}, headers=world.alice.headers
    )
    assert r.status_code == 200 and r.json()["lost_reason"] == "Budget"
    r = client.patch(url, json={"stage_id": stages["Qualified"]}, headers=world.alice.headers)
    assert r.json()["lost_reason"] is None
    assert _history_count(world, lead["id"]) == (3, 3)
    # A lost reason for an open lead, or with a move to an open stage, is refused, not dropped.
    for body in ({"lost_reason": "Budget cut"}, {"stage_id": stages["Contacted"], "lost_reason": "Budget"}):
        r = client.patch(url, json=body, headers=world.alice.headers)
        assert r.status_code == 422 and r.json()["errors"][0]["field"] == "lost_reason", body
    assert client.get(url, headers=world.alice.headers).json()["stage_id"] == stages["Qualified"]
    assert _history_count(world, lead["id"]) == (3, 3)


def test_foreign_ids_answer_like_missing_ones(client, world):
    carol_stage = _stages(client, world.carol)["Contacted"]
    lead = _create(client, world.alice)
    carol_lead = _create(client, world.carol, name="Bravo Co")
    url = f"{API}/leads/{lead['id']}"
    r = client.patch(url, json={"stage_id": carol_stage}, headers=world.alice.headers)
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "stage_id"
    r = client.post(
        f"{API}/leads", json={"company_id": carol_lead["company"]["id"]}, headers=world.alice.headers
    )
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "company_id"
    assert client.get(f"{API}/leads/{carol_lead['id']}", headers=world.alice.headers).status_code == 404
    names = [
        i["company_name"] for i in client.get(f"{API}/leads", headers=world.carol.headers).json()["items"]
    ]
    assert names == ["Bravo Co"]


def test_notes_and_tasks(client, world):
    lead = _create(client, world.alice)
    base = f"{API}/leads/{lead['id']}"
    note = client.post(f"{base}/notes", json={"body": "**Met** at the fair"}, headers=world.bob.headers)
    assert note.status_code == 201 and note.json()["author_id"] == str(world.bob.user_id)
    assert (
        client.get(f"{base}/notes", headers=world.alice.headers).json()["items"][0]["body"]
        == "**Met** at the fair"
    )
    task = client.post(
        f"{base}/tasks",
        json={
            "title": "Send proposal",
            "due_at": "2030-01-02T09:00:00Z",
            "assignee_id": str(world.bob.user_id),
        },
        headers=world.alice.headers,
    ).json()
    done = client.patch(f"{base}/tasks/{task['id']}", json={"done": True}, headers=world.bob.headers).json()
    assert done["done_at"] is not None
    undone = client.patch(
        f"{base}/tasks/{task['id']}", json={"done": False, "title": "Resend"}, headers=world.bob.headers
    )
    assert undone.json()["done_at"] is None and undone.json()["title"] == "Resend"
    bad = client.post(
        f"{base}/tasks",
        json={"title": "x", "assignee_id": str(world.carol.user_id)},
        headers=world.alice.headers,
    )
    assert bad.status_code == 422 and bad.json()["errors"][0]["field"] == "assignee_id"
    other = _create(client, world.alice, name="Other")
    assert (
        client.patch(
            f"{API}/leads/{other['id']}/tasks/{task['id']}", json={"done": True}, headers=world.alice.headers
        ).status_code
        == 404
    )
    kinds = [a["kind"] for a in client.get(f"{base}/timeline", headers=world.alice.headers).json()["items"]]
    assert kinds == ["task_updated", "task_reopened", "task_done", "task_added", "note_added", "created"]
    assert client.get(f"{base}/tasks", headers=world.alice.headers).json()["items"][0]["title"] == "Resend"


def test_viewer_reads_but_cannot_write(client, world):
    lead = _create(client, world.alice)
    r = client.patch(
        f"{API}/members/{world.bob.member_id}", json={"role": "viewer"}, headers=world.alice.headers
    )
    assert r.status_code == 200
    base = f"{API}/leads/{lead['id']}"
    assert (
        client.post(f"{API}/leads", json={"company": {"name": "V"}}, headers=world.bob.headers).status_code
        == 403
    )
    assert client.patch(base, json={"tags": ["x"]}, headers=world.bob.headers).status_code == 403
    assert client.post(f"{base}/notes", json={"body": "hi"}, headers=world.bob.headers).status_code == 403
    assert client.delete(base, headers=world.bob.headers).status_code == 403
    assert client.get(base, headers=world.bob.headers).status_code == 200
    assert client.get(f"{API}/leads", headers=world.bob.headers).json()["items"][0]["id"] == lead["id"]


def test_delete_lead_removes_its_records(client, world):
    lead = _create(client, world.alice)
    base = f"{API}/leads/{lead['id']}"
    client.post(f"{base}/notes", json={"body": "x"}, headers=world.alice.headers)
    assert client.delete(base, headers=world.alice.headers).status_code == 204
    assert client.get(base, headers=world.alice.headers).status_code == 404
    assert _history_count(world, lead["id"]) == (0, 0)
    assert (
        client.get(f"{API}/companies/{lead['company']['id']}", headers=world.alice.headers).status_code == 200
    )


@both_databases
def test_a_viewer_can_not_be_given_leads_or_tasks(client, world):
    """Viewers can't work a lead, so they can't own one or be assigned its tasks; a lead they own already
    (they were demoted since) still takes other edits."""
    lead = _create(client, world.alice, owner_id=str(world.bob.user_id))
    world.bob.set_role(Role.VIEWER)
    bob = str(world.bob.user_id)
    refused = [
        ("post", f"{API}/leads", {"company": {"name": "Viewer Co"}, "owner_id": bob}, "owner_id"),
        ("post", f"{API}/leads/{lead['id']}/tasks", {"title": "Call", "assignee_id": bob}, "assignee_id"),
    ]
    before = client.get(f"{API}/companies", headers=world.alice.headers).json()["items"]
    for method, url, body, field in refused:
        r = getattr(client, method)(url, json=body, headers=world.alice.headers)
        assert r.status_code == 422, (url, r.text)
        assert r.json()["errors"][0]["field"] == field
        assert "can own leads" in r.json()["errors"][0]["message"]
    other = _create(client, world.alice, name="Second Co")
    for body, field in (
        ({"owner_id": bob}, "owner_id"),
        ({"ids": [other["id"]], "set": {"owner_id": bob}}, None),
    ):
        url = f"{API}/leads/{other['id']}" if field else f"{API}/leads/bulk"
        r = (client.patch if field else client.post)(url, json=body, headers=world.alice.headers)
        assert r.status_code == 422, r.text
        assert r.json()["errors"][0]["field"] == (field or "set.owner_id")
    assert client.get(f"{API}/leads/{other['id']}", headers=world.alice.headers).json()["owner_id"] is None
    assert len(client.get(f"{API}/companies", headers=world.alice.headers).json()["items"]) == len(before) + 1
    kept = client.patch(
        f"{API}/leads/{lead['id']}", json={"owner_id": bob, "value": 10}, headers=world.alice.headers
    )
    assert kept.status_code == 200 and kept.json()["owner_id"] == bob


def test_web_addresses_currencies_and_empty_parts_are_checked(client, world):
    def post(body):  # type: ignore[no-untyped-def]
        return client.post(
            f"{API}/leads", json={"company": {"name": "Links Co", **body}}, headers=world.alice.headers
        )

    before = client.get(f"{API}/companies", headers=world.alice.headers).json()["items"]
    for website in ("javascript:alert(1)", "ftp://files.example", "data:text/html,x", "not a url", "nodot"):
        r = post({"website": website})
        assert r.status_code == 422 and r.json()["errors"][0]["field"] == "company.website", website
    r = client.post(
        f"{API}/leads",
        json={"company": {"name": "X"}, "contact": {"first_name": "A", "linkedin_url": "javascript:x"}},
        headers=world.alice.headers,
    )
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "contact.linkedin_url"
    r = client.post(
        f"{API}/leads", json={"company": {"name": "X"}, "currency": "XYZ"}, headers=world.alice.headers
    )
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "currency"
    assert client.get(f"{API}/companies", headers=world.alice.headers).json()["items"] == before

    # A bare host is a web address; a port is not a scheme; an empty source or contact is none.
    lead = _create(client, world.alice, name="Bare Host Co", source="", contact={}, currency="EUR")
    assert lead["source"] is None and lead["primary_contact"] is None and lead["currency"] == "EUR"
    company = f"{API}/companies/{lead['company']['id']}"
    r = client.patch(
        company, json={"website": "www.bare-host.example:8080/shop"}, headers=world.alice.headers
    )
    assert r.status_code == 200 and r.json()["website"] == "https://www.bare-host.example:8080/shop"
    assert r.json()["domain"] == "bare-host.example"
    nobody = client.post(
        f"{API}/contacts", json={"company_id": lead["company"]["id"]}, headers=world.alice.headers
    )
    assert nobody.status_code == 422 and nobody.json()["errors"][0]["field"] == "first_name"


def test_a_time_sent_with_an_offset_is_answered_in_utc_everywhere(client, world):
    lead = _create(client, world.alice, next_follow_up_at="2027-01-01T10:00:00+05:00")
    assert lead["next_follow_up_at"] == "2027-01-01T05:00:00Z"
    url = f"{API}/leads/{lead['id']}"
    patched = client.patch(
        url, json={"next_follow_up_at": "2027-02-01T09:30:00-03:00"}, headers=world.alice.headers
    )
    assert patched.json()["next_follow_up_at"] == "2027-02-01T12:30:00Z"
    assert client.get(url, headers=world.alice.headers).json()["next_follow_up_at"] == "2027-02-01T12:30:00Z"
    task = client.post(
        f"{url}/tasks",
        json={"title": "Call", "due_at": "2027-03-01T08:00:00+01:00"},
        headers=world.alice.headers,
    )
    assert task.status_code == 201 and task.json()["due_at"] == "2027-03-01T07:00:00Z"


def test_a_custom_field_refused_says_why_once(client, world):
    cases = [
        ({"a": {"b": 1}}, "custom_fields.a"),
        ({"a": "x" * 2001}, "custom_fields.a"),
        ({"": "x"}, "custom_fields"),
    ]
    for custom, field in cases:
        r = client.post(
            f"{API}/leads",
            json={"company": {"name": "X"}, "custom_fields": custom},
            headers=world.alice.headers,
        )
        assert r.status_code == 422, custom
        errors = r.json()["errors"]
        assert len(errors) == 1 and errors[0]["field"].startswith(field), errors
    ok = _create(client, world.alice, custom_fields={"seats": 12, "trial": True, "plan": "Pro", "note": None})
    assert ok["custom_fields"] == {"seats": 12, "trial": True, "plan": "Pro", "note": None}
