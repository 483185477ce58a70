"""People on the lead page: add a contact at the lead's company, edit or remove one, make one primary."""

from __future__ import annotations

import uuid
from dataclasses import asdict, dataclass
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import HTMLResponse, Response
from sqlalchemy.orm import Session

from salesos.auth.deps import Writer
from salesos.db.deps import DbSession
from salesos.errors import DomainError
from salesos.leads import schemas
from salesos.leads.action_views import render_detail
from salesos.leads.models import Lead
from salesos.leads.service import directory, people
from salesos.leads.service import leads as lead_service
from salesos.web.forms import FormErrors, attempt, domain_errors, validate
from salesos.web.pages import see_other

router = APIRouter(include_in_schema=False)
Text = Annotated[str, Form()]


@dataclass(frozen=True)
class PersonForm:
    """The person fields the add and edit forms share, as typed."""

    first_name: str
    last_name: str
    title: str
    email: str
    phone: str
    is_decision_maker: bool
    do_not_contact: bool

    def checked(self, session: Session, lead: Lead) -> tuple[schemas.ContactIn | None, FormErrors]:
        """The person as the schema takes it, and every field's problem at once (email and phone too);
        the phone is read in the country of the lead's company, as the service will read it."""
        typed = asdict(self)
        data = {
            key: value.strip() or None if isinstance(value, str) else value for key, value in typed.items()
        }
        form, errors = validate(schemas.ContactIn, data)
        region = directory.contact_region(session, lead.company_id)
        return form, lead_service.contact_problems(session, self.email, self.phone, region) | errors


async def person_form(
    first_name: Text = "",
    last_name: Text = "",
    title: Text = "",
    email: Text = "",
    phone: Text = "",
    is_decision_maker: Text = "",
    do_not_contact: Text = "",
) -> PersonForm:
    """The posted person fields (async: reading a form needs no thread)."""
    ticked = {"is_decision_maker": bool(is_decision_maker), "do_not_contact": bool(do_not_contact)}
    return PersonForm(first_name, last_name, title, email, phone, **ticked)


PersonFields = Annotated[PersonForm, Depends(person_form)]


@router.post("/leads/{lead_id}/contacts", response_class=HTMLResponse)
def add_contact(
    request: Request,
    lead_id: uuid.UUID,
    principal: Writer,
    session: DbSession,
    person: PersonFields,
    make_primary: Text = "",
) -> Response:
    """Add a person at the lead's company (its primary contact when asked, or when it has none)."""
    lead = lead_service.lead_or_404(session, lead_id)
    form, errors = person.checked(session, lead)
    if form is not None and not errors:
        try:
            with attempt(session):
                people.add_contact(session, principal, lead, form, make_primary=bool(make_primary))
        except DomainError as exc:
            errors = domain_errors(exc, "first_name")
        else:
            return see_other(f"/leads/{lead.id}?done=contact-added#contacts")
    session.refresh(lead)
    shown: dict[str, Any] = {**asdict(person), "make_primary": bool(make_primary)}
    return render_detail(request, session, principal, lead, 422, contact_errors=errors, contact_values=shown)


@router.post("/leads/{lead_id}/contacts/{contact_id}/primary")
def make_primary(
    lead_id: uuid.UUID, contact_id: uuid.UUID, principal: Writer, session: DbSession
) -> Response:
    """Make a person at the company the one this lead's email, call and WhatsApp reach."""
    lead = lead_service.lead_or_404(session, lead_id)
    lead_service.set_primary_contact(session, principal, lead, contact_id)
    return see_other(f"/leads/{lead.id}?done=primary#contacts")


@router.post("/leads/{lead_id}/contacts/{contact_id}/edit", response_class=HTMLResponse)
def edit_contact(
    request: Request,
    lead_id: uuid.UUID,
    contact_id: uuid.UUID,
    principal: Writer,
    session: DbSession,
    person: PersonFields,
) -> Response:
    """Change a person's name, title, email, phone and flags; every field's problem shown at once."""
    lead = lead_service.lead_or_404(session, lead_id)
    contact = people.contact_at(session, lead, contact_id)
    form, errors = person.checked(session, lead)
    if form is not None and not errors:
        try:
            with attempt(session):
                people.edit_contact(session, principal, lead, contact, form)
        except DomainError as exc:
            errors = domain_errors(exc, "first_name")
        else:
            return see_other(f"/leads/{lead.id}?done=contact-saved#contacts")
    session.refresh(lead)
    edits = {str(contact.id): {"errors": errors, "values": asdict(person)}}
    return render_detail(request, session, principal, lead, 422, contact_edits=edits)


@router.post("/leads/{lead_id}/contacts/{contact_id}/delete")
def remove_contact(
    lead_id: uuid.UUID, contact_id: uuid.UUID, principal: Writer, session: DbSession
) -> Response:
    """Remove a person from the company; the lead goes on without a primary contact if it was them."""
    lead = lead_service.lead_or_404(session, lead_id)
    people.remove_contact(session, principal, lead, people.contact_at(session, lead, contact_id))
    return see_other(f"/leads/{lead.id}?done=contact-removed#contacts")
