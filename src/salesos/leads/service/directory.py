"""Companies and contacts on their own: create, edit and delete them, normalised like everywhere else."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy.orm import Session

from salesos.errors import Conflict, NotFound, ValidationFailed
from salesos.leads import normalize
from salesos.leads.models import Company, Contact
from salesos.leads.repository import CompanyRepository, ContactRepository, LeadRepository
from salesos.leads.schemas import CompanyIn, ContactCreateIn
from salesos.leads.service.leads import NOBODY, checked_email, checked_phone, new_company, org_region
from salesos.realtime.events import publish_after_commit


def company_or_404(session: Session, company_id: uuid.UUID) -> Company:
    """A company of this org; another org's id answers exactly like a missing one."""
    company = CompanyRepository(session).get(company_id)
    if company is None:
        raise NotFound("Company not found.")
    return company


def contact_or_404(session: Session, contact_id: uuid.UUID) -> Contact:
    """A contact of this org."""
    contact = ContactRepository(session).get(contact_id)
    if contact is None:
        raise NotFound("Contact not found.")
    return contact


ADDRESS_FIELDS = ("address", "city", "region", "postal_code", "country")
# What a contact is known by; one of them at least (ContactDetails.names_someone checks the same).
IDENTIFYING = ("first_name", "last_name", "email", "phone", "linkedin_url")
# One more than the realtime coalescing limit: beyond it the browsers get one "resync" anyway.
HINT_LIMIT = 21


def _changed(session: Session, company_id: uuid.UUID | None) -> None:
    # Board cards and lead pages show company and contact names: the company's leads look changed.
    if company_id is None:
        return
    leads = LeadRepository(session)
    for lead_id in leads.ids_of_company(company_id, limit=HINT_LIMIT):
        publish_after_commit(session, leads.org_id, "lead.updated", {"lead_id": str(lead_id)})


def create_company(session: Session, data: CompanyIn) -> Company:
    """A company with its domain and phone normalised."""
    # The body is the company itself: its fields have no "company." in front, unlike a lead's.
    return new_company(session, data, None, org_region(session), prefix="")


def update_company(session: Session, company: Company, changes: dict[str, Any]) -> Company:
    """Apply a PATCH: the name can't be emptied; domain and phone are normalised; null clears."""
    if "name" in changes and not changes["name"]:
        raise ValidationFailed("A company needs a name.", field="name")
    if "phone" in changes:
        region = normalize.phone_region(changes.get("country", company.country), org_region(session))
        changes["phone"] = checked_phone(changes["phone"], region, "phone")
    if "domain" in changes:
        domain = normalize.domain_from_url(changes["domain"])
        changes["domain"] = domain or normalize.domain_from_url(changes.get("website", company.website))
    elif "website" in changes and company.domain == normalize.domain_from_url(company.website):
        # The domain came from the old website: it follows the new one. A domain set on its own (the key
        # imports and intake merge on) stays as it is.
        changes["domain"] = normalize.domain_from_url(changes["website"])
    if "tags" in changes:
        changes["tags"] = normalize.normalize_tags(changes["tags"] or [])
    moved = any(name in changes and changes[name] != getattr(company, name) for name in ADDRESS_FIELDS)
    if moved and company.lat is not None and not {"lat", "lon"} & changes.keys():
        # The stored position was found for the old address; kept, it would put the map somewhere else.
        company.lat = company.lon = None
    for name, value in changes.items():
        setattr(company, name, value)
    session.flush()
    _changed(session, company.id)
    return company


def delete_company(session: Session, company: Company) -> None:
    """Delete a company with its contacts; refused while leads are still attached to it."""
    attached = LeadRepository(session).count_of_company(company.id)
    if attached:
        they = "lead belongs" if attached == 1 else "leads belong"
        raise Conflict(f"{attached:,} {they} to this company; delete or merge them first.")
    for contact in ContactRepository(session).of_company(company.id):
        session.delete(contact)
    CompanyRepository(session).delete(company)
    _changed(session, company.id)


def create_contact(session: Session, data: ContactCreateIn) -> Contact:
    """A person, at a company of this org or on their own."""
    if data.company_id is not None and CompanyRepository(session).get(data.company_id) is None:
        raise ValidationFailed("Unknown company.", field="company_id")
    if not data.names_someone():
        raise ValidationFailed(NOBODY, field="first_name")
    region = contact_region(session, data.company_id)
    fields = data.model_dump(exclude={"email", "phone"})
    contact = Contact(
        **fields,
        full_name=_full_name(data.first_name, data.last_name),
        email=checked_email(data.email, "email"),
        phone=checked_phone(data.phone, region, "phone"),
    )
    ContactRepository(session).add(contact)
    _changed(session, contact.company_id)
    return contact


def update_contact(session: Session, contact: Contact, changes: dict[str, Any]) -> Contact:
    """Apply a PATCH to a person; email and phone are normalised, the full name follows the parts.

    An edit may not leave nothing to know the person by (create_contact's rule).
    """
    if not any(changes.get(name, getattr(contact, name)) for name in IDENTIFYING):
        raise ValidationFailed(NOBODY, field="first_name")
    company_id = changes.get("company_id")
    if company_id is not None and CompanyRepository(session).get(company_id) is None:
        raise ValidationFailed("Unknown company.", field="company_id")
    if "email" in changes:
        changes["email"] = checked_email(changes["email"], "email")
    if "phone" in changes:
        region = contact_region(session, changes.get("company_id", contact.company_id))
        changes["phone"] = checked_phone(changes["phone"], region, "phone")
    for flag in ("is_decision_maker", "email_consent", "do_not_contact"):
        if flag in changes and changes[flag] is None:
            raise ValidationFailed("Say true or false.", field=flag)
    for name, value in changes.items():
        setattr(contact, name, value)
    contact.full_name = _full_name(contact.first_name, contact.last_name)
    session.flush()
    _changed(session, contact.company_id)
    return contact


def contact_region(session: Session, company_id: uuid.UUID | None) -> str:
    """Where a person's phone without a country code is read: their company's country, as on a new lead,
    else the organisation's region."""
    company = CompanyRepository(session).get(company_id) if company_id is not None else None
    return normalize.phone_region(company.country if company else None, org_region(session))


def delete_contact(session: Session, contact: Contact) -> None:
    """Delete a person; leads that had them as primary contact keep going without one."""
    ContactRepository(session).delete(contact)
    _changed(session, contact.company_id)


def _full_name(first: str | None, last: str | None) -> str:
    return " ".join(part for part in (first, last) if part)
