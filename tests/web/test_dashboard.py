"""The dashboard: the reader's due tasks and follow-ups, leads won and added, the pipeline's stages."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import update

from salesos.auth.principal import Principal
from salesos.db.session import unit_of_work
from salesos.leads.dashboard import today
from salesos.leads.models import Lead, LeadStatusHistory
from salesos.leads.repository import LeadRepository
from salesos.leads.service import leads as lead_service
from salesos.leads.service import work
from salesos.orgs.models import Role
from tests.conftest import both_databases
from tests.support.statements import executed_statements
from tests.support.world import Person
from tests.web.test_board import browser, make_leads, sign_in, stages_of  # noqa: F401  (browser: fixture)

# 23:00 on 9 March in New York (EDT since 8 March, UTC-4), already 03:00 on 10 March in UTC.
NOW = datetime(2026, 3, 10, 3, 0, tzinfo=UTC)


def _principal(person: Person) -> Principal:
    return Principal(org_id=person.org_id, role=Role.OWNER, kind="token", user_id=person.user_id)


def _task(
    person: Person,
    lead_id: uuid.UUID,
    title: str,
    due_at: datetime | None,
    *,
    done: bool = False,
    **fields: Any,
) -> None:
    with unit_of_work(org_id=person.org_id, user_id=person.user_id) as session:
        lead = LeadRepository(session).get(lead_id)
        assert lead is not None
        task = work.add_task(session, _principal(person), lead, title=title, due_at=due_at, **fields)
        if done:
            task.done_at = NOW


def _set(person: Person, lead_id: uuid.UUID, **values: Any) -> None:
    with unit_of_work(org_id=person.org_id, user_id=person.user_id) as session:
        session.execute(update(Lead).where(Lead.id == lead_id).values(**values))


def _move(person: Person, lead_id: uuid.UUID, stage: str, **kwargs: Any) -> None:
    stage_id = stages_of(person)[stage]
    with unit_of_work(org_id=person.org_id, user_id=person.user_id) as session:
        lead = LeadRepository(session).get(lead_id)
        assert lead is not None
        lead_service.move_stage(session, lead, stage_id, actor_id=person.user_id, notify=False, **kwargs)


def _day(person: Person, zone: str = "UTC", now: datetime = NOW) -> Any:
    with unit_of_work(write=False, org_id=person.org_id, user_id=person.user_id) as session:
        return today(session, person.user_id, zone, now=now)


@both_databases
def test_only_the_readers_open_work_due_by_the_end_of_their_day(world):
    alice, bob = world.alice, world.bob
    mine, bobs = make_leads(alice, 2, "Dash Co", owner_id=alice.user_id)[0], make_leads(alice, 1, "Bob Co")[0]
    _set(alice, bobs, owner_id=bob.user_id)
    _task(alice, mine, "Call back (yesterday)", NOW - timedelta(days=1), assignee_id=alice.user_id)
    _task(alice, mine, "Send the quote (tonight)", NOW + timedelta(hours=2), assignee_id=alice.user_id)
    _task(alice, mine, "Unassigned on my lead", NOW + timedelta(hours=3), assignee_id=None)
    _task(alice, mine, "Tomorrow", NOW + timedelta(days=1), assignee_id=alice.user_id)
    _task(alice, mine, "Already done", NOW - timedelta(hours=5), assignee_id=alice.user_id, done=True)
    _task(alice, mine, "No due date", None, assignee_id=alice.user_id)
    _task(alice, bobs, "Bob's call", NOW - timedelta(hours=1), assignee_id=bob.user_id)
    _task(alice, bobs, "Unassigned on Bob's lead", NOW - timedelta(hours=1), assignee_id=None)

    day = _day(alice)
    assert [t.title for t in day.tasks] == [
        "Call back (yesterday)",
        "Send the quote (tonight)",
        "Unassigned on my lead",
    ]
    assert (day.tasks_overdue, day.tasks_today) == (1, 2)
    assert [t.title for t in _day(bob).tasks] == ["Bob's call", "Unassigned on Bob's lead"]
    # Carol's org has nothing of this.
    assert _day(world.carol).tasks == [] and _day(world.carol).open_count == 0


@both_databases
def test_the_day_ends_at_the_readers_midnight(world):
    alice = world.alice
    lead = make_leads(alice, 1, "Tz Co", owner_id=alice.user_id)[0]
    # 23:30 on 9 March in New York (03:30 UTC on the 10th); 01:00 on the 10th in New York (05:00 UTC).
    _task(alice, lead, "Late evening", datetime(2026, 3, 10, 3, 30, tzinfo=UTC), assignee_id=alice.user_id)
    _task(alice, lead, "After midnight", datetime(2026, 3, 10, 5, 0, tzinfo=UTC), assignee_id=alice.user_id)
    assert [t.title for t in _day(alice, "America/New_York").tasks] == ["Late evening"]
    # In UTC it is already the 10th at 03:00: both fall on that day.
    assert [t.title for t in _day(alice, "UTC").tasks] == ["Late evening", "After midnight"]
    assert _day(alice, "Not/AZone").zone == "UTC"


@both_databases
def test_follow_ups_due_are_the_readers_open_leads(world):
    alice, bob = world.alice, world.bob
    due, later, won, bobs = make_leads(alice, 4, "Follow Co", owner_id=alice.user_id)
    _set(alice, due, next_follow_up_at=NOW - timedelta(hours=2))
    _set(alice, later, next_follow_up_at=NOW + timedelta(days=2))
    _set(alice, won, next_follow_up_at=NOW - timedelta(days=3))
    _move(alice, won, "Won")
    _set(alice, bobs, next_follow_up_at=NOW - timedelta(hours=2), owner_id=bob.user_id)
    day = _day(alice)
    assert [row.id for row in day.follow_ups] == [due] and day.follow_ups_due == 1
    assert day.follow_ups[0].stage == "New"
    assert [row.id for row in _day(bob).follow_ups] == [bobs]


@both_databases
def test_a_lead_with_a_task_due_is_listed_once_not_as_a_follow_up_too(world):
    alice, bob = world.alice, world.bob
    tasked, bobs_task, plain = make_leads(alice, 3, "Once Co", owner_id=alice.user_id)
    for lead in (tasked, bobs_task, plain):
        _set(alice, lead, next_follow_up_at=NOW - timedelta(hours=2))
    _task(alice, tasked, "Call back", NOW + timedelta(hours=1), assignee_id=alice.user_id)
    _task(alice, bobs_task, "Bob's visit", NOW + timedelta(hours=1), assignee_id=bob.user_id)
    day = _day(alice)
    assert [t.title for t in day.tasks] == ["Call back"]
    # Bob's task is not on Alice's list, so her follow-up on that lead still is.
    assert {row.id for row in day.follow_ups} == {bobs_task, plain} and day.follow_ups_due == 2


@both_databases
def test_won_this_month_counts_leads_still_won(world):
    alice = world.alice
    now = datetime.now(UTC)
    before = _day(alice, now=now)  # the world's own leads
    won, reopened, last_month, lost = make_leads(alice, 4, "Won Co", value=Decimal(1000), currency="EUR")
    for lead in (won, reopened, last_month):
        _move(alice, lead, "Won")
    _move(alice, reopened, "Qualified")
    _move(alice, lost, "Lost", lost_reason="Budget")
    with unit_of_work(org_id=alice.org_id, user_id=alice.user_id) as session:
        month_ago = now - timedelta(days=40)
        session.execute(
            update(LeadStatusHistory)
            .where(LeadStatusHistory.lead_id == last_month)
            .values(created_at=month_ago)
        )
    day = _day(alice, now=now)
    assert (before.won_count, day.won_count, day.won_value) == (0, 1, "1,000 EUR")
    assert day.open_count - before.open_count == 1 and "1,000 EUR" in day.open_value  # the reopened one
    assert day.added_recently - before.added_recently == 4


def test_the_page_shows_the_day_and_the_stages(client, browser, world):  # noqa: F811
    alice = world.alice
    lead = make_leads(alice, 3, "Page Co", owner_id=alice.user_id, value=Decimal(2500))[0]
    _task(alice, lead, "Send the proposal", datetime.now(UTC) - timedelta(hours=1), assignee_id=alice.user_id)
    _set(alice, lead, next_follow_up_at=datetime.now(UTC) - timedelta(minutes=5))
    b = browser()
    sign_in(b, alice)
    page = b.get("/").text
    assert "Send the proposal" in page and "Overdue" in page
    assert f'href="/leads/{lead}#tasks"' in page  # a due task opens the lead at its tasks
    assert "7,500 USD" in page  # open pipeline value: three leads of 2,500
    stage = stages_of(alice)["New"]
    assert f'href="/leads/list?stage={stage}"' in page
    carol = browser()
    sign_in(carol, world.carol)
    theirs = carol.get("/").text
    assert "Send the proposal" not in theirs and "Page Co" not in theirs and "7,500 USD" not in theirs


@both_databases
def test_the_page_runs_the_same_statements_whatever_is_due(client, browser, world):  # noqa: F811
    alice = world.alice
    b = browser()
    sign_in(b, alice)

    def statements() -> int:
        with executed_statements() as seen:
            assert b.get("/").status_code == 200
        return len(seen)

    lead = make_leads(alice, 1, "Few Co", owner_id=alice.user_id)[0]
    _task(alice, lead, "One", datetime.now(UTC), assignee_id=alice.user_id)
    few = statements()
    for lead in make_leads(alice, 12, "Many Co", owner_id=alice.user_id):
        _task(alice, lead, "Another", datetime.now(UTC) - timedelta(hours=1), assignee_id=alice.user_id)
        _set(alice, lead, next_follow_up_at=datetime.now(UTC) - timedelta(hours=1))
    assert statements() == few


def test_the_checklist_follows_the_org_and_goes_once_done(client, browser, world):  # noqa: F811
    carol = world.carol  # alone in org B: no teammate, no API key, no lead
    b = browser()
    sign_in(b, carol)
    page = b.get("/").text
    assert "Getting started" in page and page.count('class="is-done"') == 1
    assert "No leads yet" in page and 'href="/leads/new">Add your first leads' in page
    make_leads(carol, 1, "First Co")
    page = b.get("/").text
    assert page.count('class="is-done"') == 2 and "Add your first leads <span" in page
    assert "No leads yet" not in page and "1 lead" in page


def test_a_due_follow_up_moves_on_from_the_dashboard(client, browser, world):  # noqa: F811
    alice = world.alice
    due = make_leads(alice, 1, "Snooze Co", owner_id=alice.user_id)[0]
    _set(alice, due, next_follow_up_at=datetime.now(UTC) - timedelta(hours=1))
    b = browser()
    token = sign_in(b, alice)
    page = b.get("/").text
    assert "Move the follow-up of Snooze Co 0 to </span>tomorrow" in page
    moved = b.post(
        f"/leads/{due}/follow-up", data={"choice": "3d", "return_to": "dashboard", "csrf_token": token}
    )
    assert moved.status_code == 303 and moved.headers["location"] == "/?done=follow-up#follow-h"
    page = b.get(moved.headers["location"]).text
    assert "Follow-up moved." in page and "Snooze Co" not in page  # no longer due today
    with unit_of_work(write=False, org_id=alice.org_id) as session:
        when = session.get_one(Lead, due).next_follow_up_at
    assert when is not None and when > datetime.now(UTC) + timedelta(days=2) and when.weekday() < 5

    # A viewer sees their day but has nothing to move.
    _set(alice, due, next_follow_up_at=datetime.now(UTC) - timedelta(hours=1), owner_id=world.bob.user_id)
    world.bob.set_role(Role.VIEWER)
    viewer = browser()
    sign_in(viewer, world.bob)
    page = viewer.get("/").text
    assert "Snooze Co 0" in page and "Move the follow-up" not in page
