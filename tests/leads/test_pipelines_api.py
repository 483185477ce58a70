"""Pipelines API: create, rename, default, delete; stages added, reordered, renamed and deleted with their
leads moved (history and timeline written); invariants; roles; other orgs' ids."""

from __future__ import annotations

import json
import uuid

from sqlalchemy import select

from salesos.db.session import unit_of_work
from salesos.leads.models import Activity, LeadStatusHistory
from tests.conftest import both_databases
from tests.support.openapi import operations, sample

API = "/api/v1"


def _pipelines(client, person):  # type: ignore[no-untyped-def]
    r = client.get(f"{API}/pipelines", headers=person.headers)
    assert r.status_code == 200, r.text
    return r.json()


def _create(client, person, name="Partners", **extra):  # type: ignore[no-untyped-def]
    r = client.post(f"{API}/pipelines", json={"name": name, **extra}, headers=person.headers)
    assert r.status_code == 201, r.text
    return r.json()


def _stage_ids(pipeline):  # type: ignore[no-untyped-def]
    return {s["name"]: s["id"] for s in pipeline["stages"]}


def _names(pipeline):  # type: ignore[no-untyped-def]
    return [s["name"] for s in pipeline["stages"]]


def _get(client, person, pipeline_id):  # type: ignore[no-untyped-def]
    r = client.get(f"{API}/pipelines/{pipeline_id}", headers=person.headers)
    assert r.status_code == 200, r.text
    return r.json()


def _lead(client, person, stage_id, name="Globex"):  # type: ignore[no-untyped-def]
    body = {"company": {"name": name}, "stage_id": stage_id}
    r = client.post(f"{API}/leads", json=body, headers=person.headers)
    assert r.status_code == 201, r.text
    return r.json()


def _field(response):  # type: ignore[no-untyped-def]
    return response.json()["errors"][0]["field"]


@both_databases
def test_create_with_default_stages_and_custom_stages(client, world):
    made = _create(client, world.alice, "Partners")
    assert _names(made) == ["New", "Contacted", "Qualified", "Proposal", "Won", "Lost"]
    assert [s["position"] for s in made["stages"]] == list(range(6))
    assert made["is_default"] is False
    custom = _create(
        client,
        world.alice,
        "Hiring",
        stages=[{"name": "Applied"}, {"name": "Interview"}, {"name": "Hired", "kind": "won"}],
    )
    assert _names(custom) == ["Applied", "Interview", "Hired"]
    assert [s["kind"] for s in custom["stages"]] == ["open", "open", "won"]
    listed = _pipelines(client, world.bob)
    assert listed[0]["is_default"] is True
    assert {p["name"] for p in listed} >= {"Sales", "Partners", "Hiring", "Acme Alpha Renewals"}


def test_create_is_validated(client, world):
    _create(client, world.alice, "Partners")
    taken = client.post(f"{API}/pipelines", json={"name": "partners"}, headers=world.alice.headers)
    assert taken.status_code == 409 and _field(taken) == "name"
    cases = [
        ({"name": ""}, "name"),
        ({"name": "X", "stages": []}, "stages"),
        ({"name": "X", "stages": [{"name": "Won", "kind": "won"}]}, "stages"),
        ({"name": "X", "stages": [{"name": "A"}, {"name": "a"}]}, "stages"),
        ({"name": "X", "stages": [{"name": "A", "kind": "maybe"}]}, "stages.0.kind"),
        ({"name": "X", "org_id": str(world.carol.org_id)}, "org_id"),
    ]
    for body, field in cases:
        r = client.post(f"{API}/pipelines", json=body, headers=world.alice.headers)
        assert r.status_code == 422, (body, r.text)
        assert _field(r) == field, (body, r.text)
    assert "X" not in {p["name"] for p in _pipelines(client, world.alice)}


