"""Removing a member hands their leads and open tasks to someone chosen (or nobody), in one transaction."""

from __future__ import annotations

import uuid
from typing import Any

from salesos.db.session import unit_of_work
from salesos.leads.service import leads as lead_service
from salesos.leads.service import work
from salesos.orgs.models import Role
from salesos.realtime.hub import set_hub
from salesos.realtime.memory import MemoryHub
from tests.conftest import both_databases
from tests.notifications.helpers import new_lead, notifications_of, principal, types_of
from tests.orgs.helpers import (
    add_member,
    give_work,
    hand_over_entries,
    owners,
    task_assignees,
    timeline_texts,
)
from tests.support.statements import executed_statements
from tests.web.test_board import browser, sign_in  # noqa: F401  (browser is a fixture)

API = "/api/v1"


def _remove(client: Any, world: Any, hand_to: object = None) -> Any:
    params = {"hand_to": str(hand_to)} if hand_to is not None else {}
    return client.delete(f"{API}/members/{world.bob.member_id}", params=params, headers=world.alice.headers)


def _member_emails(client: Any, world: Any) -> set[str]:
    items = client.get(f"{API}/members", headers=world.alice.headers).json()["items"]
    return {m["email"] for m in items}


def _task_on(person: Any, lead_id: uuid.UUID, assignee: Any, title: str) -> None:
    with unit_of_work(org_id=person.org_id, user_id=person.user_id) as session:
        lead = lead_service.lead_or_404(session, lead_id)
        work.add_task(
            session, principal(person), lead, title=title, due_at=None, assignee_id=assignee.user_id
        )


@both_databases
def test_removing_a_rep_hands_their_leads_and_open_tasks_to_the_chosen_member(client, world):
    dana = add_member(world, "dana@a.example", "Dana Reyes")
    leads = give_work(world.bob, world.alice, leads=3, tasks=2)
    _task_on(world.alice, new_lead(world.alice, "Alice Co"), world.bob, "On Alice's lead")

    assert _remove(client, world, dana.user_id).status_code == 204

    assert world.bob.email not in _member_emails(client, world)
    assert owners(world.alice, leads) == {dana.user_id}
    assignees = task_assignees(world.alice)
    assert {assignees[t] for t in ("Task 0", "Task 1", "On Alice's lead")} == {dana.user_id}
    assert assignees["Done"] == world.bob.user_id, "a done task keeps who did it"
    for lead_id in leads:
        (entry,) = hand_over_entries(world.alice, lead_id)
        assert entry["owner"] == str(dana.user_id) and entry["previous_owner_name"] == "Bob Brooks"
    assert timeline_texts(world.alice, leads[0])[0] == "Gave the lead to Dana Reyes"
    # One notification for the whole hand-over, worded with both counts, opening Dana's leads.
    items = client.get(f"{API}/notifications", headers=dana.headers).json()["items"]
    (told,) = [i for i in items if i["type"] == "work_handed_over"]
    assert told["text"] == "Alice Anders handed you 3 leads and 3 tasks from Bob Brooks"
    assert told["url"] == f"/leads/list?owner_id={dana.user_id}"
    assert "work_handed_over" not in types_of(world.alice), "the one who removed hears nothing"


@both_databases
def test_a_removal_without_a_choice_is_refused_and_changes_nothing(client, world):
    leads = give_work(world.bob, world.alice, leads=2, tasks=1)
    refused = _remove(client, world)
    assert refused.status_code == 422
    (error,) = refused.json()["errors"]
    assert error["field"] == "hand_to"
    assert error["message"] == (
        "Bob Brooks owns 2 leads and has 1 open task. Choose who takes them over, or nobody."
    )
    assert world.bob.email in _member_emails(client, world)
    assert owners(world.alice, leads) == {world.bob.user_id}
    work_now = client.get(f"{API}/members/{world.bob.member_id}/work", headers=world.alice.headers)
    assert work_now.json() == {"leads": 2, "open_tasks": 1}


def test_the_work_goes_only_to_someone_who_can_own_leads(client, world):
    viewer = add_member(world, "vic@a.example", "Vic Viewer", Role.VIEWER)
    leads = give_work(world.bob, world.alice, leads=1, tasks=1)
    not_an_owner = "Choose a member who can own leads: not a viewer, a deactivated account or an outsider."
    refusals = {
        viewer.user_id: not_an_owner,
        world.carol.user_id: not_an_owner,
        uuid.uuid4(): not_an_owner,
        world.bob.user_id: "Choose someone other than the member who is leaving.",
        "someone": "Use the user id of a member who can own leads, or nobody.",
    }
    for hand_to, message in refusals.items():
        refused = _remove(client, world, hand_to)
        assert refused.status_code == 422, (hand_to, refused.text)
        assert refused.json()["errors"] == [{"field": "hand_to", "message": message}], hand_to
    assert world.bob.email in _member_emails(client, world)
    assert owners(world.alice, leads) == {world.bob.user_id}


