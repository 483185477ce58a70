"""The people on a lead, from its page: add a contact at its company, edit one, remove one."""

from __future__ import annotations

import uuid

from sqlalchemy.orm import Session

from salesos.auth.principal import Principal
from salesos.errors import NotFound
from salesos.leads.models import Contact, Lead
from salesos.leads.schemas import ContactCreateIn, ContactIn
from salesos.leads.service import directory
from salesos.leads.service.leads import record, set_primary_contact


def add_contact(
    session: Session, principal: Principal, lead: Lead, data: ContactIn, *, make_primary: bool
) -> Contact:
    """A person at the lead's company, on its timeline; its primary contact if asked or if it had none."""
    contact = directory.create_contact(
        session, ContactCreateIn(**data.model_dump(), company_id=lead.company_id)
    )
    record(session, lead, "contact_added", principal.user_id, contact_id=str(contact.id))
    if make_primary or lead.primary_contact_id is None:
        set_primary_contact(session, principal, lead, contact.id)
    return contact


# What the lead page's edit form changes (the API's PATCH /contacts takes the rest too).
EDITABLE = ("first_name", "last_name", "title", "email", "phone", "is_decision_maker", "do_not_contact")


def contact_at(session: Session, lead: Lead, contact_id: uuid.UUID) -> Contact:
    """A person at the lead's company; anyone else (another company, another org) is not found."""
    contact = directory.contact_or_404(session, contact_id)
    if contact.company_id != lead.company_id:
        raise NotFound("Contact not found.")
    return contact


def edit_contact(
    session: Session, principal: Principal, lead: Lead, contact: Contact, data: ContactIn
) -> list[str]:
    """Apply the lead page's edit to *contact*; the fields that changed, recorded on the lead's timeline."""
    wanted = data.model_dump(include=set(EDITABLE))
    before = {name: getattr(contact, name) for name in EDITABLE}
    directory.update_contact(session, contact, dict(wanted))
    changed = [name for name in EDITABLE if getattr(contact, name) != before[name]]
    if changed:
        record(session, lead, "contact_edited", principal.user_id, contact_id=str(contact.id), fields=changed)
    return changed


def remove_contact(session: Session, principal: Principal, lead: Lead, contact: Contact) -> None:
    """Delete a person at the lead's company; a lead they were the primary contact of goes on without one."""
    name = contact.full_name or contact.email or contact.phone or "a contact"
    if lead.primary_contact_id == contact.id:
        lead.primary_contact_id = None
    directory.delete_contact(session, contact)
    record(session, lead, "contact_removed", principal.user_id, name=name)
