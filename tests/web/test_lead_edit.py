"""Editing a lead's deal fields, company and primary contact from its page: saved together or not at all."""

from __future__ import annotations

import re
import uuid
from decimal import Decimal
from typing import Any

from salesos.auth.principal import Principal
from salesos.db.session import unit_of_work
from salesos.leads.models import Activity, Company, Contact, Lead
from salesos.leads.schemas import CompanyIn, LeadCreateIn
from salesos.leads.service import leads as lead_service
from salesos.orgs.models import Membership, Role
from tests.conftest import both_databases
from tests.support.world import Person
from tests.web import test_board
from tests.web.test_board import count_rows, sign_in
from tests.web.test_lead_actions import make_lead

browser = test_board.browser  # the fixture, shared with the board tests

FIELD = re.compile(r'<input id="f-([a-z_]+)" name="\1" type="[a-z-]+"(?: value="([^"]*)")?')


def form_of(page: str) -> dict[str, str]:
    """The edit form's inputs, hidden fields, ticked boxes and chosen tier, as a browser would post them."""
    values = {name: value or "" for name, value in FIELD.findall(page)}
    values["seen"] = re.search(r'name="seen" value="([^"]*)"', page).group(1)  # type: ignore[union-attr]
    values |= {name: "on" for name in re.findall(r'name="(contact_[a-z_]+)" id="[^"]+" checked', page)}
    tier = re.search(r'<option value="([ABC])" selected>', page)
    values["tier"] = tier.group(1) if tier else ""
    return values


def lead_state(person: Person, lead_id: uuid.UUID) -> dict[str, Any]:
    """What the database holds for the lead, its company and primary contact."""
    with unit_of_work(write=False, org_id=person.org_id, user_id=person.user_id) as session:
        lead = session.get(Lead, lead_id)
        assert lead is not None
        company = session.get(Company, lead.company_id)
        contact = session.get(Contact, lead.primary_contact_id) if lead.primary_contact_id else None
        return {
            "value": lead.value,
            "tags": list(lead.tags),
            "tier": lead.tier,
            "follow_up": lead.next_follow_up_at,
            "company": (company.name, company.city, company.phone) if company else None,
            "contact": (contact.full_name, contact.email, contact.title, contact.do_not_contact)
            if contact
            else None,
            "updated_at": lead.updated_at,
        }


def timeline(person: Person, lead_id: uuid.UUID) -> list[list[str]]:
    """The field lists of the lead's "updated" entries, oldest first."""
    with unit_of_work(write=False, org_id=person.org_id, user_id=person.user_id) as session:
        rows = session.query(Activity).filter(Activity.lead_id == lead_id, Activity.kind == "updated")
        return [a.data["fields"] for a in rows.order_by(Activity.id)]


def lead_without_contact(person: Person) -> uuid.UUID:
    principal = Principal(org_id=person.org_id, role=Role.OWNER, kind="token", user_id=person.user_id)
    with unit_of_work(org_id=person.org_id, user_id=person.user_id) as session:
        data = LeadCreateIn(company=CompanyIn(name="Solo Ltd"))
        return lead_service.create_lead(session, principal, data).id


@both_databases
def test_edit_saves_deal_company_and_contact_and_says_what_changed(client, browser, world):
    lead_id = make_lead(world.alice)
    b = browser()
    token = sign_in(b, world.alice)
    assert f'href="/leads/{lead_id}/edit"' in b.get(f"/leads/{lead_id}").text
    page = b.get(f"/leads/{lead_id}/edit")
    assert page.status_code == 200
    form = form_of(page.text)
    assert form["company_name"] == "Ng &amp; Co" and form["contact_email"] == "zoe@ng-co.example"
    form |= {"company_name": "Ng & Co", "csrf_token": token, "value": "12500.50", "tags": "vip, renewal, vip"}
    form |= {"tier": "A", "company_city": "Leeds", "contact_title": "Head of Ops", "next_follow_up_at": ""}
    saved = b.post(f"/leads/{lead_id}/edit", data=form)
    assert saved.status_code == 303 and saved.headers["location"] == f"/leads/{lead_id}?done=saved"
    state = lead_state(world.alice, lead_id)
    assert (state["value"], state["tags"], state["tier"]) == (Decimal("12500.50"), ["vip", "renewal"], "A")
    assert state["company"] == ("Ng & Co", "Leeds", None)
    assert state["contact"] == ("Zoë Ng", "zoe@ng-co.example", "Head of Ops", False)
    # Only what was edited is recorded: the deal fields by the lead, the company and contact by the form.
    assert timeline(world.alice, lead_id) == [["tags", "tier", "value"], ["company city", "contact title"]]
    shown = b.get(f"/leads/{lead_id}?done=saved").text
    assert "Changes saved." in shown and "12,500.50 USD" in shown and "Tier A" in shown

    # Saving the form untouched changes nothing and records nothing.
    again = form_of(b.get(f"/leads/{lead_id}/edit").text) | {"csrf_token": token, "company_name": "Ng & Co"}
    assert b.post(f"/leads/{lead_id}/edit", data=again).status_code == 303
    assert len(timeline(world.alice, lead_id)) == 2


