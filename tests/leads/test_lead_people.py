"""The people on a lead: choosing its primary contact (API and page) and adding a person from its page."""

from __future__ import annotations

import uuid

from sqlalchemy import func, select

from salesos.db.session import unit_of_work
from salesos.leads.models import Contact, Lead
from salesos.orgs.models import Role
from tests.conftest import both_databases
from tests.web import test_board
from tests.web.test_board import sign_in

API = "/api/v1"
browser = test_board.browser  # the fixture, shared with the board tests


def _lead(client, person, name="Globex"):  # type: ignore[no-untyped-def]
    body = {
        "company": {"name": name},
        "contact": {"first_name": "Gail", "email": f"gail@{name.lower()}.example"},
    }
    r = client.post(f"{API}/leads", json=body, headers=person.headers)
    assert r.status_code == 201, r.text
    return r.json()


def _contact(client, person, company_id, first_name):  # type: ignore[no-untyped-def]
    body = {"company_id": company_id, "first_name": first_name}
    r = client.post(f"{API}/contacts", json=body, headers=person.headers)
    assert r.status_code == 201, r.text
    return r.json()["id"]


def _primary(world, lead_id):  # type: ignore[no-untyped-def]
    with unit_of_work(write=False, org_id=world.alice.org_id) as s:
        lead = s.get(Lead, uuid.UUID(str(lead_id)))
        return None if lead is None or lead.primary_contact_id is None else str(lead.primary_contact_id)


@both_databases
def test_primary_contact_is_a_person_at_the_leads_company(client, world):
    lead = _lead(client, world.alice)
    url = f"{API}/leads/{lead['id']}"
    gail = lead["primary_contact"]["id"]
    hal = _contact(client, world.alice, lead["company"]["id"], "Hal")
    elsewhere = _contact(client, world.alice, _lead(client, world.alice, "Initech")["company"]["id"], "Ivy")
    theirs = _contact(client, world.carol, _lead(client, world.carol, "Umbrella")["company"]["id"], "Uma")

    for stranger in (elsewhere, theirs, str(uuid.uuid4())):
        r = client.patch(url, json={"primary_contact_id": stranger}, headers=world.bob.headers)
        assert r.status_code == 422 and r.json()["errors"][0]["field"] == "primary_contact_id", r.text
        assert _primary(world, lead["id"]) == gail

    moved = client.patch(url, json={"primary_contact_id": hal}, headers=world.bob.headers)
    assert moved.status_code == 200 and moved.json()["primary_contact"]["first_name"] == "Hal"
    # The company's primary flag follows the lead's choice: one primary person, and it is Hal.
    assert moved.json()["primary_contact"]["is_primary"] is True
    people = client.get(f"{API}/contacts?company_id={lead['company']['id']}", headers=world.bob.headers)
    assert {c["first_name"]: c["is_primary"] for c in people.json()["items"]} == {"Gail": False, "Hal": True}
    cleared = client.patch(url, json={"primary_contact_id": None}, headers=world.bob.headers)
    assert cleared.status_code == 200 and cleared.json()["primary_contact"] is None
    timeline = client.get(f"{url}/timeline", headers=world.alice.headers).json()["items"]
    assert [(a["kind"], a["data"].get("contact_id")) for a in timeline[:2]] == [
        ("primary_contact_changed", None),
        ("primary_contact_changed", hal),
    ]


def test_adding_a_contact_from_the_lead_page(client, browser, world):
    lead = _lead(client, world.alice)
    lead_id, company_id = lead["id"], uuid.UUID(lead["company"]["id"])
    b = browser()
    token = sign_in(b, world.alice)

    def people() -> int:
        with unit_of_work(write=False, org_id=world.alice.org_id) as s:
            return int(s.scalar(select(func.count()).where(Contact.company_id == company_id)) or 0)

    # Nothing to reach them by, then a phone that isn't one: refused, the form comes back open, as typed.
    form = {"first_name": "", "last_name": "", "title": "CFO", "csrf_token": token}
    empty = b.post(f"/leads/{lead_id}/contacts", data=form)
    assert (
        empty.status_code == 422
        and "Give a name, an email address, a phone number or a LinkedIn address." in empty.text
    )
    bad = b.post(f"/leads/{lead_id}/contacts", data={**form, "first_name": "Rita", "phone": "call me"})
    assert bad.status_code == 422 and 'id="contact-phone-error"' in bad.text
    assert '<details class="inline-edit add-contact" open>' in bad.text and 'value="Rita"' in bad.text
    both = b.post(
        f"/leads/{lead_id}/contacts", data={**form, "first_name": "Rita", "phone": "x", "email": "y"}
    )
    assert 'id="contact-phone-error"' in both.text and 'id="contact-email-error"' in both.text  # one submit
    assert people() == 1

    data = {
        **form,
        "first_name": "Rita",
        "last_name": "Ng",
        "phone": "+1 212 555 0142",
        "is_decision_maker": "on",
    }
    added = b.post(f"/leads/{lead_id}/contacts", data=data)
    assert added.status_code == 303 and people() == 2
    with unit_of_work(write=False, org_id=world.alice.org_id) as s:
        rita = s.scalars(select(Contact).where(Contact.full_name == "Rita Ng")).one()
        assert (rita.phone, rita.title, rita.is_decision_maker) == ("+12125550142", "CFO", True)
    page = b.get(added.headers["location"]).text
    assert "Contact added." in page and "Added a contact: Rita Ng" in page
    assert _primary(world, lead_id) == lead["primary_contact"]["id"], (
        "adding someone keeps the primary contact"
    )

    made = b.post(f"/leads/{lead_id}/contacts/{rita.id}/primary", data={"csrf_token": token})
    assert made.status_code == 303 and _primary(world, lead_id) == str(rita.id)
    page = b.get(made.headers["location"]).text
    assert "Made Rita Ng the primary contact" in page
    assert page.split('class="lead-contact"', 1)[1].split("</p>", 1)[0].lstrip(">").startswith("Rita Ng")


