"""The people on a lead: a new contact at its company, added from the lead's page."""

from __future__ import annotations

from sqlalchemy.orm import Session

from salesos.auth.principal import Principal
from salesos.errors import ValidationFailed
from salesos.leads.models import Contact, Lead
from salesos.leads.schemas import ContactCreateIn, ContactIn
from salesos.leads.service import directory
from salesos.leads.service.leads import record, set_primary_contact


def add_contact(
    session: Session, principal: Principal, lead: Lead, data: ContactIn, *, make_primary: bool
) -> Contact:
    """A person at the lead's company, on its timeline; its primary contact if asked or if it had none."""
    if not any((data.first_name, data.last_name, data.email, data.phone)):
        raise ValidationFailed("Give a name, an email address or a phone number.", field="first_name")
    contact = directory.create_contact(
        session, ContactCreateIn(**data.model_dump(), company_id=lead.company_id)
    )
    record(session, lead, "contact_added", principal.user_id, contact_id=str(contact.id))
    if make_primary or lead.primary_contact_id is None:
        set_primary_contact(session, principal, lead, contact.id)
    return contact
