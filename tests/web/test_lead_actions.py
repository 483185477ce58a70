"""Lead workspace actions through a real app: logged activities, links, do-not-contact, roles, isolation."""

from __future__ import annotations

import html
import uuid
from typing import Any
from urllib.parse import quote

from sqlalchemy import select

from salesos.auth.principal import Principal
from salesos.db.session import unit_of_work
from salesos.leads.models import Activity, Lead, Note, Task
from salesos.leads.schemas import CompanyIn, ContactIn, LeadCreateIn
from salesos.leads.service import leads as lead_service
from salesos.orgs.models import Membership, Role
from tests.support.world import Person
from tests.web import test_board
from tests.web.test_board import count_rows, sign_in

browser = test_board.browser  # the fixture, shared with the board tests

PHONE = "+44 20 7946 0958"
E164_DIGITS = "442079460958"


def make_lead(person: Person, *, do_not_contact: bool = False) -> uuid.UUID:
    """One lead with a reachable (or do-not-contact) primary contact in *person*'s org."""
    principal = Principal(org_id=person.org_id, role=Role.OWNER, kind="token", user_id=person.user_id)
    contact = ContactIn(
        first_name="Zoë",
        last_name="Ng",
        email="zoe@ng-co.example",
        phone=PHONE,
        do_not_contact=do_not_contact,
    )
    with unit_of_work(org_id=person.org_id, user_id=person.user_id) as session:
        lead = lead_service.create_lead(
            session, principal, LeadCreateIn(company=CompanyIn(name="Ng & Co"), contact=contact)
        )
        return lead.id


def kinds(person: Person, lead_id: uuid.UUID) -> list[str]:
    """The lead's activity kinds, oldest first, without the creation entry."""
    with unit_of_work(write=False, org_id=person.org_id, user_id=person.user_id) as session:
        rows = session.scalars(select(Activity).where(Activity.lead_id == lead_id).order_by(Activity.id))
        return [a.kind for a in rows if a.kind != "created"]


def last_activity(person: Person, lead_id: uuid.UUID) -> dict[str, Any]:
    """The newest activity's data."""
    with unit_of_work(write=False, org_id=person.org_id, user_id=person.user_id) as session:
        stmt = select(Activity).where(Activity.lead_id == lead_id).order_by(Activity.id.desc()).limit(1)
        return dict(session.scalars(stmt).one().data)


def make_viewer(world: Any) -> None:
    """Demote Bob to viewer."""
    with unit_of_work(org_id=world.alice.org_id, user_id=world.alice.user_id) as session:
        membership = session.get(Membership, world.bob.member_id)
        assert membership is not None
        membership.role = Role.VIEWER.value


def test_links_use_e164_and_an_encoded_whatsapp_message(client, browser, world):
    lead_id = make_lead(world.alice)
    b = browser()
    sign_in(b, world.alice)
    page = b.get(f"/leads/{lead_id}").text
    assert f'href="tel:+{E164_DIGITS}"' in page
    assert 'href="mailto:zoe@ng-co.example?subject=Acme%20Alpha"' in page
    assert "badge-dnc" not in page and "dnc-notice" not in page and "Log email" in page and "Log call" in page
    token = sign_in(b, world.alice)
    response = b.post(f"/leads/{lead_id}/actions/whatsapp", data={"csrf_token": token})
    assert response.status_code == 303
    location = response.headers["location"]
    text = "Hi Zoë, this is Alice Anders from Acme Alpha. I'd love to hear how things are going at Ng & Co."
    assert location.startswith(f"https://wa.me/{E164_DIGITS}?text=")
    assert location.split("?text=")[1].startswith(quote(text, safe=""))
    assert " " not in location and "&" not in location.split("?text=")[1]
    assert kinds(world.alice, lead_id) == ["whatsapp_opened"]
    assert "Opened a WhatsApp chat" in b.get(f"/leads/{lead_id}").text