@both_databases
def test_rename_and_exactly_one_default(client, world):
    sales = _pipelines(client, world.alice)[0]
    other = _create(client, world.alice, "Partners")
    r = client.patch(f"{API}/pipelines/{other['id']}", json={"name": "Channel"}, headers=world.alice.headers)
    assert r.status_code == 200 and r.json()["name"] == "Channel"
    taken = client.patch(
        f"{API}/pipelines/{other['id']}", json={"name": "SALES"}, headers=world.alice.headers
    )
    assert taken.status_code == 409 and _field(taken) == "name"
    r = client.patch(f"{API}/pipelines/{other['id']}", json={"is_default": True}, headers=world.alice.headers)
    assert r.status_code == 200 and r.json()["is_default"] is True
    defaults = [p["name"] for p in _pipelines(client, world.alice) if p["is_default"]]
    assert defaults == ["Channel"]
    assert _get(client, world.alice, sales["id"])["is_default"] is False
    unset = client.patch(
        f"{API}/pipelines/{other['id']}", json={"is_default": False}, headers=world.alice.headers
    )
    assert unset.status_code == 422 and _field(unset) == "is_default"
    # New leads without a stage start in the default pipeline's first open stage.
    lead = client.post(
        f"{API}/leads", json={"company": {"name": "Initech"}}, headers=world.alice.headers
    ).json()
    assert lead["pipeline_id"] == other["id"]
    assert lead["stage_id"] == other["stages"][0]["id"]


@both_databases
def test_delete_pipeline_rules(client, world):
    sales = _pipelines(client, world.alice)[0]
    refused = client.delete(f"{API}/pipelines/{sales['id']}", headers=world.alice.headers)
    assert refused.status_code == 409 and "default" in refused.json()["detail"]
    other = _create(client, world.alice, "Partners")
    lead = _lead(client, world.alice, other["stages"][0]["id"])
    refused = client.delete(f"{API}/pipelines/{other['id']}", headers=world.alice.headers)
    assert refused.status_code == 409 and "1 lead" in refused.json()["detail"]
    assert client.delete(f"{API}/leads/{lead['id']}", headers=world.alice.headers).status_code == 204
    assert client.delete(f"{API}/pipelines/{other['id']}", headers=world.alice.headers).status_code == 204
    gone = client.get(f"{API}/pipelines/{other['id']}", headers=world.alice.headers)
    assert gone.status_code == 404


@both_databases
def test_add_and_reorder_stages(client, world):
    made = _create(client, world.alice, "Partners")
    base = f"{API}/pipelines/{made['id']}/stages"
    r = client.post(base, json={"name": "Demo", "position": 2}, headers=world.alice.headers)
    assert r.status_code == 201, r.text
    demo = r.json()
    assert demo["position"] == 2 and demo["kind"] == "open"
    after = _get(client, world.alice, made["id"])
    assert _names(after) == ["New", "Contacted", "Demo", "Qualified", "Proposal", "Won", "Lost"]
    assert [s["position"] for s in after["stages"]] == list(range(7))
    last = client.post(base, json={"name": "Churned", "kind": "lost"}, headers=world.alice.headers).json()
    assert last["position"] == 7
    # Move Demo to the front, then Lost before Won.
    r = client.patch(f"{base}/{demo['id']}", json={"position": 0}, headers=world.alice.headers)
    assert r.status_code == 200 and r.json()["position"] == 0
    ids = _stage_ids(_get(client, world.alice, made["id"]))
    client.patch(f"{base}/{ids['Lost']}", json={"position": 5}, headers=world.alice.headers)
    after = _get(client, world.alice, made["id"])
    assert _names(after) == ["Demo", "New", "Contacted", "Qualified", "Proposal", "Lost", "Won", "Churned"]
    assert [s["position"] for s in after["stages"]] == list(range(8))
    # A position past the end means last.
    client.patch(f"{base}/{demo['id']}", json={"position": 30}, headers=world.alice.headers)
    assert _names(_get(client, world.alice, made["id"]))[-1] == "Demo"
    r = client.patch(
        f"{base}/{demo['id']}", json={"name": "Live demo", "kind": "won"}, headers=world.alice.headers
    )
    assert r.json()["name"] == "Live demo" and r.json()["kind"] == "won"


