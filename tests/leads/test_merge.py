"""Merging two leads: both histories stay on the kept lead, blanks fill, nothing crosses organisations."""

from __future__ import annotations

import uuid

from sqlalchemy import func, select

from salesos.db.session import unit_of_work
from salesos.leads.models import Activity, Company, Contact, Lead, LeadStatusHistory, Note, Task
from tests.conftest import both_databases

API = "/api/v1"


def _stages(client, person):  # type: ignore[no-untyped-def]
    pipelines = client.get(f"{API}/pipelines", headers=person.headers).json()
    return {s["name"]: s["id"] for s in pipelines[0]["stages"]}


def _create(client, person, name, **extra):  # type: ignore[no-untyped-def]
    company = {"name": name, **extra.pop("company", {})}
    r = client.post(f"{API}/leads", json={"company": company, **extra}, headers=person.headers)
    assert r.status_code == 201, r.text
    return r.json()


def _counts(world, lead_id):  # type: ignore[no-untyped-def]
    lead_id = uuid.UUID(lead_id)
    with unit_of_work(org_id=world.alice.org_id) as s:
        return {
            model.__name__: s.scalar(select(func.count()).select_from(model).where(model.lead_id == lead_id))
            for model in (Note, Task, Activity, LeadStatusHistory)
        }


def _merge(client, person, keep_id, other_id):  # type: ignore[no-untyped-def]
    return client.post(
        f"{API}/leads/{keep_id}/merge", json={"other_lead_id": other_id}, headers=person.headers
    )


@both_databases
def test_merge_keeps_both_histories_and_fills_blanks(client, world):
    alice = world.alice
    stages = _stages(client, alice)
    keep = _create(client, alice, "Joe's Pizza", company={"city": "Austin"}, tags=["food"])
    other = _create(
        client,
        alice,
        "Joes Pizza LLC",
        company={"city": "Austin", "website": "https://joespizza.example", "phone": "512 555 0100"},
        contact={"first_name": "Joe", "email": "joe@joespizza.example"},
        owner_id=str(world.bob.user_id),
        value="900",
        tags=["food", "walk-in"],
        custom_fields={"ovens": 2},
    )
    for lead in (keep, other):
        r = client.post(f"{API}/leads/{lead['id']}/notes", json={"body": "note"}, headers=alice.headers)
        assert r.status_code == 201
    client.post(f"{API}/leads/{other['id']}/tasks", json={"title": "Call Joe"}, headers=alice.headers)
    r = client.patch(
        f"{API}/leads/{other['id']}", json={"stage_id": stages["Contacted"]}, headers=alice.headers
    )
    assert r.status_code == 200
    before_keep, before_other = _counts(world, keep["id"]), _counts(world, other["id"])

    r = _merge(client, alice, keep["id"], other["id"])
    assert r.status_code == 200, r.text
    merged = r.json()

    assert client.get(f"{API}/leads/{other['id']}", headers=alice.headers).status_code == 404
    after = _counts(world, keep["id"])
    # Every note, task, history row and timeline entry of both leads, plus the merge entry itself.
    assert after["Note"] == before_keep["Note"] + before_other["Note"] == 2
    assert after["Task"] == 1
    assert after["LeadStatusHistory"] == before_keep["LeadStatusHistory"] + before_other["LeadStatusHistory"]
    assert after["Activity"] == before_keep["Activity"] + before_other["Activity"] + 1
    assert merged["stage_id"] == keep["stage_id"]  # the kept lead stays where it was
    assert merged["owner_id"] == str(world.bob.user_id)
    assert merged["value"] == "900.00" and merged["tags"] == ["food", "walk-in"]
    assert merged["custom_fields"] == {"ovens": 2}
    assert merged["company"]["website"] == "https://joespizza.example"
    assert merged["company"]["domain"] == "joespizza.example"
    assert merged["company"]["phone"] == "+15125550100"
    assert merged["company"]["name"] == "Joe's Pizza"  # never overwritten
    assert merged["primary_contact"]["email"] == "joe@joespizza.example"
    with unit_of_work(org_id=alice.org_id) as s:
        # The other company had no lead left: its people moved over and it is gone.
        assert s.get(Company, uuid.UUID(other["company"]["id"])) is None
        contact = s.get(Contact, uuid.UUID(other["primary_contact"]["id"]))
        assert contact is not None and str(contact.company_id) == keep["company"]["id"]
        entry = s.scalars(
            select(Activity).where(Activity.lead_id == uuid.UUID(keep["id"]), Activity.kind == "lead_merged")
        ).one()
        assert entry.data["merged_lead_id"] == other["id"] and entry.data["company"] == "Joes Pizza LLC"
        assert entry.actor_id == alice.user_id
    # The other lead's entries say whose they were: its move to Contacted is not the kept lead's.
    items = client.get(f"{API}/leads/{keep['id']}/timeline?limit=100", headers=alice.headers).json()["items"]
    came_along = {i["kind"] for i in items if i["data"].get("merged_from") == "Joes Pizza LLC"}
    assert came_along >= {"created", "stage_changed"}
    assert not any(i["data"].get("merged_from") for i in items if i["kind"] == "lead_merged")
    from salesos.leads.timeline import Names, describe

    moved = next(i for i in items if i["kind"] == "stage_changed")
    names = Names(
        stages={stages["New"]: "New", stages["Contacted"]: "Contacted"},
        notes={},
        tasks={},
        people={},
        users={},
    )
    words = describe(moved["kind"], moved["data"], names)
    assert words == "Moved from New to Contacted (on Joes Pizza LLC, since merged into this lead)"


@both_databases
def test_a_company_with_other_leads_stays(client, world):
    alice = world.alice
    keep = _create(client, alice, "Initech")
    other = _create(client, alice, "Initech Austin", contact={"first_name": "Peter"})
    third = client.post(
        f"{API}/leads", json={"company_id": other["company"]["id"]}, headers=alice.headers
    ).json()
    assert _merge(client, alice, keep["id"], other["id"]).status_code == 200
    with unit_of_work(org_id=alice.org_id) as s:
        company = s.get(Company, uuid.UUID(other["company"]["id"]))
        assert company is not None  # the third lead still needs it
        contact = s.get(Contact, uuid.UUID(other["primary_contact"]["id"]))
        assert contact is not None and str(contact.company_id) == other["company"]["id"]
        assert s.get(Lead, uuid.UUID(third["id"])) is not None


@both_databases
def test_bad_merges_change_nothing(client, world):
    alice, carol = world.alice, world.carol
    lead = _create(client, alice, "Globex")
    theirs = _create(client, carol, "Globex")
    before = _counts(world, lead["id"])

    r = _merge(client, alice, lead["id"], lead["id"])
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "other_lead_id"
    # Another org's lead is as unknown as a missing one, in the body and in the URL.
    foreign = _merge(client, alice, lead["id"], theirs["id"])
    ghost = _merge(client, alice, lead["id"], str(uuid.uuid4()))
    assert foreign.status_code == ghost.status_code == 422
    assert foreign.json()["errors"] == ghost.json()["errors"]
    assert _merge(client, carol, lead["id"], theirs["id"]).status_code == 404
    r = client.post(
        f"{API}/leads/{lead['id']}/merge", json={"other_lead_id": theirs["id"], "x": 1}, headers=alice.headers
    )
    assert r.status_code == 422
    assert _counts(world, lead["id"]) == before
    assert client.get(f"{API}/leads/{theirs['id']}", headers=carol.headers).status_code == 200