def test_email_and_call_log_exactly_their_activity(client, browser, world):
    lead_id = make_lead(world.alice)
    b = browser()
    token = sign_in(b, world.alice)
    assert b.post(f"/leads/{lead_id}/actions/email", data={"csrf_token": token}).status_code == 303
    assert kinds(world.alice, lead_id) == ["email_logged"]
    call = {"outcome": "no_answer", "duration_minutes": "", "notes": "", "csrf_token": token}
    assert b.post(f"/leads/{lead_id}/actions/call", data=call).status_code == 303
    assert kinds(world.alice, lead_id) == ["email_logged", "call_logged"]
    assert last_activity(world.alice, lead_id)["outcome"] == "no_answer"
    assert count_rows(world.alice, Note, lead_id=lead_id) == 0
    secret = "Said the budget is <b>40k</b>"
    call |= {"outcome": "connected", "duration_minutes": "12", "notes": secret}
    assert b.post(f"/leads/{lead_id}/actions/call", data=call).status_code == 303
    data = last_activity(world.alice, lead_id)
    assert data["outcome"] == "connected" and data["duration_minutes"] == 12
    assert secret not in str(data), "activity data never carries the note text"
    assert kinds(world.alice, lead_id) == ["email_logged", "call_logged", "call_logged"]
    assert count_rows(world.alice, Note, lead_id=lead_id) == 1
    page = b.get(f"/leads/{lead_id}").text
    assert "Logged an email" in page and "Logged a call: No answer" in page
    assert "Logged a call: Connected, 12 min (with a note)" in page and html.escape(secret) in page


def test_bad_call_input_is_shown_by_its_field_and_writes_nothing(client, browser, world):
    lead_id = make_lead(world.alice)
    b = browser()
    token = sign_in(b, world.alice)
    bad = b.post(f"/leads/{lead_id}/actions/call", data={"outcome": "shouted", "csrf_token": token})
    assert bad.status_code == 422 and 'id="f-outcome-error"' in bad.text
    long = b.post(
        f"/leads/{lead_id}/actions/call",
        data={"outcome": "connected", "duration_minutes": "abc", "notes": "kept", "csrf_token": token},
    )
    assert long.status_code == 422 and 'id="f-duration_minutes-error"' in long.text and "kept" in long.text
    assert kinds(world.alice, lead_id) == [] and count_rows(world.alice, Note, lead_id=lead_id) == 0


def test_schedule_call_creates_a_call_task_in_org_time(client, browser, world):
    lead_id = make_lead(world.alice)
    b = browser()
    token = sign_in(b, world.alice)
    empty = b.post(f"/leads/{lead_id}/actions/schedule-call", data={"call_at": "", "csrf_token": token})
    assert empty.status_code == 422 and 'id="f-call_at-error"' in empty.text
    past = b.post(
        f"/leads/{lead_id}/actions/schedule-call", data={"call_at": "2020-01-01T09:00", "csrf_token": token}
    )
    assert past.status_code == 422 and "call log" in past.text and kinds(world.alice, lead_id) == []
    ok = b.post(
        f"/leads/{lead_id}/actions/schedule-call", data={"call_at": "2030-03-04T15:30", "csrf_token": token}
    )
    assert ok.status_code == 303
    with unit_of_work(write=False, org_id=world.alice.org_id, user_id=world.alice.user_id) as session:
        task = session.scalars(select(Task).where(Task.lead_id == lead_id)).one()
        assert task.title == "Call Zoë Ng" and task.due_at is not None and task.due_at.hour == 15
        assert task.assignee_id == world.alice.user_id
    assert kinds(world.alice, lead_id) == ["task_added"]
    assert "Call Zoë Ng" in b.get(f"/leads/{lead_id}").text


