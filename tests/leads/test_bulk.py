"""POST /leads/bulk: by ids or by filter, stage moves through history, owners, tags, the job path."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import delete, func, select, update

from salesos.auth.principal import Principal
from salesos.db.session import unit_of_work
from salesos.jobs.models import OutboxJob
from salesos.jobs.testing import drain
from salesos.leads.models import Activity, Lead, LeadStatusHistory, PipelineStage
from salesos.leads.schemas import CompanyIn, LeadCreateIn
from salesos.leads.service import bulk
from salesos.leads.service.leads import create_lead
from salesos.orgs.models import Role
from tests.conftest import both_databases

API = "/api/v1"
BULK = f"{API}/leads/bulk"


def _leads(world: Any, count: int, tag: str = "batch") -> list[str]:
    principal = Principal(
        org_id=world.alice.org_id, role=Role.OWNER, kind="token", user_id=world.alice.user_id
    )
    with unit_of_work(org_id=world.alice.org_id, user_id=world.alice.user_id) as session:
        made = [
            create_lead(session, principal, LeadCreateIn(company=CompanyIn(name=f"Bulk {i}"), tags=[tag]))
            for i in range(count)
        ]
        return [str(lead.id) for lead in made]


def _stages(client: Any, world: Any) -> dict[str, str]:
    pipeline = client.get(f"{API}/pipelines", headers=world.alice.headers).json()[0]
    return {s["name"]: s["id"] for s in pipeline["stages"]}


def _lost_stage(client: Any, world: Any) -> str:
    pipeline = client.get(f"{API}/pipelines", headers=world.alice.headers).json()[0]
    return next(s["id"] for s in pipeline["stages"] if s["kind"] == "lost")


def _lead(client: Any, world: Any, lead_id: str) -> dict[str, Any]:
    r = client.get(f"{API}/leads/{lead_id}", headers=world.alice.headers)
    assert r.status_code == 200
    result: dict[str, Any] = r.json()
    return result


def _history(world: Any, lead_id: str) -> int:
    with unit_of_work(write=False, org_id=world.alice.org_id) as session:
        stmt = select(func.count()).where(LeadStatusHistory.lead_id == uuid.UUID(lead_id))
        return int(session.scalar(stmt) or 0)


@both_databases
def test_bulk_by_ids_moves_assigns_and_tags(client, world):
    ids = _leads(world, 3)
    qualified = _stages(client, world)["Qualified"]
    foreign = str(world.ids["lead_id"])  # org A's; Carol's request below sees it as unknown
    ghost = str(uuid.uuid4())
    body = {
        "ids": [*ids, ghost, ids[0]],
        "set": {"stage_id": qualified, "owner_id": str(world.bob.user_id), "add_tags": ["vip", "batch"]},
    }
    r = client.post(BULK, json=body, headers=world.alice.headers)
    assert r.status_code == 200, r.text
    assert r.json() == {"status": "done", "matched": 3, "updated": 3, "not_found": [ghost], "job_id": None}
    for lead_id in ids:
        lead = _lead(client, world, lead_id)
        assert lead["stage_id"] == qualified and lead["owner_id"] == str(world.bob.user_id)
        assert lead["tags"] == ["batch", "vip"]
        assert _history(world, lead_id) == 2  # created + the bulk move
    timeline = client.get(f"{API}/leads/{ids[0]}/timeline", headers=world.alice.headers).json()["items"]
    assert [a["kind"] for a in timeline[:2]] == ["updated", "stage_changed"]
    # Again: nothing left to change, nothing recorded.
    again = client.post(BULK, json=body, headers=world.alice.headers).json()
    assert again["updated"] == 0 and _history(world, ids[0]) == 2
    removed = client.post(BULK, json={"ids": ids, "set": {"remove_tags": ["vip"], "owner_id": None}},
                          headers=world.alice.headers)  # fmt: skip
    assert removed.json()["updated"] == 3
    assert (
        _lead(client, world, ids[1])["tags"] == ["batch"] and _lead(client, world, ids[1])["owner_id"] is None
    )
    # Carol: A's ids are unknown to her, reported, not an error, and nothing of A changes.
    carol = client.post(
        BULK, json={"ids": [foreign], "set": {"add_tags": ["x"]}}, headers=world.carol.headers
    )
    assert carol.status_code == 200 and carol.json()["not_found"] == [foreign]
    assert "x" not in _lead(client, world, foreign)["tags"]


def test_lost_stage_needs_a_reason(client, world):
    ids = _leads(world, 2)
    lost = _lost_stage(client, world)
    r = client.post(BULK, json={"ids": ids, "set": {"stage_id": lost}}, headers=world.alice.headers)
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "set.lost_reason"
    assert _history(world, ids[0]) == 1  # nothing written
    body = {"ids": ids, "set": {"stage_id": lost, "lost_reason": "Budget cut"}}
    r = client.post(BULK, json=body, headers=world.alice.headers)
    assert r.status_code == 200 and r.json()["updated"] == 2
    assert _lead(client, world, ids[0])["lost_reason"] == "Budget cut"


def test_bad_requests(client, world):
    ids = _leads(world, 1)
    cases = [
        ({"ids": ids, "set": {}}, "set"),
        ({"set": {"add_tags": ["x"]}}, "ids"),
        ({"ids": ids, "filter": {}, "set": {"add_tags": ["x"]}}, "ids"),
        ({"ids": ids, "set": {"stage_id": str(uuid.uuid4())}}, "set.stage_id"),
        ({"ids": ids, "set": {"owner_id": str(world.carol.user_id)}}, "set.owner_id"),
        ({"ids": [str(uuid.uuid4())] * 1001, "set": {"add_tags": ["x"]}}, "ids"),
        ({"ids": ids, "set": {"add_tags": ["x"]}, "org_id": str(world.carol.org_id)}, "org_id"),
        ({"ids": ids, "set": {"add_tags": ["x", "y"], "remove_tags": ["y"]}}, "set.remove_tags"),
    ]
    for body, field in cases:
        r = client.post(BULK, json=body, headers=world.alice.headers)
        assert r.status_code == 422, (body, r.text)
        assert r.headers["content-type"].startswith("application/problem+json")
        assert any(field in e["field"] for e in r.json()["errors"]), (field, r.json())


def test_viewer_may_not_bulk_update(client, world):
    ids = _leads(world, 1)
    client.patch(f"{API}/members/{world.bob.member_id}", json={"role": "viewer"}, headers=world.alice.headers)
    r = client.post(BULK, json={"ids": ids, "set": {"add_tags": ["x"]}}, headers=world.bob.headers)
    assert r.status_code == 403
    assert _lead(client, world, ids[0])["tags"] == ["batch"]


@both_databases
def test_bulk_by_filter_inline(client, world):
    ids = _leads(world, 4, tag="cold")
    _leads(world, 2, tag="warm")
    body = {"filter": {"tag": "cold"}, "set": {"add_tags": ["reviewed"]}}
    r = client.post(BULK, json=body, headers=world.alice.headers)
    assert r.status_code == 200 and r.json()["matched"] == 4 and r.json()["updated"] == 4
    assert all("reviewed" in _lead(client, world, i)["tags"] for i in ids)
    warm = client.get(f"{API}/leads?tag=warm", headers=world.alice.headers).json()["items"]
    assert all("reviewed" not in lead["tags"] for lead in warm)
    # Carol's filter sees only her org: nothing of A matches.
    carol = client.post(BULK, json=body, headers=world.carol.headers)
    assert carol.json() == {"status": "done", "matched": 0, "updated": 0, "not_found": [], "job_id": None}


@both_databases
def test_large_filter_becomes_an_idempotent_job(client, world, monkeypatch):
    monkeypatch.setattr(bulk, "INLINE_LIMIT", 3)
    monkeypatch.setattr(bulk, "BATCH_SIZE", 2)
    ids = _leads(world, 7, tag="cold")
    qualified = _stages(client, world)["Qualified"]
    body = {"filter": {"tag": "cold"}, "set": {"stage_id": qualified, "add_tags": ["moved"]}}
    r = client.post(BULK, json=body, headers=world.alice.headers)
    assert r.status_code == 202, r.text
    assert r.json()["status"] == "queued" and r.json()["matched"] == 7 and r.json()["job_id"]
    late = _leads(world, 1, tag="cold")  # created after the request: not part of it
    assert _lead(client, world, ids[0])["stage_id"] != qualified  # nothing yet: the job does it
    drain()
    for lead_id in ids:
        lead = _lead(client, world, lead_id)
        assert lead["stage_id"] == qualified and "moved" in lead["tags"]
        assert _history(world, lead_id) == 2
    assert "moved" not in _lead(client, world, late[0])["tags"]
    # Running the same job again changes nothing.
    job_id = uuid.UUID(r.json()["job_id"])
    with unit_of_work() as session:
        outbox = session.get(OutboxJob, job_id)
        assert outbox is not None and outbox.status == "done"
        session.execute(update(OutboxJob).where(OutboxJob.id == job_id).values(status="pending"))
    assert drain() == 1
    assert all(_history(world, lead_id) == 2 for lead_id in ids)
    with unit_of_work(write=False, org_id=world.alice.org_id) as session:
        stmt = select(func.count()).select_from(Activity).where(Activity.kind == "stage_changed")
        assert session.scalar(stmt) == 7
        assert (
            session.scalar(
                select(func.count()).select_from(Lead).where(Lead.stage_id == uuid.UUID(qualified))
            )
            == 7
        )


def test_many_ids_become_a_job_too(client, world, monkeypatch):
    monkeypatch.setattr(bulk, "INLINE_LIMIT", 2)
    monkeypatch.setattr(bulk, "BATCH_SIZE", 2)
    ids = _leads(world, 5)
    ghost = str(uuid.uuid4())
    body = {"ids": [*ids, ghost], "set": {"owner_id": str(world.bob.user_id), "remove_tags": ["batch"]}}
    r = client.post(BULK, json=body, headers=world.alice.headers)
    assert r.status_code == 202, r.text
    assert r.json()["matched"] == 5 and r.json()["not_found"] == [ghost] and r.json()["status"] == "queued"
    assert _lead(client, world, ids[0])["owner_id"] is None
    drain()
    for lead_id in ids:
        lead = _lead(client, world, lead_id)
        assert lead["owner_id"] == str(world.bob.user_id) and lead["tags"] == []


def test_job_refuses_a_stage_deleted_since_the_request(client, world, monkeypatch):
    monkeypatch.setattr(bulk, "INLINE_LIMIT", 1)
    ids = _leads(world, 2)
    with unit_of_work(org_id=world.alice.org_id, user_id=world.alice.user_id) as session:
        from salesos.leads.service.pipelines import add_stage, ensure_default_pipeline

        doomed = add_stage(session, ensure_default_pipeline(session), "Doomed").id
    r = client.post(BULK, json={"ids": ids, "set": {"stage_id": str(doomed)}}, headers=world.alice.headers)
    assert r.status_code == 202
    with unit_of_work(org_id=world.alice.org_id) as session:
        session.execute(delete(PipelineStage).where(PipelineStage.id == doomed))
    drain(raise_errors=False)
    with unit_of_work(write=False) as session:
        outbox = session.get(OutboxJob, uuid.UUID(r.json()["job_id"]))
        assert outbox is not None and outbox.status == "dead"
    assert all(_history(world, lead_id) == 1 for lead_id in ids)
