"""Bulk moves and assignments tell each person once per change, with a count, not once per lead."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import update

from salesos.db.session import unit_of_work
from salesos.jobs.models import OutboxJob
from salesos.jobs.testing import drain
from salesos.leads.service import bulk
from tests.conftest import both_databases
from tests.notifications.helpers import new_lead, notifications_of, types_of

API = "/api/v1"


def _stage(client: Any, person: Any, name: str) -> str:
    pipeline = client.get(f"{API}/pipelines", headers=person.headers).json()[0]
    return str(next(s["id"] for s in pipeline["stages"] if s["name"] == name))


def _listed(client: Any, person: Any) -> list[dict[str, Any]]:
    r = client.get(f"{API}/notifications", headers=person.headers)
    assert r.status_code == 200, r.text
    items: list[dict[str, Any]] = r.json()["items"]
    return items


def _bulk(client: Any, person: Any, body: dict[str, Any], status: int = 200) -> dict[str, Any]:
    r = client.post(f"{API}/leads/bulk", json=body, headers=person.headers)
    assert r.status_code == status, r.text
    result: dict[str, Any] = r.json()
    return result


@both_databases
def test_a_bulk_assignment_is_one_notification_with_the_count(client, world):
    ids = [str(new_lead(world.alice, f"Assign {i}")) for i in range(3)]
    body = {"ids": ids, "set": {"owner_id": str(world.bob.user_id)}}
    assert _bulk(client, world.alice, body)["updated"] == 3
    (shown,) = _listed(client, world.bob)
    assert shown["type"] == "lead_assigned" and shown["lead_id"] is None
    assert shown["payload"] == {"count": 3, "owner_id": str(world.bob.user_id)}
    assert shown["text"] == "Alice Anders assigned 3 leads to you"
    assert shown["url"] == f"/leads/list?owner_id={world.bob.user_id}"
    assert types_of(world.alice) == []  # never the actor
    _bulk(client, world.alice, body)  # nothing left to change: nothing to tell
    assert len(notifications_of(world.bob)) == 1


@both_databases
def test_a_bulk_move_tells_each_owner_once(client, world):
    bobs = [str(new_lead(world.alice, f"Bob's {i}", owner_id=world.bob.user_id)) for i in range(3)]
    alices = str(new_lead(world.alice, "Alice's own", owner_id=world.alice.user_id))
    nobodys = str(new_lead(world.alice, "Nobody's"))
    qualified = _stage(client, world.alice, "Qualified")
    _bulk(client, world.alice, {"ids": [*bobs, alices, nobodys], "set": {"stage_id": qualified}})
    (shown,) = _listed(client, world.bob)
    assert shown["type"] == "stage_changed"
    assert shown["text"] == "Alice Anders moved 3 of your leads to Qualified"
    assert shown["url"] == f"/leads/list?owner_id={world.bob.user_id}&stage_id={qualified}"
    assert types_of(world.alice) == []
    # One lead of Bob's moved in bulk reads like a single move, linked to that lead.
    proposal = _stage(client, world.alice, "Proposal")
    _bulk(client, world.alice, {"ids": [bobs[0], alices], "set": {"stage_id": proposal}})
    newest = _listed(client, world.bob)[0]
    assert newest["lead_id"] == bobs[0] and newest["text"].endswith("to Proposal")
    assert newest["url"] == f"/leads/{bobs[0]}"


def test_the_in_app_preference_applies_to_bulk_ones_too(client, world):
    quiet = {"type": "lead_assigned", "in_app": False, "push": False, "email_digest": False}
    preferences = {"preferences": [quiet]}
    r = client.put(f"{API}/notifications/preferences", json=preferences, headers=world.bob.headers)
    assert r.status_code == 200, r.text
    ids = [str(new_lead(world.alice, f"Quiet {i}")) for i in range(2)]
    _bulk(client, world.alice, {"ids": ids, "set": {"owner_id": str(world.bob.user_id)}})
    assert types_of(world.bob) == []


def test_the_job_path_tells_once_per_committed_batch_and_never_twice(client, world, monkeypatch):
    monkeypatch.setattr(bulk, "INLINE_LIMIT", 2)
    monkeypatch.setattr(bulk, "BATCH_SIZE", 2)
    ids = [str(new_lead(world.alice, f"Queued {i}")) for i in range(5)]
    queued = _bulk(client, world.alice, {"ids": ids, "set": {"owner_id": str(world.bob.user_id)}}, 202)
    drain()
    told = notifications_of(world.bob)
    # Batches of 2, 2 and 1: two counted notifications and one about the single lead.
    assert sorted((n.payload or {}).get("count", 1) for n in told) == [1, 2, 2]
    assert sum((n.payload or {}).get("count", 1) for n in told) == len(ids)
    job_id = uuid.UUID(queued["job_id"])
    with unit_of_work() as session:  # delivered again: every lead is already Bob's, nobody is told again
        session.execute(update(OutboxJob).where(OutboxJob.id == job_id).values(status="pending"))
    assert drain() == 1
    assert len(notifications_of(world.bob)) == 3