def test_a_lead_without_a_contact_gets_the_first_one_added(client, browser, world):
    r = client.post(f"{API}/leads", json={"company": {"name": "Solo"}}, headers=world.alice.headers)
    lead_id = r.json()["id"]
    b = browser()
    token = sign_in(b, world.alice)
    added = b.post(f"/leads/{lead_id}/contacts", data={"email": "owner@solo.example", "csrf_token": token})
    assert added.status_code == 303
    with unit_of_work(write=False, org_id=world.alice.org_id) as s:
        assert s.get_one(Lead, uuid.UUID(lead_id)).primary_contact.email == "owner@solo.example"


def test_a_viewer_can_not_change_the_people(client, browser, world):
    lead = _lead(client, world.alice)
    hal = _contact(client, world.alice, lead["company"]["id"], "Hal")
    world.bob.set_role(Role.VIEWER)
    b = browser()
    token = sign_in(b, world.bob)
    page = b.get(f"/leads/{lead['id']}").text
    assert "Add a contact" not in page and "Make primary" not in page
    assert (
        b.post(f"/leads/{lead['id']}/contacts", data={"first_name": "Vic", "csrf_token": token}).status_code
        == 403
    )
    assert (
        b.post(f"/leads/{lead['id']}/contacts/{hal}/primary", data={"csrf_token": token}).status_code == 403
    )
    assert _primary(world, lead["id"]) == lead["primary_contact"]["id"]


@both_databases
def test_editing_and_removing_a_contact_from_the_lead_page(client, browser, world):
    lead = _lead(client, world.alice)
    lead_id, gail = lead["id"], lead["primary_contact"]["id"]
    hal = _contact(client, world.alice, lead["company"]["id"], "Hal")
    elsewhere = _contact(client, world.alice, _lead(client, world.alice, "Initech")["company"]["id"], "Ivy")
    b = browser()
    token = sign_in(b, world.alice)
    page = b.get(f"/leads/{lead_id}").text
    assert (
        f'action="/leads/{lead_id}/contacts/{hal}/edit"' in page and f'id="contact-{hal}-first_name"' in page
    )

    def state(contact_id):  # type: ignore[no-untyped-def]
        with unit_of_work(write=False, org_id=world.alice.org_id) as s:
            c = s.get_one(Contact, uuid.UUID(contact_id))
            return (c.full_name, c.title, c.email, c.phone, c.do_not_contact)

    url = f"/leads/{lead_id}/contacts/{hal}/edit"
    bad = b.post(url, data={"first_name": "Hal", "email": "nope", "phone": "abc", "csrf_token": token})
    assert bad.status_code == 422 and f'id="contact-{hal}-email-error"' in bad.text
    assert (
        f'id="contact-{hal}-phone-error"' in bad.text and 'class="inline-edit contact-edit" open' in bad.text
    )
    assert state(hal) == ("Hal", None, None, None, False)
    empty = b.post(url, data={"csrf_token": token, "title": "CFO"})
    assert empty.status_code == 422 and state(hal) == ("Hal", None, None, None, False)

    form = {"first_name": "Hal", "last_name": "Jordan", "title": "CFO", "phone": "+1 212 555 0142"}
    saved = b.post(url, data={**form, "do_not_contact": "on", "csrf_token": token})
    assert saved.status_code == 303 and saved.headers["location"].endswith("done=contact-saved#contacts")
    assert state(hal) == ("Hal Jordan", "CFO", None, "+12125550142", True)
    page = b.get(saved.headers["location"]).text
    assert "Contact saved." in page and "Edited Hal Jordan: last name, title, phone, do not contact" in page

    # Someone at another company, or of another org, is not this lead's to edit or remove.
    for other in (elsewhere, str(uuid.uuid4())):
        assert (
            b.post(f"/leads/{lead_id}/contacts/{other}/delete", data={"csrf_token": token}).status_code == 404
        )
    carol = browser()
    carol_token = sign_in(carol, world.carol)
    assert (
        carol.post(f"/leads/{lead_id}/contacts/{hal}/delete", data={"csrf_token": carol_token}).status_code
        == 404
    )

    removed = b.post(f"/leads/{lead_id}/contacts/{gail}/delete", data={"csrf_token": token})
    assert removed.status_code == 303 and _primary(world, lead_id) is None  # the primary contact went
    page = b.get(removed.headers["location"]).text
    assert "Contact removed." in page and "Removed a contact: Gail" in page
    with unit_of_work(write=False, org_id=world.alice.org_id) as s:
        assert s.get(Contact, uuid.UUID(gail)) is None and s.get(Contact, uuid.UUID(hal)) is not None


def test_the_person_form_reads_a_phone_in_the_companys_country(client, browser, world):
    body = {"company": {"name": "Thames Ltd", "country": "GB"}, "contact": {"first_name": "Tia"}}
    lead = client.post(f"{API}/leads", json=body, headers=world.alice.headers).json()
    b = browser()
    token = sign_in(b, world.alice)
    form = {"first_name": "Wyn", "phone": "020 7946 0018", "csrf_token": token}
    added = b.post(f"/leads/{lead['id']}/contacts", data=form)
    assert added.status_code == 303, added.text
    with unit_of_work(write=False, org_id=world.alice.org_id) as s:
        wyn = s.scalars(select(Contact).where(Contact.first_name == "Wyn")).one()
        assert wyn.phone == "+442079460018"
