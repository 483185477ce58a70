"""The task list (/tasks) and a task's edit and reopen on the lead page, through a real app."""

from __future__ import annotations

import html
import re
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

from salesos.auth.principal import Principal
from salesos.db.session import unit_of_work
from salesos.leads.models import Task
from salesos.leads.repository import LeadRepository
from salesos.leads.service import work
from salesos.leads.zones import day_bounds
from salesos.orgs.models import Membership, Role
from tests.conftest import both_databases
from tests.support.world import Person
from tests.web import test_board
from tests.web.test_board import sign_in
from tests.web.test_lead_actions import make_lead

browser = test_board.browser  # the fixture, shared with the board tests


def add_task(
    person: Person, lead_id: uuid.UUID, title: str, due_at: datetime | None, **fields: Any
) -> uuid.UUID:
    principal = Principal(org_id=person.org_id, role=Role.OWNER, kind="token", user_id=person.user_id)
    with unit_of_work(org_id=person.org_id, user_id=person.user_id) as session:
        lead = LeadRepository(session).get(lead_id)
        assert lead is not None
        return work.add_task(session, principal, lead, title=title, due_at=due_at, **fields).id


def task(person: Person, task_id: uuid.UUID) -> Task:
    with unit_of_work(write=False, org_id=person.org_id, user_id=person.user_id) as session:
        found = session.get(Task, task_id)
        assert found is not None
        session.expunge(found)
        return found


def group_titles(page: str, key: str) -> list[str]:
    """The task titles under one heading of the task list."""
    section = page.split(f'id="tasks-{key}-h"')[1].split("</section>")[0]
    return [html.unescape(title) for title in re.findall(r"<strong>([^<]+)</strong>", section)]


@both_databases
def test_the_list_groups_the_readers_open_tasks_by_when_they_are_due(client, browser, world):
    alice, bob = world.alice, world.bob
    lead_id = make_lead(alice)
    with unit_of_work(org_id=alice.org_id, user_id=alice.user_id) as session:
        lead = LeadRepository(session).get(lead_id)
        assert lead is not None
        lead.owner_id = alice.user_id
    day_start, day_end = day_bounds("UTC", datetime.now(UTC))
    add_task(alice, lead_id, "Chase the invoice", day_start - timedelta(hours=1), assignee_id=alice.user_id)
    add_task(alice, lead_id, "Call before close", day_end - timedelta(minutes=1), assignee_id=None)
    add_task(alice, lead_id, "Quarterly review", day_end + timedelta(days=3), assignee_id=alice.user_id)
    add_task(alice, lead_id, "Someday: case study", None, assignee_id=alice.user_id)
    add_task(alice, lead_id, "Bob's site visit", day_start - timedelta(hours=2), assignee_id=bob.user_id)
    done = add_task(alice, lead_id, "Already sent", day_start - timedelta(hours=3), assignee_id=alice.user_id)
    with unit_of_work(org_id=alice.org_id, user_id=alice.user_id) as session:
        session.get(Task, done).done_at = datetime.now(UTC)  # type: ignore[union-attr]

    b = browser()
    sign_in(b, alice)
    assert '<a href="/tasks">' in b.get("/").text, "the dashboard and the navigation lead here"
    mine = b.get("/tasks").text
    assert group_titles(mine, "overdue") == ["Chase the invoice"]
    assert group_titles(mine, "today") == ["Call before close"], "unassigned on my lead is mine"
    assert group_titles(mine, "upcoming") == ["Quarterly review"]
    assert group_titles(mine, "undated") == ["Someday: case study"]
    everyone = b.get("/tasks?who=all").text
    assert group_titles(everyone, "overdue") == ["Bob's site visit", "Chase the invoice"]
    assert bob.name in everyone, "everyone's list says whose each task is"
    odd = b.get("/tasks?who=nobody")  # a link's odd value shows the reader's own list, not an error page
    assert odd.status_code == 200 and group_titles(odd.text, "overdue") == ["Chase the invoice"]

    carol = browser()
    sign_in(carol, world.carol)
    assert "Chase the invoice" not in carol.get("/tasks?who=all").text