def test_owner_assignment_accepts_members_and_refuses_strangers(client, browser, world):
    lead_id = make_lead(world.alice)
    b = browser()
    token = sign_in(b, world.alice)
    page = b.get(f"/leads/{lead_id}").text
    assert f'value="{world.bob.user_id}"' in page and f'value="{world.carol.user_id}"' not in page
    ok = b.post(f"/leads/{lead_id}/owner", data={"owner_id": str(world.bob.user_id), "csrf_token": token})
    assert (
        ok.status_code == 303 and count_rows(world.alice, Lead, id=lead_id, owner_id=world.bob.user_id) == 1
    )
    assert kinds(world.alice, lead_id) == ["updated"]
    assert "Gave the lead to Bob Brooks" in b.get(f"/leads/{lead_id}").text
    same = b.post(f"/leads/{lead_id}/owner", data={"owner_id": str(world.bob.user_id), "csrf_token": token})
    assert same.headers["location"].endswith("done=owner-same")
    assert "Nothing changed: that is already the owner." in b.get(same.headers["location"]).text
    for stranger in (str(world.carol.user_id), "not-a-uuid"):
        bad = b.post(f"/leads/{lead_id}/owner", data={"owner_id": stranger, "csrf_token": token})
        assert bad.status_code == 422 and 'id="f-owner_id-error"' in bad.text
        assert "Choose a member who can own leads" in bad.text
    assert count_rows(world.alice, Lead, id=lead_id, owner_id=world.bob.user_id) == 1
    assert kinds(world.alice, lead_id) == ["updated"]


def test_do_not_contact_hides_actions_and_refuses_them(client, browser, world):
    lead_id = make_lead(world.alice, do_not_contact=True)
    b = browser()
    token = sign_in(b, world.alice)
    page = b.get(f"/leads/{lead_id}").text
    assert "badge-dnc" in page and "dnc-notice" in page
    for hidden in ('href="tel:', 'href="mailto:', "wa.me", "Log email", "Log call", "Schedule call"):
        assert hidden not in page, hidden
    for path, data in [
        ("actions/email", {}),
        ("actions/call", {"outcome": "connected"}),
        ("actions/whatsapp", {}),
        ("actions/schedule-call", {"call_at": "2030-03-04T15:30"}),
    ]:
        response = b.post(f"/leads/{lead_id}/{path}", data={**data, "csrf_token": token})
        assert response.status_code == 409, (path, response.status_code)
        assert "asked not to be contacted" in response.text
    assert kinds(world.alice, lead_id) == [] and count_rows(world.alice, Task, lead_id=lead_id) == 0


def test_viewer_sees_links_but_cannot_log_or_assign(client, browser, world):
    lead_id = make_lead(world.alice)
    make_viewer(world)
    b = browser()
    token = sign_in(b, world.bob)
    page = b.get(f"/leads/{lead_id}").text
    assert f'href="tel:+{E164_DIGITS}"' in page and f"https://wa.me/{E164_DIGITS}?text=" in page
    for control in ("Log email", "Log call", "Schedule call", "Assign owner"):
        assert control not in page, control
    for path, data in [
        ("actions/email", {}),
        ("actions/call", {"outcome": "connected"}),
        ("actions/whatsapp", {}),
        ("actions/schedule-call", {"call_at": "2030-03-04T15:30"}),
        ("owner", {"owner_id": str(world.bob.user_id)}),
    ]:
        response = b.post(f"/leads/{lead_id}/{path}", data={**data, "csrf_token": token})
        assert response.status_code == 403, (path, response.status_code)
    assert kinds(world.alice, lead_id) == []


def test_carol_gets_404_on_every_action(client, browser, world):
    lead_id = make_lead(world.alice)
    b = browser()
    token = sign_in(b, world.carol)
    for path, data in [
        ("actions/email", {}),
        ("actions/call", {"outcome": "connected"}),
        ("actions/whatsapp", {}),
        ("actions/schedule-call", {"call_at": "2030-03-04T15:30"}),
        ("owner", {"owner_id": str(world.carol.user_id)}),
    ]:
        response = b.post(f"/leads/{lead_id}/{path}", data={**data, "csrf_token": token})
        assert response.status_code == 404, (path, response.status_code)
        assert all(marker not in response.text for marker in world.markers_a), path
        assert "Ng &amp; Co" not in response.text
    assert kinds(world.alice, lead_id) == []
    assert count_rows(world.alice, Lead, id=lead_id, owner_id=None) == 1