@both_databases
def test_a_lead_without_a_contact_gets_its_first_one_only_when_one_is_given(client, browser, world):
    lead_id = lead_without_contact(world.alice)
    b = browser()
    token = sign_in(b, world.alice)
    add_one = f'<a href="/leads/{lead_id}/edit#f-contact_first_name">add one</a>'
    assert add_one in b.get(f"/leads/{lead_id}").text
    page = b.get(f"/leads/{lead_id}/edit").text
    assert "No contact yet." in page
    contacts = count_rows(world.alice, Contact)
    empty = form_of(page) | {"csrf_token": token, "value": "10"}
    assert b.post(f"/leads/{lead_id}/edit", data=empty).status_code == 303
    assert lead_state(world.alice, lead_id)["contact"] is None
    assert count_rows(world.alice, Contact) == contacts

    named = form_of(b.get(f"/leads/{lead_id}/edit").text) | {"csrf_token": token}
    named |= {"contact_first_name": "Ada", "contact_last_name": "Byron"}
    named["contact_email"] = " ADA@Solo.example "
    assert b.post(f"/leads/{lead_id}/edit", data=named).status_code == 303
    assert lead_state(world.alice, lead_id)["contact"] == ("Ada Byron", "ada@solo.example", None, False)
    assert timeline(world.alice, lead_id)[-1] == ["primary contact"]
    assert "Ada Byron" in b.get(f"/leads/{lead_id}").text


@both_databases
def test_bad_input_is_shown_by_its_field_and_changes_nothing(client, browser, world):
    lead_id = make_lead(world.alice)
    b = browser()
    token = sign_in(b, world.alice)
    before = lead_state(world.alice, lead_id)
    form = form_of(b.get(f"/leads/{lead_id}/edit").text) | {"csrf_token": token, "company_name": "Renamed"}
    cases = [
        ({"contact_email": "not-an-email"}, "contact_email"),
        ({"value": "lots"}, "value"),
        ({"currency": ""}, "currency"),
        ({"company_name": " "}, "company_name"),
        ({"next_follow_up_at": "tomorrow-ish"}, "next_follow_up_at"),
        ({"company_phone": "12"}, "company_phone"),  # refused by the service, not the schema
    ]
    for change, field in cases:
        response = b.post(f"/leads/{lead_id}/edit", data=form | change)
        assert response.status_code == 422, (change, response.status_code)
        assert f'id="f-{field}-error"' in response.text, change
        assert 'value="Renamed"' in response.text or field == "company_name", "the user's input is kept"
    assert lead_state(world.alice, lead_id) == before


@both_databases
def test_an_edit_over_a_change_made_meanwhile_asks_before_overwriting(client, browser, world):
    lead_id = make_lead(world.alice)
    alice, bob = browser(), browser()
    alice_token, bob_token = sign_in(alice, world.alice), sign_in(bob, world.bob)
    alice_form = form_of(alice.get(f"/leads/{lead_id}/edit").text) | {"csrf_token": alice_token}
    bob_form = form_of(bob.get(f"/leads/{lead_id}/edit").text) | {"csrf_token": bob_token}
    assert bob.post(f"/leads/{lead_id}/edit", data=bob_form | {"value": "900"}).status_code == 303

    stale = alice.post(f"/leads/{lead_id}/edit", data=alice_form | {"value": "100", "company_city": "York"})
    assert stale.status_code == 409
    assert "Someone else changed this lead" in stale.text and 'value="100"' in stale.text
    state = lead_state(world.alice, lead_id)
    assert state["value"] == Decimal("900") and state["company"][1] is None
    # The refusal carries the current version: saving again is a deliberate overwrite.
    retry = form_of(stale.text) | {"csrf_token": alice_token}
    assert alice.post(f"/leads/{lead_id}/edit", data=retry).status_code == 303
    assert lead_state(world.alice, lead_id)["value"] == Decimal("100")