def test_stage_invariants(client, world):
    made = _create(client, world.alice, "Tiny", stages=[{"name": "Doing"}, {"name": "Done", "kind": "won"}])
    ids = _stage_ids(made)
    base = f"{API}/pipelines/{made['id']}/stages"
    dup = client.post(base, json={"name": "doing"}, headers=world.alice.headers)
    assert dup.status_code == 409 and _field(dup) == "name"
    dup = client.patch(f"{base}/{ids['Done']}", json={"name": "DOING"}, headers=world.alice.headers)
    assert dup.status_code == 409 and _field(dup) == "name"
    last_open = client.patch(f"{base}/{ids['Doing']}", json={"kind": "won"}, headers=world.alice.headers)
    assert last_open.status_code == 409 and _field(last_open) == "kind"
    last_open = client.delete(f"{base}/{ids['Doing']}", headers=world.alice.headers)
    assert last_open.status_code == 409
    bad = client.patch(f"{base}/{ids['Doing']}", json={"kind": "maybe"}, headers=world.alice.headers)
    assert bad.status_code == 422 and _field(bad) == "kind"
    empty = client.patch(f"{base}/{ids['Doing']}", json={"name": None}, headers=world.alice.headers)
    assert empty.status_code == 422 and _field(empty) == "name"
    # A stage of another pipeline of the same org is not this pipeline's stage.
    sales = _stage_ids(_pipelines(client, world.alice)[0])
    r = client.patch(f"{base}/{sales['New']}", json={"name": "Z"}, headers=world.alice.headers)
    assert r.status_code == 404
    extra = client.post(base, json={"name": "Shipped", "kind": "won"}, headers=world.alice.headers).json()
    r = client.delete(f"{base}/{ids['Done']}?move_to={sales['Won']}", headers=world.alice.headers)
    assert r.status_code == 422 and _field(r) == "move_to"
    assert _names(_get(client, world.alice, made["id"])) == ["Doing", "Done", "Shipped"]
    # An unused stage just goes (while another of its kind stays).
    assert client.delete(f"{base}/{ids['Done']}", headers=world.alice.headers).status_code == 204
    assert _names(_get(client, world.alice, made["id"])) == ["Doing", "Shipped"]
    last_won = client.delete(f"{base}/{extra['id']}", headers=world.alice.headers)
    assert last_won.status_code == 409 and _field(last_won) == "stage_id"


@both_databases
def test_delete_stage_moves_its_leads_with_history(client, world):
    made = _create(client, world.alice, "Partners")
    ids = _stage_ids(made)
    base = f"{API}/pipelines/{made['id']}/stages"
    leads = [_lead(client, world.alice, ids["Contacted"], f"Co {i}")["id"] for i in range(3)]
    refused = client.delete(f"{base}/{ids['Contacted']}", headers=world.alice.headers)
    assert refused.status_code == 409 and _field(refused) == "move_to"
    assert "3 leads" in refused.json()["detail"]
    r = client.delete(f"{base}/{ids['Contacted']}?move_to={ids['Qualified']}", headers=world.bob.headers)
    assert r.status_code == 403  # members work leads; admins shape pipelines
    r = client.delete(f"{base}/{ids['Contacted']}?move_to={ids['Qualified']}", headers=world.alice.headers)
    assert r.status_code == 204, r.text
    after = _get(client, world.alice, made["id"])
    assert _names(after) == ["New", "Qualified", "Proposal", "Won", "Lost"]
    assert [s["position"] for s in after["stages"]] == list(range(5))
    for lead_id in leads:
        lead = client.get(f"{API}/leads/{lead_id}", headers=world.alice.headers).json()
        assert lead["stage_id"] == ids["Qualified"]
    with unit_of_work(write=False, org_id=world.alice.org_id) as s:
        lead_uuid = uuid.UUID(leads[0])
        history = s.scalars(
            select(LeadStatusHistory)
            .where(LeadStatusHistory.lead_id == lead_uuid)
            .order_by(LeadStatusHistory.id)
        ).all()
        moves = s.scalars(
            select(Activity).where(Activity.lead_id == lead_uuid, Activity.kind == "stage_changed")
        )
        moved = list(moves)
    assert [h.reason for h in history] == [None, "Stage Contacted deleted"]
    # The entry into the deleted stage stays, without its stage; the move out of it names the new one.
    assert [h.to_stage_id for h in history] == [None, uuid.UUID(ids["Qualified"])]
    assert history[-1].changed_by_id == world.alice.user_id
    assert len(moved) == 1 and moved[0].data["to_stage_id"] == ids["Qualified"]


