"""Each trigger notifies the right member, never the actor, and respects the in-app preference."""

from __future__ import annotations

from typing import Any

import pytest

from salesos.auth.models import User
from salesos.auth.repository import UserRepository
from salesos.db.session import unit_of_work
from salesos.leads.service import leads as lead_service
from salesos.leads.service import work
from salesos.leads.service.pipelines import ensure_default_pipeline
from salesos.notifications import registry, service, triggers
from salesos.notifications.schemas import PreferenceIn
from salesos.orgs.models import Membership, Role
from salesos.orgs.repository import MembershipRepository
from salesos.realtime import events
from tests.imports.helpers import run
from tests.notifications.helpers import new_lead, notifications_of, principal, types_of
from tests.support.world import Person


def _update(person: Person, lead_id: Any, **changes: Any) -> None:
    with unit_of_work(org_id=person.org_id, user_id=person.user_id) as session:
        lead = lead_service.lead_or_404(session, lead_id)
        lead_service.update_lead(session, principal(person), lead, dict(changes))


def _stage(person: Person, name: str) -> Any:
    with unit_of_work(org_id=person.org_id, user_id=person.user_id) as session:
        return next(s.id for s in ensure_default_pipeline(session).stages if s.name == name)


def _note(person: Person, lead_id: Any, body: str) -> None:
    with unit_of_work(org_id=person.org_id, user_id=person.user_id) as session:
        work.add_note(session, principal(person), lead_service.lead_or_404(session, lead_id), body)


def _prefer(person: Person, type_: str, in_app: bool) -> None:
    with unit_of_work(org_id=person.org_id, user_id=person.user_id) as session:
        change = PreferenceIn(type=type_, in_app=in_app, push=True, email_digest=False)
        service.save_preferences(session, person.user_id, [change])


def test_assigning_a_lead_notifies_the_new_owner_not_the_actor(world):
    lead_id = new_lead(world.alice)
    _update(world.alice, lead_id, owner_id=world.bob.user_id)
    (note,) = notifications_of(world.bob)
    assert (note.type, note.lead_id, note.actor_id) == ("lead_assigned", lead_id, world.alice.user_id)
    assert note.read_at is None and note.payload == {}
    assert types_of(world.alice) == []
    # Taking a lead yourself is no news to you; re-saving the same owner is no change.
    _update(world.bob, lead_id, owner_id=world.bob.user_id)
    _update(world.alice, lead_id, owner_id=world.alice.user_id)
    assert types_of(world.alice) == []
    assert types_of(world.bob) == ["lead_assigned"]


def test_stage_change_notifies_the_owner_only_when_someone_else_moves_it(world):
    lead_id = new_lead(world.alice, owner_id=world.bob.user_id)
    qualified = _stage(world.alice, "Qualified")
    _update(world.bob, lead_id, stage_id=_stage(world.alice, "Contacted"))
    assert types_of(world.bob) == []
    _update(world.alice, lead_id, stage_id=qualified)
    (note,) = notifications_of(world.bob)
    assert note.type == "stage_changed" and note.actor_id == world.alice.user_id
    assert note.payload == {"stage": "Qualified", "stage_id": str(qualified)}
    unowned = new_lead(world.alice)
    _update(world.bob, unowned, stage_id=qualified)
    assert types_of(world.alice) == [], "a lead without an owner notifies nobody"


def test_mentions_by_email_or_compact_name_case_insensitive(world):
    lead_id = new_lead(world.alice)
    _note(world.alice, lead_id, "Ask **@bobbrooks**, then @BOB@a.example. Cc me: @AliceAnders")
    (note,) = notifications_of(world.bob)
    assert note.type == "mention" and note.actor_id == world.alice.user_id
    assert set(note.payload) == {"note_id"}, "the payload names the note, never its text"
    assert types_of(world.alice) == [], "mentioning yourself notifies nobody"
    _note(world.bob, lead_id, "Thanks @aliceanders! (write to carol@b.example or @carolchen)")
    assert types_of(world.alice) == ["mention"], "an address in text and another org's member don't count"


def test_mention_parsing(world):
    people = {world.alice.user_id: "alice", world.bob.user_id: "bob"}
    cases = {
        "@alice@a.example, hello": ["alice"],
        "mail alice@a.example": [],
        "(@BobBrooks)": ["bob"],
        "@bobbrooks @BOBBROOKS @aliceanders.": ["alice", "bob"],
        "@ nobody @ @bob": ["bob"],  # a first name no other member has
        "Over to @Alice.": ["alice"],
        "@bo @brooks": [],
    }
    with unit_of_work(org_id=world.alice.org_id, user_id=world.alice.user_id) as session:
        for text, expected in cases.items():
            found = triggers.mentioned_user_ids(session, text)
            assert sorted(people[u] for u in found) == expected, text


