"""A note's Edit and Delete… on the lead page: offered to its author and admins only, a refused edit comes
back open with the text as typed; a task's Delete."""

from __future__ import annotations

import uuid

from salesos.auth.principal import Principal
from salesos.db.session import unit_of_work
from salesos.leads.models import Note, Task
from salesos.leads.service import leads as lead_service
from salesos.leads.service import work as work_service
from salesos.orgs.models import Role
from tests.support.world import Person
from tests.web import test_board
from tests.web.test_board import make_leads, sign_in

browser = test_board.browser  # the fixture, shared with the board tests


def _note(person: Person, lead_id: uuid.UUID, body: str) -> uuid.UUID:
    principal = Principal(org_id=person.org_id, role=Role.MEMBER, kind="token", user_id=person.user_id)
    with unit_of_work(org_id=person.org_id, user_id=person.user_id) as session:
        lead = lead_service.lead_or_404(session, lead_id)
        return work_service.add_note(session, principal, lead, body).id


def _body(person: Person, note_id: uuid.UUID) -> str | None:
    with unit_of_work(write=False, org_id=person.org_id) as session:
        note = session.get(Note, note_id)
        return None if note is None else note.body


def test_note_controls_edit_and_delete(client, browser, world):
    (lead_id,) = make_leads(world.alice, 1, name="Note Co")
    hers = _note(world.alice, lead_id, "Alice's *own* words")
    his = _note(world.bob, lead_id, "Bob was here")

    bob = browser()
    bob_token = sign_in(bob, world.bob)
    page = bob.get(f"/leads/{lead_id}").text
    assert f"/notes/{his}/edit" in page and f"/notes/{his}/delete" in page
    assert f"/notes/{hers}/edit" not in page and f"/notes/{hers}/delete" not in page
    # Offering nothing is not the guard: the server refuses Bob on Alice's note too.
    refused = bob.post(
        f"/leads/{lead_id}/notes/{hers}/edit", data={"body": "Bob's now", "csrf_token": bob_token}
    )
    assert refused.status_code == 403 and _body(world.alice, hers) == "Alice's *own* words"

    # An empty edit is refused: the form comes back open, with the error and the text as typed.
    empty = bob.post(f"/leads/{lead_id}/notes/{his}/edit", data={"body": "   ", "csrf_token": bob_token})
    assert empty.status_code == 422
    form = empty.text.split(f'action="/leads/{lead_id}/notes/{his}/edit"', 1)[0].rsplit("<details", 1)[1]
    assert form.startswith(' class="inline-edit" open')
    assert f'id="note-{his}-body-error"' in empty.text and _body(world.bob, his) == "Bob was here"

    saved = bob.post(
        f"/leads/{lead_id}/notes/{his}/edit", data={"body": "Bob **was** here", "csrf_token": bob_token}
    )
    assert saved.status_code == 303 and saved.headers["location"].endswith("?done=note-saved#notes")
    page = bob.get(saved.headers["location"]).text
    assert "Note saved." in page and "<strong>was</strong>" in page and ">edited</span>" in page
    assert "Edited a note: “Bob was here”" in page  # the timeline quotes the note as it reads

    # Alice is the owner: she may delete Bob's note; the timeline keeps that it was added, and deleted.
    alice = browser()
    alice_token = sign_in(alice, world.alice)
    assert f"/notes/{his}/delete" in alice.get(f"/leads/{lead_id}").text
    gone = alice.post(f"/leads/{lead_id}/notes/{his}/delete", data={"csrf_token": alice_token})
    assert gone.status_code == 303 and _body(world.alice, his) is None
    page = alice.get(gone.headers["location"]).text
    assert "Note deleted." in page and "Deleted a note" in page and "Added a note (since deleted)" in page


def test_task_delete_from_the_page(client, browser, world):
    (lead_id,) = make_leads(world.alice, 1, name="Task Co")
    b = browser()
    token = sign_in(b, world.alice)
    b.post(f"/leads/{lead_id}/tasks", data={"title": "Drop by", "csrf_token": token})
    with unit_of_work(write=False, org_id=world.alice.org_id) as session:
        task_id = session.query(Task.id).filter(Task.lead_id == lead_id).scalar()
    assert f"/tasks/{task_id}/delete" in b.get(f"/leads/{lead_id}").text
    deleted = b.post(f"/leads/{lead_id}/tasks/{task_id}/delete", data={"csrf_token": token})
    assert deleted.status_code == 303
    page = b.get(deleted.headers["location"]).text
    assert "Task deleted." in page and "Deleted a task" in page and "Drop by" not in page
