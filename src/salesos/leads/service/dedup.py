"""Exact-match dedup: find this org's lead with the same email, phone or company domain, and merge into it."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import Session

from salesos.errors import ValidationFailed
from salesos.leads import normalize
from salesos.leads.models import Contact, Lead
from salesos.leads.repository import ContactRepository, LeadMatchRepository
from salesos.leads.schemas import LeadCreateIn
from salesos.leads.service.leads import record
from salesos.orgs.repository import OrganizationRepository

# Company fields copied into blanks; the name is required, so it is never blank.
COMPANY_FIELDS = (
    "website",
    "address",
    "city",
    "region",
    "postal_code",
    "country",
    "lat",
    "lon",
    "industry",
    "size",
    "source",
)
CONTACT_FIELDS = ("first_name", "last_name", "title", "linkedin_url")


@dataclass(frozen=True)
class MatchKeys:
    """The normalised values a lead is matched on."""

    email: str | None
    phone: str | None
    domain: str | None


def _region(session: Session) -> str:
    org = OrganizationRepository(session).current()
    return org.default_region if org is not None else "US"


def _checked_phone(raw: str | None, region: str, field: str) -> str | None:
    if raw is None or not raw.strip():
        return None
    phone = normalize.normalize_phone(raw, region)
    if phone is None:
        raise ValidationFailed("Not a valid phone number.", field=field)
    return phone


def match_keys(session: Session, data: LeadCreateIn) -> MatchKeys:
    """Normalised email, phone and company domain of an incoming lead; ValidationFailed if malformed."""
    contact, company = data.contact, data.company
    email = None
    if contact is not None and contact.email and contact.email.strip():
        email = normalize.normalize_email(contact.email)
        if email is None:
            raise ValidationFailed("Not a valid email address.", field="contact.email")
    phone = _checked_phone(contact.phone if contact else None, _region(session), "contact.phone")
    domain = None
    if company is not None:
        domain = normalize.domain_from_url(company.domain) or normalize.domain_from_url(company.website)
    domain = domain or normalize.company_domain_from_email(email)
    return MatchKeys(email=email, phone=phone, domain=domain)


def find_existing_lead(
    session: Session, *, email: str | None, phone: str | None, domain: str | None
) -> Lead | None:
    """This org's lead matching the email, else the phone, else the (non free-mail) company domain."""
    repo = LeadMatchRepository(session)
    if email:
        found = repo.by_contact_email(email)
        if found is not None:
            return found
    if phone:
        found = repo.by_contact_phone(phone)
        if found is not None:
            return found
    if domain and domain not in normalize.FREE_MAIL_DOMAINS:
        return repo.by_company_domain(domain)
    return None


def _blank(value: object) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _fill(target: object, values: dict[str, Any], prefix: str) -> list[str]:
    filled = []
    for name, value in values.items():
        if not _blank(value) and _blank(getattr(target, name)):
            setattr(target, name, value)
            filled.append(f"{prefix}.{name}")
    return filled


def merge_into(
    session: Session, lead: Lead, incoming: LeadCreateIn, *, actor_id: uuid.UUID | None = None
) -> list[str]:
    """Fill blanks of *lead*'s company, contact and source from *incoming*, add tags; say what changed."""
    keys = match_keys(session, incoming)
    region = _region(session)
    filled: list[str] = []
    if incoming.company is not None:
        values = {name: getattr(incoming.company, name) for name in COMPANY_FIELDS}
        values["domain"] = keys.domain
        values["phone"] = _checked_phone(incoming.company.phone, region, "company.phone")
        filled += _fill(lead.company, values, "company")
    if incoming.contact is not None:
        values = {name: getattr(incoming.contact, name) for name in CONTACT_FIELDS}
        values.update(email=keys.email, phone=keys.phone)
        contact = lead.primary_contact
        if contact is None and any(not _blank(v) for v in values.values()):
            contact = ContactRepository(session).add(Contact(company_id=lead.company_id, is_primary=True))
            lead.primary_contact_id = contact.id
            lead.primary_contact = contact
            filled.append("contact")
        if contact is not None:
            filled += _fill(contact, values, "contact")
            contact.full_name = " ".join(p for p in (contact.first_name, contact.last_name) if p)
    if _blank(lead.source) and not _blank(incoming.source):
        lead.source = incoming.source
        filled.append("source")
    new_tags = [t for t in dict.fromkeys(incoming.tags) if t not in lead.tags]
    if new_tags:
        lead.tags = [*lead.tags, *new_tags]  # a new list: JSON columns only see reassignment
        filled.append("tags")
    session.flush()
    record(session, lead, "merged", actor_id, source=incoming.source, fields=filled)
    return filled
