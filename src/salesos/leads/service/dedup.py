"""Exact-match dedup: find this org's lead with the same email, phone or company domain, and merge into it.

The intake webhook uses the one-lead functions here; the CSV import batches the lookups
(``imports.service.batch``) but shares the keys (``email_key``) and the merge rule (``fill_lead``).
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from sqlalchemy.orm import Session

from salesos.leads import normalize
from salesos.leads.keys import email_key
from salesos.leads.models import Contact, Lead
from salesos.leads.repository import ContactRepository, LeadMatchRepository
from salesos.leads.schemas import LeadCreateIn
from salesos.leads.service.leads import checked_email, checked_phone, flag_primary, org_region, record

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
    """The normalised values a lead is matched on (``email`` as stored, ``email_key`` as matched)."""

    email: str | None
    phone: str | None
    domain: str | None

    @property
    def email_key(self) -> str | None:
        return email_key(self.email)


def keys_for(data: LeadCreateIn, region: str) -> MatchKeys:
    """Normalised email, phone and company domain of an incoming lead; ValidationFailed if malformed.

    Phones are read in the company's country when it names one, else in *region* (the org's).
    """
    contact, company = data.contact, data.company
    region = normalize.phone_region(company.country if company is not None else None, region)
    email = checked_email(contact.email if contact else None, "contact.email")
    phone = checked_phone(contact.phone if contact else None, region, "contact.phone")
    domain = None
    if company is not None:
        domain = normalize.domain_from_url(company.domain) or normalize.domain_from_url(company.website)
    domain = domain or normalize.company_domain_from_email(email)
    return MatchKeys(email=email, phone=phone, domain=domain)


def match_keys(session: Session, data: LeadCreateIn) -> MatchKeys:
    """``keys_for`` in the org's default region."""
    return keys_for(data, org_region(session))


def find_existing_lead(
    session: Session, *, email: str | None, phone: str | None, domain: str | None
) -> Lead | None:
    """This org's lead matching the email, else the phone (unless contradicted), else the company domain."""
    repo = LeadMatchRepository(session)
    key = email_key(email)
    if key:
        # By the "+tag"-less key on both sides: a tagged address finds a bare one and the other way round.
        found_by_email = repo.by_contact_email_key(key)
        if found_by_email is not None:
            return found_by_email
    if domain in normalize.FREE_MAIL_DOMAINS:
        domain = None
    if phone:
        found_by_phone = repo.by_contact_phone(phone)
        if found_by_phone is not None and not phone_match_contradicted(found_by_phone, key, domain):
            return found_by_phone
    if domain:
        return repo.by_company_domain(domain)
    return None


def phone_match_contradicted(lead: Any, email_key_in: str | None, domain_in: str | None) -> bool:
    """Whether a lead found by phone has another email or company domain than the incoming one.

    A phone number is weaker proof than an address: a switchboard, a call centre or a shared office
    line answers for several businesses. Two records whose emails or websites disagree are two
    businesses, whatever number they share. *lead* is a ``Lead`` or shaped like one.
    """
    contact = lead.primary_contact
    theirs = email_key(contact.email) if contact is not None else None
    if email_key_in and theirs and email_key_in != theirs:
        return True
    their_domain = lead.company.domain if lead.company is not None else None
    return bool(domain_in and their_domain and domain_in != their_domain)


def lead_named(session: Session, company_name: str) -> Lead | None:
    """This org's oldest lead of a company with that name (case and spacing aside), if any.

    Not a merge key (two shops may share a name); the new-lead form asks before making a second one.
    """
    return LeadMatchRepository(session).by_company_name(company_name)


def new_tags(tags: list[str], incoming: list[str]) -> list[str]:
    """The tags of *incoming* that *tags* lacks, in stored form: tags differing only in case are one."""
    have = {tag.casefold() for tag in tags}
    return [tag for tag in normalize.normalize_tags(incoming) if tag.casefold() not in have]