@both_databases
def test_open_leads_of_a_deleted_stage_are_not_moved_into_a_lost_stage(client, world):
    made = _create(client, world.alice, "Partners")
    ids = _stage_ids(made)
    lead = _lead(client, world.alice, ids["Proposal"])
    r = client.delete(
        f"{API}/pipelines/{made['id']}/stages/{ids['Proposal']}?move_to={ids['Lost']}",
        headers=world.alice.headers,
    )
    assert r.status_code == 422 and _field(r) == "move_to"
    assert r.json()["detail"] == "Leads still being worked can only move to another open stage."
    got = client.get(f"{API}/leads/{lead['id']}", headers=world.alice.headers).json()
    assert got["stage_id"] == ids["Proposal"] and got["lost_reason"] is None


def test_viewer_and_member_read_but_cannot_change(client, world):
    made = _create(client, world.alice, "Partners")
    stage = made["stages"][0]["id"]
    base = f"{API}/pipelines/{made['id']}"
    assert client.get(base, headers=world.bob.headers).status_code == 200
    calls = [
        ("POST", f"{API}/pipelines", {"name": "Mine"}),
        ("PATCH", base, {"name": "Mine"}),
        ("DELETE", base, None),
        ("POST", f"{base}/stages", {"name": "Mine"}),
        ("PATCH", f"{base}/stages/{stage}", {"name": "Mine"}),
        ("DELETE", f"{base}/stages/{stage}", None),
    ]

    def refused() -> None:
        for method, url, body in calls:
            kwargs = {"json": body} if body is not None else {}
            r = client.request(method, url, headers=world.bob.headers, **kwargs)
            assert r.status_code == 403, (method, url, r.text)

    refused()
    r = client.patch(
        f"{API}/members/{world.bob.member_id}", json={"role": "viewer"}, headers=world.alice.headers
    )
    assert r.status_code == 200, r.text
    refused()
    assert _get(client, world.bob, made["id"])["name"] == "Partners"


@both_databases
def test_other_orgs_pipeline_ids_answer_like_missing_ones(client, world):
    """Every pipeline route, called by Carol with org A's ids, is the same 404 as a random id."""
    spec = client.get("/api/openapi.json").json()
    ops = [op for op in operations(spec) if op.path.startswith("/api/v1/pipelines/")]
    assert len(ops) == 6
    stage_a = world.ids["stage_id"]
    carol_pipeline = _pipelines(client, world.carol)[0]
    for op in ops:
        body = sample(op.body_schema, spec)
        kwargs = {"json": body} if body is not None else {}
        a_ids = {p: world.ids[p] for p in op.params}
        ghost = {p: uuid.uuid4() for p in op.params}
        on_a = client.request(op.method, op.url(a_ids), headers=world.carol.headers, **kwargs)
        on_ghost = client.request(op.method, op.url(ghost), headers=world.carol.headers, **kwargs)
        assert on_a.status_code == 404, (op.method, op.path, on_a.text)
        # The problem's "instance" echoes the URL Carol sent; nothing else may carry A's data.
        a_body = on_a.json() | {"instance": "", "request_id": ""}
        ghost_body = on_ghost.json() | {"instance": "", "request_id": ""}
        for marker in world.markers_a:
            assert marker not in json.dumps(a_body)
        assert a_body == ghost_body
    # Carol's own pipeline with A's stage, or A's stage as a move target: still nothing of A.
    r = client.patch(
        f"{API}/pipelines/{carol_pipeline['id']}/stages/{stage_a}",
        json={"name": "x"},
        headers=world.carol.headers,
    )
    assert r.status_code == 404
    own = carol_pipeline["stages"][0]["id"]
    r = client.delete(
        f"{API}/pipelines/{carol_pipeline['id']}/stages/{own}?move_to={stage_a}", headers=world.carol.headers
    )
    assert r.status_code == 422 and _field(r) == "move_to"
    assert "Acme" not in json.dumps(r.json())
    # And org A's pipeline is untouched.
    a_pipeline = _get(client, world.alice, world.ids["pipeline_id"])
    assert a_pipeline["name"] == "Acme Alpha Renewals" and "Acme Alpha Review" in _names(a_pipeline)
