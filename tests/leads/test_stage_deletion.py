"""Deleting and adding stages keeps a pipeline's meaning: the last won and lost stages stay, leads move only
to a stage of their own kind, owners hear once per deletion (not once per lead), saved views follow the
leads, and a new open stage lands before the stages that end the board."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import select

from salesos.db.session import unit_of_work
from salesos.leads.models import LeadStatusHistory, SavedView
from salesos.leads.repository import SavedViewRepository
from salesos.leads.service import pipelines as pipeline_service
from salesos.notifications.models import Notification
from tests.conftest import both_databases
from tests.support.world import Person

API = "/api/v1"


def _pipeline(client: Any, person: Person, name: str = "Partners", **extra: Any) -> dict[str, Any]:
    r = client.post(f"{API}/pipelines", json={"name": name, **extra}, headers=person.headers)
    assert r.status_code == 201, r.text
    return dict(r.json())


def _ids(pipeline: dict[str, Any]) -> dict[str, str]:
    return {s["name"]: s["id"] for s in pipeline["stages"]}


def _names(client: Any, person: Person, pipeline_id: str) -> list[str]:
    r = client.get(f"{API}/pipelines/{pipeline_id}", headers=person.headers)
    return [s["name"] for s in r.json()["stages"]]


def _lead(client: Any, person: Person, stage_id: str, name: str, **extra: Any) -> str:
    body = {"company": {"name": name}, "stage_id": stage_id, **extra}
    r = client.post(f"{API}/leads", json=body, headers=person.headers)
    assert r.status_code == 201, r.text
    return str(r.json()["id"])


def _get_lead(client: Any, person: Person, lead_id: str) -> dict[str, Any]:
    return dict(client.get(f"{API}/leads/{lead_id}", headers=person.headers).json())


def _delete(client: Any, person: Person, pipeline_id: str, stage_id: str, move_to: str | None = None) -> Any:
    query = f"?move_to={move_to}" if move_to else ""
    return client.delete(f"{API}/pipelines/{pipeline_id}/stages/{stage_id}{query}", headers=person.headers)


@both_databases
def test_the_only_won_stage_can_not_be_deleted_and_won_deals_never_become_lost(client, world):
    alice = world.alice
    made = _pipeline(client, alice)
    ids = _ids(made)
    won = [_lead(client, alice, ids["Won"], f"Won Co {i}") for i in range(3)]

    # What QA did: Won, "Move its leads to…" Lost, Delete.
    r = _delete(client, alice, made["id"], ids["Won"], ids["Lost"])
    assert r.status_code == 409, r.text
    assert r.json()["detail"] == (
        "“Won” is this pipeline's only won stage, where its won deals are counted: "
        "add another won stage first."
    )
    assert r.json()["errors"][0]["field"] == "stage_id"
    lost = _delete(client, alice, made["id"], ids["Lost"])
    assert lost.status_code == 409 and "only lost stage" in lost.json()["detail"]

    # With a second won stage, Won may go, but its deals still only move to a won stage.
    signed = client.post(
        f"{API}/pipelines/{made['id']}/stages", json={"name": "Signed", "kind": "won"}, headers=alice.headers
    ).json()
    r = _delete(client, alice, made["id"], ids["Won"], ids["Lost"])
    assert r.status_code == 422 and r.json()["detail"] == "Won deals can only move to another won stage."
    r = _delete(client, alice, made["id"], ids["Won"], ids["Proposal"])
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "move_to"
    assert all(_get_lead(client, alice, lead)["stage_id"] == ids["Won"] for lead in won)

    assert _delete(client, alice, made["id"], ids["Won"], signed["id"]).status_code == 204
    for lead in won:
        got = _get_lead(client, alice, lead)
        assert got["stage_id"] == signed["id"] and got["lost_reason"] is None
    assert _names(client, alice, made["id"]) == [
        "New",
        "Contacted",
        "Qualified",
        "Proposal",
        "Lost",
        "Signed",
    ]


def test_the_kind_of_the_last_won_or_lost_stage_stays(client, world):
    made = _pipeline(client, world.alice)
    ids = _ids(made)
    base = f"{API}/pipelines/{made['id']}/stages"
    for name, kind in (("Won", "open"), ("Lost", "won")):
        r = client.patch(f"{base}/{ids[name]}", json={"kind": kind}, headers=world.alice.headers)
        assert r.status_code == 409 and r.json()["errors"][0]["field"] == "kind", r.text
        assert f"“{name}” is this pipeline's only" in r.json()["detail"]
    # Renaming it, or saving it with its own kind, is fine.
    r = client.patch(
        f"{base}/{ids['Won']}", json={"name": "Closed", "kind": "won"}, headers=world.alice.headers
    )
    assert r.status_code == 200, r.text


@both_databases
def test_lost_leads_move_only_to_a_lost_stage_and_keep_their_reason(client, world):
    alice = world.alice
    made = _pipeline(client, alice)
    ids = _ids(made)
    churned = client.post(
        f"{API}/pipelines/{made['id']}/stages",
        json={"name": "Churned", "kind": "lost"},
        headers=alice.headers,
    ).json()
    lead = _lead(client, alice, ids["New"], "Gone Co")
    lost = {"stage_id": ids["Lost"], "lost_reason": "Budget"}
    assert client.patch(f"{API}/leads/{lead}", json=lost, headers=alice.headers).status_code == 200
    r = _delete(client, alice, made["id"], ids["Lost"], ids["New"])
    assert r.status_code == 422 and r.json()["detail"] == "Lost leads can only move to another lost stage."
    assert _delete(client, alice, made["id"], ids["Lost"], churned["id"]).status_code == 204
    got = _get_lead(client, alice, lead)
    assert got["stage_id"] == churned["id"] and got["lost_reason"] == "Budget"
    with unit_of_work(write=False, org_id=alice.org_id) as session:
        reasons = session.scalars(
            select(LeadStatusHistory.reason)
            .where(LeadStatusHistory.lead_id == uuid.UUID(lead))
            .order_by(LeadStatusHistory.id)
        ).all()
    assert reasons[-1] == "Stage Lost deleted"


def _stage_notifications(person: Person) -> list[Notification]:
    with unit_of_work(write=False, org_id=person.org_id) as session:
        stmt = select(Notification).where(
            Notification.user_id == person.user_id, Notification.type == "stage_changed"
        )
        found = list(session.scalars(stmt.order_by(Notification.id)))
        session.expunge_all()
        return found


@both_databases
def test_a_deleted_stages_owners_hear_once_not_once_per_lead(client, world):
    alice, bob = world.alice, world.bob
    made = _pipeline(client, alice)
    ids = _ids(made)
    bobs = [
        _lead(client, alice, ids["Contacted"], f"Bob Co {i}", owner_id=str(bob.user_id)) for i in range(3)
    ]
    _lead(client, alice, ids["Contacted"], "Alice Co", owner_id=str(alice.user_id))

    assert _delete(client, alice, made["id"], ids["Contacted"], ids["Qualified"]).status_code == 204
    told = _stage_notifications(bob)
    assert len(told) == 1, [n.payload for n in told]
    assert told[0].payload["count"] == 3 and told[0].payload["stage"] == "Qualified"
    assert _stage_notifications(alice) == []  # the admin who deleted it is never told
    # Every move is still on the leads' records.
    with unit_of_work(write=False, org_id=alice.org_id) as session:
        moved = session.scalars(
            select(LeadStatusHistory.lead_id).where(LeadStatusHistory.reason == "Stage Contacted deleted")
        ).all()
    assert {str(lead) for lead in moved} >= set(bobs) and len(moved) == 4


def _view(person: Person, name: str, filters: dict[str, Any], *, shared: bool = False) -> uuid.UUID:
    with unit_of_work(org_id=person.org_id, user_id=person.user_id) as session:
        view = SavedView(user_id=person.user_id, name=name, filters=filters, shared=shared)
        return SavedViewRepository(session).add(view).id


def _view_filters(person: Person, view_id: uuid.UUID) -> dict[str, Any]:
    with unit_of_work(write=False, org_id=person.org_id) as session:
        found = session.get(SavedView, view_id)
        assert found is not None
        return dict(found.filters)


@both_databases
def test_saved_views_on_a_deleted_stage_follow_its_leads(client, world):
    alice, bob = world.alice, world.bob
    made = _pipeline(client, alice)
    ids = _ids(made)
    _lead(client, alice, ids["Proposal"], "Proposed Co")
    mine = _view(alice, "Proposals", {"stage_id": ids["Proposal"], "tag": "hot"}, shared=True)
    theirs = _view(bob, "My proposals", {"stage_id": ids["Proposal"], "owner_id": str(bob.user_id)})
    other = _view(bob, "New ones", {"stage_id": ids["New"]})

    assert _delete(client, alice, made["id"], ids["Proposal"], ids["Qualified"]).status_code == 204
    assert _view_filters(alice, mine) == {"stage_id": ids["Qualified"], "tag": "hot"}
    assert _view_filters(bob, theirs) == {"stage_id": ids["Qualified"], "owner_id": str(bob.user_id)}
    assert _view_filters(bob, other) == {"stage_id": ids["New"]}


def test_views_change_in_the_deletions_transaction(client, world):
    alice = world.alice
    made = _pipeline(client, alice)
    ids = _ids(made)
    view = _view(alice, "Contacted", {"stage_id": ids["Contacted"]})
    with unit_of_work(org_id=alice.org_id, user_id=alice.user_id) as session:
        pipeline = pipeline_service.pipeline_or_404(session, uuid.UUID(made["id"]))
        stage = pipeline_service.stage_of_or_404(session, pipeline, uuid.UUID(ids["Contacted"]))
        pipeline_service.delete_stage(
            session, pipeline, stage, move_to=uuid.UUID(ids["New"]), actor_id=alice.user_id
        )
        assert session.get_one(SavedView, view).filters == {"stage_id": ids["New"]}
        session.rollback()  # the deletion fails to commit: the view keeps its stage with it
    assert _view_filters(alice, view) == {"stage_id": ids["Contacted"]}
    assert "Contacted" in _names(client, alice, made["id"])


@both_databases
def test_a_new_open_stage_goes_before_the_won_and_lost_stages(client, world):
    alice = world.alice
    made = _pipeline(client, alice)
    base = f"{API}/pipelines/{made['id']}/stages"
    demo = client.post(base, json={"name": "Demo"}, headers=alice.headers).json()
    assert demo["position"] == 4
    churned = client.post(base, json={"name": "Churned", "kind": "lost"}, headers=alice.headers).json()
    assert churned["position"] == 7
    client.post(base, json={"name": "Trial"}, headers=alice.headers)
    first = client.post(base, json={"name": "Inbox", "position": 0}, headers=alice.headers).json()
    assert first["position"] == 0  # a position asked for is kept
    assert _names(client, alice, made["id"]) == [
        "Inbox", "New", "Contacted", "Qualified", "Proposal", "Demo", "Trial", "Won", "Lost", "Churned",
    ]  # fmt: skip