def is_blank(value: object) -> bool:
    """None or only whitespace: a field a merge may fill."""
    return value is None or (isinstance(value, str) and not value.strip())


def fill_blanks(target: object, values: dict[str, Any], prefix: str = "") -> list[str]:
    """Copy *values* into *target*'s blank fields, never over a filled one; the names filled (prefixed)."""
    filled = []
    for name, value in values.items():
        if not is_blank(value) and is_blank(getattr(target, name)):
            setattr(target, name, value)
            filled.append(f"{prefix}{name}")
    return filled


@dataclass(frozen=True)
class Incoming:
    """What an incoming lead can fill: normalised company and contact values, deal value, source, tags."""

    company: dict[str, Any] | None
    contact: dict[str, Any] | None
    source: str | None
    tags: list[str]
    value: Decimal | None = None
    currency: str = "USD"


def incoming_values(data: LeadCreateIn, keys: MatchKeys, company_phone: str | None) -> Incoming:
    """The merge values of *data* (phones and email already normalised and checked)."""
    company = contact = None
    if data.company is not None:
        company = {name: getattr(data.company, name) for name in COMPANY_FIELDS}
        company["domain"] = keys.domain
        company["phone"] = company_phone
    if data.contact is not None:
        contact = {name: getattr(data.contact, name) for name in CONTACT_FIELDS}
        contact.update(email=keys.email, phone=keys.phone)
    return Incoming(company, contact, data.source, list(data.tags), data.value, data.currency)


def fill_lead(lead: Any, incoming: Incoming, new_contact: Callable[[], Any]) -> list[str]:
    """Fill blanks of *lead*'s company, contact, value and source, add tags; never overwrite.

    Says what changed.

    *lead* is a ``Lead`` or anything shaped like one (the import's not-yet-inserted leads);
    *new_contact* makes the primary contact when the lead has none and the incoming one has values.
    """
    filled: list[str] = []
    if incoming.company is not None:
        filled += fill_blanks(lead.company, incoming.company, "company.")
    if incoming.contact is not None:
        contact = lead.primary_contact
        if contact is None and any(not is_blank(v) for v in incoming.contact.values()):
            contact = new_contact()
            lead.primary_contact_id = contact.id
            lead.primary_contact = contact
            filled.append("contact")
        if contact is not None:
            filled += fill_blanks(contact, incoming.contact, "contact.")
            contact.full_name = " ".join(p for p in (contact.first_name, contact.last_name) if p)
    if lead.value is None and incoming.value is not None:
        # A deal value comes with its currency: a lead's value is never read in another one's.
        lead.value, lead.currency = incoming.value, incoming.currency
        filled.append("value")
    if is_blank(lead.source) and not is_blank(incoming.source):
        lead.source = incoming.source
        filled.append("source")
    added = new_tags(lead.tags, incoming.tags)
    if added:
        lead.tags = [*lead.tags, *added]  # a new list: JSON columns only see reassignment
        filled.append("tags")
    return filled


def merge_into(
    session: Session, lead: Lead, incoming: LeadCreateIn, *, actor_id: uuid.UUID | None = None
) -> list[str]:
    """Fill blanks of *lead*'s company, contact, value and source from *incoming*; say what changed."""
    region = org_region(session)
    keys = keys_for(incoming, region)
    company_phone = None
    if incoming.company is not None:
        company_region = normalize.phone_region(incoming.company.country, region)
        company_phone = checked_phone(incoming.company.phone, company_region, "company.phone")

    def new_contact() -> Contact:
        return ContactRepository(session).add(Contact(company_id=lead.company_id, is_primary=True))

    filled = fill_lead(lead, incoming_values(incoming, keys, company_phone), new_contact)
    if "contact" in filled and lead.primary_contact_id is not None:
        flag_primary(session, lead.company_id, lead.primary_contact_id)
    session.flush()
    record(session, lead, "merged", actor_id, source=incoming.source, fields=filled)
    return filled
