"""A lead's details edited in one go: the company and the primary contact beside the lead's own fields.

``leads.update_lead`` keeps the lead's fields (with their history and notifications); this module applies
what one edit form sends for the company and the person, records it on the lead's timeline, and gives a
lead without a contact its first one.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from salesos.auth.principal import Principal
from salesos.leads.models import Company, Contact, Lead
from salesos.leads.schemas import ContactCreateIn
from salesos.leads.service import directory
from salesos.leads.service.leads import flag_primary, record


def changed_only(current: Any, changes: dict[str, Any]) -> dict[str, Any]:
    """The entries of *changes* that differ from *current*'s attributes.

    A form sends every field each time; passing on only the edited ones keeps the timeline to what the
    user changed and spares the company's other leads a "changed" event for nothing.
    """
    return {name: value for name, value in changes.items() if getattr(current, name) != value}


def update_company(session: Session, lead: Lead, changes: dict[str, Any]) -> list[str]:
    """Apply the form's company fields; the names of the fields that changed."""
    company: Company = lead.company
    edited = changed_only(company, changes)
    if edited:
        directory.update_company(session, company, edited)
    return [f"company {name}" for name in edited]


def save_primary_contact(session: Session, lead: Lead, changes: dict[str, Any]) -> list[str]:
    """Apply the form's contact fields to the primary contact, or add one when the lead has none.

    A lead without a contact and an empty contact section stays without one. The new person works at
    the lead's company and becomes its primary contact.
    """
    contact: Contact | None = lead.primary_contact
    if contact is not None:
        edited = changed_only(contact, changes)
        if edited:
            directory.update_contact(session, contact, edited)
        return [f"contact {name}" for name in edited]
    if not any(value for value in changes.values()):
        return []
    data = ContactCreateIn.model_validate({**changes, "company_id": lead.company_id})
    contact = directory.create_contact(session, data)
    flag_primary(session, lead.company_id, contact.id)
    lead.primary_contact_id = contact.id
    session.flush()
    return ["primary contact"]


def record_edit(session: Session, principal: Principal, lead: Lead, fields: list[str]) -> None:
    """One timeline entry for the company and contact fields an edit changed (lead fields log their own)."""
    if fields:
        record(session, lead, "updated", principal.user_id, fields=fields)
