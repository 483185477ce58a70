"""A new task from the lead page can be for someone other than the lead's owner, and the lead's task list
says whom an assigned task is for."""

from __future__ import annotations

from sqlalchemy import select

from salesos.db.session import unit_of_work
from salesos.leads.models import Task
from tests.web import test_board
from tests.web.test_board import make_leads, sign_in

browser = test_board.browser  # the fixture, shared with the board tests


def _tasks(world):  # type: ignore[no-untyped-def]
    with unit_of_work(write=False, org_id=world.alice.org_id) as session:
        return {t.title: t.assignee_id for t in session.scalars(select(Task))}


def test_a_new_task_for_a_teammate_and_one_that_follows_the_owner(client, browser, world):
    (lead_id,) = make_leads(world.alice, 1, name="Assign Co")
    b = browser()
    token = sign_in(b, world.alice)
    for_bob = {
        "title": "Send Bob's quote",
        "due_at": "",
        "assignee": str(world.bob.user_id),
        "csrf_token": token,
    }
    assert b.post(f"/leads/{lead_id}/tasks", data=for_bob).status_code == 303
    owners = {"title": "Call back", "due_at": "", "assignee": "", "csrf_token": token}
    assert b.post(f"/leads/{lead_id}/tasks", data=owners).status_code == 303
    tasks = _tasks(world)
    assert (tasks["Send Bob's quote"], tasks["Call back"]) == (world.bob.user_id, None)
    page = b.get(f"/leads/{lead_id}").text
    assert 'Send Bob&#39;s quote</strong> <span class="muted small">for Bob' in page

    # Someone of another organisation is no assignee: refused, nothing added, the form comes back.
    outsider = {**owners, "title": "Sneaky", "assignee": str(world.carol.user_id)}
    refused = b.post(f"/leads/{lead_id}/tasks", data=outsider)
    assert refused.status_code == 422
    assert 'id="f-task-assignee-error"' in refused.text
    assert "Sneaky" not in _tasks(world)
