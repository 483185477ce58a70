"""Exact-match dedup: email, phone, company domain, within one organisation only."""

from __future__ import annotations

from salesos.auth.principal import Principal
from salesos.db.session import unit_of_work
from salesos.leads.schemas import CompanyIn, ContactIn, LeadCreateIn
from salesos.leads.service import dedup, leads
from salesos.orgs.models import Role
from tests.conftest import both_databases
from tests.intake.helpers import make_endpoint, post, row


def _create(person, company: CompanyIn, contact: ContactIn | None = None):  # type: ignore[no-untyped-def]
    principal = Principal(org_id=person.org_id, role=Role.OWNER, kind="token", user_id=person.user_id)
    with unit_of_work(org_id=person.org_id, user_id=person.user_id) as s:
        return leads.create_lead(s, principal, LeadCreateIn(company=company, contact=contact)).id


def _find(person, **keys):  # type: ignore[no-untyped-def]
    with unit_of_work(write=False, org_id=person.org_id) as s:
        found = dedup.find_existing_lead(
            s, email=keys.get("email"), phone=keys.get("phone"), domain=keys.get("domain")
        )
        return found.id if found else None


@both_databases
def test_dedup_never_matches_another_orgs_lead(client, world):
    a_lead = _create(
        world.alice,
        CompanyIn(name="Shared Co", website="https://shared.example", phone="+1 212 555 0100"),
        ContactIn(email="same@shared.example", phone="+1 212 555 0101"),
    )
    assert _find(world.alice, email="same@shared.example") == a_lead
    assert _find(world.carol, email="same@shared.example") is None
    assert _find(world.carol, phone="+12125550101") is None
    assert _find(world.carol, domain="shared.example") is None
    # Through the webhook: Carol's identical row creates a lead in org B and leaves A's alone.
    ep = make_endpoint(client, world.carol)
    incoming = row(
        "c-1",
        {"name": "Shared Co", "website": "https://shared.example", "city": "Oslo"},
        contact={"email": "same@shared.example"},
    )
    result = post(client, ep["url"], incoming, ep["secret"]).json()
    assert result["created"] == 1 and result["merged"] == 0
    assert result["results"][0]["lead_id"] != str(a_lead)
    a_view = client.get(f"/api/v1/leads/{a_lead}", headers=world.alice.headers).json()
    assert a_view["company"]["city"] is None


def test_matches_by_email_then_phone_then_domain(client, world):
    by_email = _create(world.alice, CompanyIn(name="E"), ContactIn(email="e@e-co.example"))
    by_phone = _create(world.alice, CompanyIn(name="P"), ContactIn(phone="+44 20 7946 0958"))
    by_domain = _create(world.alice, CompanyIn(name="D", website="d-co.example"))
    assert _find(world.alice, email="e@e-co.example", phone="+442079460958") == by_email
    assert _find(world.alice, email="nobody@x.example", phone="+442079460958") == by_phone
    assert _find(world.alice, domain="d-co.example") == by_domain
    assert _find(world.alice, email="other@elsewhere.example") is None


def test_free_mail_domains_never_match(client, world):
    _create(world.alice, CompanyIn(name="Freelancer One"), ContactIn(email="one@gmail.com"))
    assert _find(world.alice, domain="gmail.com") is None
    ep = make_endpoint(client, world.alice)
    other = row("f-2", "Freelancer Two", contact={"email": "two@gmail.com"})
    assert post(client, ep["url"], other, ep["secret"]).json()["created"] == 1


def test_merge_never_overwrites_and_reports_filled_fields(client, world):
    lead_id = _create(
        world.alice,
        CompanyIn(name="Keep", city="Paris"),
        ContactIn(first_name="Ann", email="ann@keep.example"),
    )
    incoming = LeadCreateIn(
        company=CompanyIn(name="Other", city="Lyon", industry="Wine"),
        contact=ContactIn(first_name="Anne", title="CTO", email="ann@keep.example"),
        tags=["wine"],
        source="csv",
    )
    with unit_of_work(org_id=world.alice.org_id) as s:
        lead = leads.lead_or_404(s, lead_id)
        filled = dedup.merge_into(s, lead, incoming)
        assert sorted(filled) == ["company.industry", "contact.title", "source", "tags"]
        assert lead.company.city == "Paris" and lead.company.name == "Keep"
        assert lead.primary_contact is not None and lead.primary_contact.first_name == "Ann"
    with unit_of_work(org_id=world.alice.org_id) as s:
        again = dedup.merge_into(s, leads.lead_or_404(s, lead_id), incoming)
        assert again == []