def test_a_shared_first_name_mentions_nobody_but_the_full_handle_still_works(world):
    with unit_of_work(org_id=world.alice.org_id, user_id=world.alice.user_id) as session:
        other = UserRepository(session).add(User(email="bob2@a.example", name="Bob Other", password_hash="x"))
        MembershipRepository(session).add(Membership(user_id=other.id, role=Role.MEMBER.value))
    with unit_of_work(org_id=world.alice.org_id, user_id=world.alice.user_id) as session:
        assert triggers.mentioned_user_ids(session, "@bob, can you?") == []
        assert triggers.mentioned_user_ids(session, "@BobOther") == [other.id]


def test_preference_off_writes_no_row_and_other_types_still_arrive(world):
    _prefer(world.bob, "lead_assigned", in_app=False)
    lead_id = new_lead(world.alice)
    _update(world.alice, lead_id, owner_id=world.bob.user_id)
    assert types_of(world.bob) == []
    _note(world.alice, lead_id, "@BobBrooks over to you")
    assert types_of(world.bob) == ["mention"]
    _prefer(world.bob, "lead_assigned", in_app=True)
    _update(world.alice, lead_id, owner_id=world.alice.user_id)
    _update(world.alice, lead_id, owner_id=world.bob.user_id)
    assert types_of(world.bob) == ["mention", "lead_assigned"]


def test_notify_reads_preferences_once_and_hints_after_commit(world, monkeypatch):
    lead_id = new_lead(world.alice)
    published: list[tuple[str, dict[str, Any]]] = []
    monkeypatch.setattr(events, "get_hub", lambda: _Recorder(published))
    queries: list[str] = []
    with unit_of_work(org_id=world.alice.org_id, user_id=world.alice.user_id) as session:
        from sqlalchemy import event

        lead = lead_service.lead_or_404(session, lead_id)
        conn = session.connection()
        listen = lambda *a: queries.append(a[2])  # noqa: E731
        event.listen(conn, "before_cursor_execute", listen)
        got = service.notify(
            session,
            [world.bob.user_id, world.alice.user_id, world.bob.user_id, None],
            "lead_assigned",
            lead=lead,
            actor_id=world.alice.user_id,
        )
        event.remove(conn, "before_cursor_execute", listen)
        assert got == [world.bob.user_id]
        assert published == [], "nothing is published before commit"
    assert sum("notification_preferences" in q for q in queries) == 1
    assert published == [("notification.created", {"user_id": str(world.bob.user_id)})]


def test_rolled_back_notification_leaves_nothing(world, monkeypatch):
    lead_id = new_lead(world.alice)
    published: list[Any] = []
    monkeypatch.setattr(events, "get_hub", lambda: _Recorder(published))
    with pytest.raises(RuntimeError), unit_of_work(org_id=world.alice.org_id) as session:
        lead = lead_service.lead_or_404(session, lead_id)
        service.notify(session, [world.bob.user_id], "mention", lead=lead, actor_id=world.alice.user_id)
        raise RuntimeError("boom")
    assert types_of(world.bob) == [] and published == []


def test_import_finished_notifies_whoever_started_it(client, world):
    result = run(client, world.bob, b"Company,Email\nImported One,one@imported.example\n,\n")
    assert result["status"] == "done"
    (note,) = notifications_of(world.bob)
    assert note.type == "import_finished" and note.actor_id is None and note.lead_id is None
    assert note.payload == {
        "import_id": result["id"],
        "filename": "leads.csv",
        "created": result["created"],
        "merged": result["merged"],
        "rejected": result["rejected"],
    }
    assert types_of(world.alice) == []


def test_registry_wording_and_unknown_type():
    assert registry.LEAD_ASSIGNED.describe("Alice", "Acme", {}) == "Alice assigned Acme to you"
    assert registry.STAGE_CHANGED.describe(None, None, {}) == registry.STAGE_CHANGED.label
    assert registry.IMPORT_FINISHED.push is False
    with pytest.raises(KeyError):
        registry.get_type("nope")


class _Recorder:
    def __init__(self, sink: list[Any]) -> None:
        self.sink = sink

    def publish(self, org_id: Any, event: str, data: dict[str, Any]) -> None:
        self.sink.append((event, data))