def test_done_from_the_list_returns_to_the_list(client, browser, world):
    lead_id = make_lead(world.alice)
    task_id = add_task(world.alice, lead_id, "Send the deck", None, assignee_id=world.alice.user_id)
    b = browser()
    token = sign_in(b, world.alice)
    form = {"csrf_token": token, "return_to": "/tasks?done=done"}
    response = b.post(f"/leads/{lead_id}/tasks/{task_id}/done", data=form)
    assert response.status_code == 303 and response.headers["location"] == "/tasks?done=done"
    assert task(world.alice, task_id).done_at is not None
    page = b.get("/tasks?done=done").text
    assert "Task done." in page and "Send the deck" not in page
    elsewhere = {"csrf_token": token, "return_to": "https://evil.example/"}
    other = add_task(world.alice, lead_id, "Another", None, assignee_id=None)
    assert (
        b.post(f"/leads/{lead_id}/tasks/{other}/done", data=elsewhere)
        .headers["location"]
        .startswith("/leads/")
    )


@both_databases
def test_a_task_is_renamed_rescheduled_reassigned_and_reopened_on_the_lead_page(client, browser, world):
    alice, bob = world.alice, world.bob
    lead_id = make_lead(alice)
    task_id = add_task(
        alice, lead_id, "Call", datetime(2030, 1, 2, 9, 0, tzinfo=UTC), assignee_id=alice.user_id
    )
    b = browser()
    token = sign_in(b, alice)
    page = b.get(f"/leads/{lead_id}").text
    assert 'value="2030-01-02T09:00"' in page, "the edit form starts from the task as it is"
    edit = {"csrf_token": token, "title": "Call about the renewal", "due_at": "2030-01-03T15:30"}
    saved = b.post(f"/leads/{lead_id}/tasks/{task_id}/edit", data=edit | {"assignee": str(bob.user_id)})
    assert saved.status_code == 303
    changed = task(alice, task_id)
    assert changed.title == "Call about the renewal" and changed.assignee_id == bob.user_id
    assert changed.due_at == datetime(2030, 1, 3, 15, 30, tzinfo=UTC)

    for bad, field in (({"due_at": "soon"}, "due"), ({"title": " "}, "title")):
        refused = b.post(f"/leads/{lead_id}/tasks/{task_id}/edit", data=edit | bad)
        assert refused.status_code == 422 and f'id="task-{task_id}-{field}-error"' in refused.text
        assert '<details class="task-edit" open>' in refused.text, "the form stays open by its errors"
    stranger = b.post(
        f"/leads/{lead_id}/tasks/{task_id}/edit", data=edit | {"assignee": str(world.carol.user_id)}
    )
    assert stranger.status_code == 422
    assert task(alice, task_id).assignee_id == bob.user_id, "a refused edit changes nothing"

    b.post(f"/leads/{lead_id}/tasks/{task_id}/done", data={"csrf_token": token})
    assert "Reopen" in b.get(f"/leads/{lead_id}").text
    reopened = b.post(f"/leads/{lead_id}/tasks/{task_id}/reopen", data={"csrf_token": token})
    assert reopened.status_code == 303 and task(alice, task_id).done_at is None


def test_viewers_read_the_list_and_other_orgs_reach_nothing(client, browser, world):
    lead_id = make_lead(world.alice)
    task_id = add_task(world.alice, lead_id, "Prepare demo", None, assignee_id=world.bob.user_id)
    with unit_of_work(org_id=world.alice.org_id, user_id=world.alice.user_id) as session:
        membership = session.get(Membership, world.bob.member_id)
        assert membership is not None
        membership.role = Role.VIEWER.value
    viewer = browser()
    token = sign_in(viewer, world.bob)
    page = viewer.get("/tasks").text
    assert "Prepare demo" in page and "/done" not in page
    assert (
        viewer.post(f"/leads/{lead_id}/tasks/{task_id}/edit", data={"csrf_token": token}).status_code == 403
    )
    carol = browser()
    carol_token = sign_in(carol, world.carol)
    for action in ("edit", "reopen", "done"):
        data = {"csrf_token": carol_token, "title": "Mine"}
        assert carol.post(f"/leads/{lead_id}/tasks/{task_id}/{action}", data=data).status_code == 404
    assert task(world.alice, task_id).title == "Prepare demo"