def test_viewers_cannot_edit_and_other_orgs_see_nothing(client, browser, world):
    lead_id = make_lead(world.alice)
    with unit_of_work(org_id=world.alice.org_id, user_id=world.alice.user_id) as session:
        membership = session.get(Membership, world.bob.member_id)
        assert membership is not None
        membership.role = Role.VIEWER.value
    b = browser()
    token = sign_in(b, world.bob)
    assert f'href="/leads/{lead_id}/edit"' not in b.get(f"/leads/{lead_id}").text
    assert b.get(f"/leads/{lead_id}/edit").status_code == 403
    assert b.post(f"/leads/{lead_id}/edit", data={"csrf_token": token, "value": "1"}).status_code == 403
    carol = browser()
    carol_token = sign_in(carol, world.carol)
    missing = carol.get(f"/leads/{uuid.uuid4()}/edit")
    assert carol.get(f"/leads/{lead_id}/edit").status_code == missing.status_code == 404
    form = {"csrf_token": carol_token, "company_name": "Mine now", "currency": "USD", "seen": ""}
    assert carol.post(f"/leads/{lead_id}/edit", data=form).status_code == 404
    assert lead_state(world.alice, lead_id)["company"][0] == "Ng & Co"


@both_databases
def test_the_edit_form_reads_amounts_in_the_currency_field(client, browser, world):
    lead_id = make_lead(world.alice)
    b = browser()
    token = sign_in(b, world.alice)

    def post(value: str, currency: str) -> Any:
        form = form_of(b.get(f"/leads/{lead_id}/edit").text) | {
            "csrf_token": token,
            "company_name": "Ng & Co",
        }
        return b.post(f"/leads/{lead_id}/edit", data=form | {"value": value, "currency": currency})

    assert post("1,200", "USD").status_code == 303
    assert lead_state(world.alice, lead_id)["value"] == Decimal(1200)
    assert post("€1.200,50", "eur").status_code == 303
    assert lead_state(world.alice, lead_id)["value"] == Decimal("1200.50")
    assert post("12 500 kr", "SEK").status_code == 303
    assert lead_state(world.alice, lead_id)["value"] == Decimal(12500)
    before = lead_state(world.alice, lead_id)
    for value, currency, message in [
        ("€1.200,50", "USD", "The amount is in EUR, but the currency is USD."),
        ("1,2,3", "USD", "Enter an amount such as 1200 or 1,200.50."),
        ("1.234,567", "EUR", "Use at most two decimals, such as 1200.50."),
    ]:
        refused = post(value, currency)
        assert refused.status_code == 422, value
        assert f'<p class="field-error" id="f-value-error">{message}</p>' in refused.text
        assert "valid decimal" not in refused.text
    assert lead_state(world.alice, lead_id) == before


def test_a_new_address_drops_the_position_found_for_the_old_one(client, browser, world):
    principal = Principal(
        org_id=world.alice.org_id, role=Role.OWNER, kind="token", user_id=world.alice.user_id
    )
    with unit_of_work(org_id=world.alice.org_id, user_id=world.alice.user_id) as session:
        company = CompanyIn(
            name="Pioneer Tire", address="1 Congress Ave", city="Austin", lat=30.2144, lon=-97.7582
        )
        lead_id = lead_service.create_lead(session, principal, LeadCreateIn(company=company)).id
    b = browser()
    token = sign_in(b, world.alice)
    page = b.get(f"/leads/{lead_id}").text
    assert (
        "1 Congress Ave, Austin" in page and "query=30.2144%2C-97.7582" in page
    )  # the card reads the address
    form = form_of(b.get(f"/leads/{lead_id}/edit").text) | {
        "csrf_token": token,
        "company_name": "Pioneer Tire",
    }
    form |= {"company_address": "1 Infinite Loop", "company_city": "Cupertino"}
    assert b.post(f"/leads/{lead_id}/edit", data=form).status_code == 303
    page = b.get(f"/leads/{lead_id}").text
    assert "30.2144" not in page and "query=1+Infinite+Loop%2C+Cupertino" in page
    with unit_of_work(write=False, org_id=world.alice.org_id) as session:
        lead = session.get(Lead, lead_id)
        moved = session.get(Company, lead.company_id)  # type: ignore[union-attr]
        assert (moved.lat, moved.lon) == (None, None)  # type: ignore[union-attr]
