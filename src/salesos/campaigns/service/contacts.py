"""Who to contact at a prospect: people and addresses from its site and Hunter, each email verified.

A pattern-guessed address (jane.smith@…) is kept only when the verifier says the mailbox exists, which
takes the SMTP probe; without it, named people keep no guessed email.
"""

from __future__ import annotations

from typing import Any

from salesos.campaigns.service.providers import Meter
from salesos.config import Settings
from salesos.integrations.contacts import FoundContact, get_contact_finders
from salesos.integrations.contacts.people import pattern_candidates
from salesos.integrations.contacts.site import contacts_from_site
from salesos.integrations.enrich import WebsiteAudit
from salesos.integrations.verify.base import EmailVerifier, VerificationStatus

# Probing every pattern of every person would look like address harvesting; the first few suffice.
MAX_GUESSED_PEOPLE = 2
MAX_CONTACTS = 25


def _merge(contacts: list[FoundContact]) -> list[FoundContact]:
    # One entry per address; a named entry beats a bare address for the same mailbox.
    by_email: dict[str, FoundContact] = {}
    unnamed: list[FoundContact] = []
    for contact in contacts:
        if contact.email is None:
            unnamed.append(contact)
            continue
        current = by_email.get(contact.email)
        if current is None or (not current.name and contact.name):
            by_email[contact.email] = contact
    named_emails = {c.name for c in by_email.values() if c.name}
    return [*by_email.values(), *(c for c in unnamed if c.name not in named_emails)]


def _guess(person: FoundContact, domain: str, verifier: EmailVerifier) -> dict[str, Any] | None:
    if not (person.first_name and person.last_name):
        return None
    for candidate in pattern_candidates(person.first_name, person.last_name, domain):
        result = verifier.verify(candidate)
        if result.status == VerificationStatus.VALID:
            return {**person.as_dict(), "email": result.email, "source": "pattern", "deliverable": True,
                    "status": result.status.value, "status_reason": result.reason}  # fmt: skip
    return None


def find_contacts(
    settings: Settings, audit: WebsiteAudit | None, domain: str | None, verifier: EmailVerifier, meter: Meter
) -> list[dict[str, Any]]:
    """Contacts from the site and keyed finders, verified; raises ProviderError from a finder."""
    found: list[FoundContact] = []
    if audit is not None:
        found.extend(contacts_from_site(audit.emails, list(getattr(audit, "people", []))))
    if domain:
        for finder in get_contact_finders(settings, on_usage=meter):
            found.extend(finder.find(domain))
    contacts: list[dict[str, Any]] = []
    for contact in _merge(found)[:MAX_CONTACTS]:
        entry = contact.as_dict()
        if contact.email:
            result = verifier.verify(contact.email)
            entry.update(status=result.status.value, status_reason=result.reason,
                         deliverable=result.domain_accepts_mail)  # fmt: skip
        contacts.append(entry)
    probing = bool(getattr(verifier, "smtp_probe", False))
    if probing and domain:
        unnamed = [c for c in found if c.name and not c.email][:MAX_GUESSED_PEOPLE]
        contacts.extend(g for g in (_guess(p, domain, verifier) for p in unnamed) if g is not None)
    contacts.sort(key=rank)
    return contacts


def rank(contact: dict[str, Any]) -> tuple[int, bool, bool]:
    """Sort key: reachable people first, decision makers before staff, shared inboxes after people."""
    reach = {"valid": 0, "catch_all": 1, "unknown": 1}.get(contact.get("status") or "", 2)
    if not contact.get("email"):
        reach = 3
    return reach, bool(contact.get("role_address")), not contact.get("decision_maker")
