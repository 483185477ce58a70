"""The lead page's follow-up buttons: the dates they mean, in the reader's zone, off weekends; a chosen
time; clearing it; and what a refused time or a viewer changes (nothing)."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, select

from salesos.auth.principal import Principal
from salesos.db.session import unit_of_work
from salesos.leads.follow_ups import CHOICES, planned
from salesos.leads.models import Activity, Lead, Note
from salesos.leads.schemas import CompanyIn, ContactIn, LeadCreateIn
from salesos.leads.service import leads as lead_service
from salesos.orgs.models import Role
from tests.web import test_board
from tests.web.test_board import make_leads, sign_in
from tests.web.test_lead_composer import _lead_with_phone

browser = test_board.browser  # the fixture, shared with the board tests

# Wednesday 2 December 2026, 22:30 UTC: already Thursday in Tokyo.
WEDNESDAY_NIGHT = datetime(2026, 12, 2, 22, 30, tzinfo=UTC)


@pytest.mark.parametrize(
    ("choice", "tz", "expected"),
    [
        ("tomorrow", "UTC", datetime(2026, 12, 3, 9, 0, tzinfo=UTC)),
        ("3d", "UTC", datetime(2026, 12, 7, 9, 0, tzinfo=UTC)),  # Saturday -> Monday
        ("1w", "UTC", datetime(2026, 12, 9, 9, 0, tzinfo=UTC)),
        ("2w", "UTC", datetime(2026, 12, 16, 9, 0, tzinfo=UTC)),
        ("tomorrow", "Asia/Tokyo", datetime(2026, 12, 4, 0, 0, tzinfo=UTC)),  # Friday 9:00 in Tokyo
        ("tomorrow", "America/New_York", datetime(2026, 12, 3, 14, 0, tzinfo=UTC)),
        ("3d", "Asia/Tokyo", datetime(2026, 12, 7, 0, 0, tzinfo=UTC)),  # Sunday -> Monday 9:00 Tokyo
    ],
)
def test_what_each_choice_means(choice: str, tz: str, expected: datetime) -> None:
    when = planned(choice, tz, WEDNESDAY_NIGHT)
    assert when == expected
    local = when.astimezone(ZoneInfo(tz))
    assert local.weekday() < 5 and (local.hour, local.minute) == (9, 0)


def test_an_unknown_choice_is_refused() -> None:
    with pytest.raises(KeyError):
        planned("someday", "UTC", WEDNESDAY_NIGHT)
    assert set(CHOICES) == {"tomorrow", "3d", "1w", "2w"}


def _follow_up(world, lead_id):  # type: ignore[no-untyped-def]
    with unit_of_work(write=False, org_id=world.alice.org_id) as s:
        return s.get_one(Lead, lead_id).next_follow_up_at


def test_buttons_a_chosen_time_and_clearing(client, browser, world):
    (lead_id,) = make_leads(world.alice, 1, name="Follow Co")
    b = browser()
    token = sign_in(b, world.alice)
    url = f"/leads/{lead_id}/follow-up"

    page = b.get(f"/leads/{lead_id}").text
    assert all(f'name="choice" value="{key}"' in page for key in CHOICES)
    r = b.post(url, data={"choice": "1w", "csrf_token": token})
    assert r.status_code == 303 and "Follow-up planned." in b.get(r.headers["location"]).text
    when = _follow_up(world, lead_id)
    assert when is not None and when.weekday() < 5 and (when.hour, when.minute) == (9, 0)

    for bad in ({"choice": "at", "at": ""}, {"choice": "at", "at": "next tuesday"}, {"choice": "someday"}):
        refused = b.post(url, data={**bad, "csrf_token": token})
        assert refused.status_code == 422 and 'id="f-at-error"' in refused.text, bad
        assert _follow_up(world, lead_id) == when

    chosen = b.post(url, data={"choice": "at", "at": "2031-03-04T15:30", "csrf_token": token})
    assert chosen.status_code == 303 and _follow_up(world, lead_id) == datetime(
        2031, 3, 4, 15, 30, tzinfo=UTC
    )
    page = b.get(f"/leads/{lead_id}").text
    assert "Changed the next follow-up" in page and "4 Mar 2031, 15:30" in page

    cleared = b.post(url, data={"choice": "clear", "csrf_token": token})
    assert cleared.status_code == 303 and _follow_up(world, lead_id) is None
    assert "Follow-up cleared." in b.get(cleared.headers["location"]).text


def test_a_viewer_has_no_buttons_and_can_not_post(client, browser, world):
    (lead_id,) = make_leads(world.alice, 1, name="Viewed Co")
    world.bob.set_role(Role.VIEWER)
    b = browser()
    token = sign_in(b, world.bob)
    assert 'name="choice"' not in b.get(f"/leads/{lead_id}").text
    assert (
        b.post(f"/leads/{lead_id}/follow-up", data={"choice": "tomorrow", "csrf_token": token}).status_code
        == 403
    )
    assert _follow_up(world, uuid.UUID(str(lead_id))) is None


def _call_logs(world, lead_id) -> int:  # type: ignore[no-untyped-def]
    with unit_of_work(write=False, org_id=world.alice.org_id) as s:
        stmt = select(func.count()).where(Activity.lead_id == lead_id, Activity.kind == "call_logged")
        return int(s.scalar(stmt) or 0)


def test_logging_a_call_can_plan_the_next_follow_up(client, browser, world):
    lead_id = _lead_with_phone(world.alice)
    b = browser()
    token = sign_in(b, world.alice)
    url = f"/leads/{lead_id}/actions/call"
    assert 'name="follow_up"' in b.get(f"/leads/{lead_id}").text

    refused = b.post(url, data={"outcome": "connected", "follow_up": "someday", "csrf_token": token})
    assert refused.status_code == 422 and 'id="f-follow_up-error"' in refused.text
    assert _call_logs(world, lead_id) == 0 and _follow_up(world, lead_id) is None

    logged = b.post(url, data={"outcome": "connected", "follow_up": "2w", "csrf_token": token})
    assert logged.status_code == 303 and _call_logs(world, lead_id) == 1
    when = _follow_up(world, lead_id)
    assert when is not None and when.weekday() < 5 and (when.hour, when.minute) == (9, 0)
    page = b.get(f"/leads/{lead_id}").text
    assert f"Keep {when.day} " in page  # the next call offers to keep the follow-up still to come

    # Without a choice a call keeps a follow-up still to come.
    b.post(url, data={"outcome": "voicemail", "csrf_token": token})
    assert _call_logs(world, lead_id) == 2 and _follow_up(world, lead_id) == when


def test_logging_an_email_keeps_what_it_was_about_and_plans_the_next_step(client, browser, world):
    principal = Principal(
        org_id=world.alice.org_id, role=Role.OWNER, kind="token", user_id=world.alice.user_id
    )
    data = LeadCreateIn(
        company=CompanyIn(name="Mail Co"), contact=ContactIn(first_name="Mo", email="mo@mail.example")
    )
    with unit_of_work(org_id=world.alice.org_id, user_id=world.alice.user_id) as s:
        lead_id = lead_service.create_lead(s, principal, data).id
    b = browser()
    token = sign_in(b, world.alice)
    url = f"/leads/{lead_id}/actions/email"
    page = b.get(f"/leads/{lead_id}").text
    assert 'id="panel-email"' in page and 'href="#panel-email" data-open-tab="email"' in page

    refused = b.post(url, data={"notes": "Sent the deck", "follow_up": "someday", "csrf_token": token})
    assert refused.status_code == 422 and 'id="f-email_follow_up-error"' in refused.text
    assert 'class="tab-panel is-active" id="panel-email"' in refused.text and "Sent the deck" in refused.text

    logged = b.post(url, data={"notes": "Sent the deck and pricing", "follow_up": "1w", "csrf_token": token})
    assert logged.status_code == 303
    with unit_of_work(write=False, org_id=world.alice.org_id) as s:
        entry = s.scalars(
            select(Activity).where(Activity.lead_id == lead_id, Activity.kind == "email_logged")
        ).one()
        note = s.get_one(Note, uuid.UUID(entry.data["note_id"]))
        assert note.body == "Sent the deck and pricing" and "body" not in entry.data
    assert _follow_up(world, lead_id) is not None
    assert "Logged an email (with a note)" in b.get(f"/leads/{lead_id}").text