@both_databases
def test_nobody_leaves_the_leads_and_tasks_unassigned(client, world):
    leads = give_work(world.bob, world.alice, leads=2, tasks=2)
    assert _remove(client, world, "nobody").status_code == 204
    assert owners(world.alice, leads) == {None}
    assignees = task_assignees(world.alice)
    assert assignees["Task 0"] is None and assignees["Task 1"] is None
    assert timeline_texts(world.alice, leads[1])[0] == "Left it unowned"
    assert "work_handed_over" not in types_of(world.alice)


def test_someone_with_nothing_is_removed_without_a_choice(client, world):
    assert _remove(client, world).status_code == 204
    assert world.bob.email not in _member_emails(client, world)


class RecordingHub(MemoryHub):
    def __init__(self) -> None:
        super().__init__(queue_size=10)
        self.published: list[str] = []

    def publish(self, org_id: uuid.UUID, event: str, data: dict[str, Any]) -> None:
        if event.startswith(("lead.", "resync")):
            self.published.append(event)
        super().publish(org_id, event, data)


def test_a_big_hand_over_is_a_few_statements_and_one_resync(client, world):
    leads = give_work(world.bob, world.alice, leads=30, tasks=5)
    hub = RecordingHub()
    set_hub(hub)
    try:
        with executed_statements() as seen:
            assert _remove(client, world, world.alice.user_id).status_code == 204
    finally:
        set_hub(None)
    writes = [
        s.split("(")[0].split(" SET")[0].strip()
        for s in seen
        if s.lstrip().upper().startswith(("UPDATE", "INSERT"))
    ]
    assert writes.count("UPDATE leads") == 1 and writes.count("UPDATE tasks") == 1
    assert writes.count("INSERT INTO activities") == 1, "every timeline entry in one statement"
    assert hub.published == ["resync"], "browsers refetch once instead of 30 lead hints"
    assert owners(world.alice, leads) == {world.alice.user_id}


# --- the page ---------------------------------------------------------------------------------------------


def test_the_remove_form_says_what_they_have_and_asks_who_takes_it_over(client, browser, world):  # noqa: F811
    dana = add_member(world, "dana@a.example", "Dana Reyes")
    viewer = add_member(world, "vic@a.example", "Vic Viewer", Role.VIEWER)
    leads = give_work(world.bob, world.alice, leads=2, tasks=1)
    b = browser()
    token = sign_in(b, world.alice)
    members = b.get("/settings/members").text
    assert f'<form method="get" action="/settings/members/{world.bob.member_id}/remove">' in members

    asked = b.get(f"/settings/members/{world.bob.member_id}/remove")
    assert asked.status_code == 200
    assert "Remove Bob Brooks from Acme Alpha?" in asked.text
    assert "Bob Brooks owns 2 leads and has 1 open task." in asked.text
    choices = asked.text.split('name="hand_to"')[1].split("</select>")[0]
    assert f'value="{dana.user_id}"' in choices and f'value="{world.alice.user_id}"' in choices
    assert str(world.bob.user_id) not in choices and str(viewer.user_id) not in choices
    assert '<option value="nobody">Nobody (leave them unassigned)</option>' in choices

    path = f"/settings/members/{world.bob.member_id}/remove"
    unanswered = b.post(path, data={"csrf_token": token})
    assert unanswered.status_code == 422 and 'id="f-hand_to-error"' in unanswered.text
    assert owners(world.alice, leads) == {world.bob.user_id}
    done = b.post(path, data={"csrf_token": token, "hand_to": str(dana.user_id)})
    assert done.status_code == 303 and done.headers["location"] == "/settings/members?done=removed-handed"
    assert (
        "Their leads and open tasks now belong to the person you chose."
        in b.get(done.headers["location"]).text
    )
    assert owners(world.alice, leads) == {dana.user_id}
    assert [n.payload["work"] for n in notifications_of(dana) if n.type == "work_handed_over"] == [
        "2 leads and 1 task"
    ]


def test_leaving_asks_the_same_in_the_first_person(client, browser, world):  # noqa: F811
    leads = give_work(world.bob, world.alice, leads=1, tasks=0)
    b = browser()
    token = sign_in(b, world.bob)
    path = f"/settings/members/{world.bob.member_id}/remove"
    asked = b.get(path).text
    assert "Leave Acme Alpha?" in asked and "You own 1 lead and have no open tasks." in asked
    left = b.post(path, data={"csrf_token": token, "hand_to": str(world.alice.user_id)})
    assert left.status_code == 303 and left.headers["location"] == "/login?done=left"
    assert owners(world.alice, leads) == {world.alice.user_id}
    items = client.get(f"{API}/notifications", headers=world.alice.headers).json()["items"]
    assert [i["text"] for i in items if i["type"] == "work_handed_over"] == [
        "Bob Brooks handed you 1 lead as they left"
    ]


def test_only_admins_see_someone_elses_removal_and_other_orgs_see_nothing(client, browser, world):  # noqa: F811
    member, outsider = browser(), browser()
    sign_in(member, world.bob)
    sign_in(outsider, world.carol)
    assert member.get(f"/settings/members/{world.alice.member_id}/remove").status_code == 403
    assert outsider.get(f"/settings/members/{world.bob.member_id}/remove").status_code == 404
    assert outsider.get(f"/settings/members/{uuid.uuid4()}/remove").status_code == 404
