"""People on the lead page: add a contact at the lead's company, make one the lead's primary contact."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, Response

from salesos.auth.deps import Writer
from salesos.db.deps import DbSession
from salesos.errors import DomainError
from salesos.leads import schemas
from salesos.leads.action_views import render_detail
from salesos.leads.service import leads as lead_service
from salesos.leads.service import people
from salesos.web.forms import attempt, domain_errors, validate
from salesos.web.pages import see_other

router = APIRouter(include_in_schema=False)
Text = Annotated[str, Form()]


@router.post("/leads/{lead_id}/contacts", response_class=HTMLResponse)
def add_contact(
    request: Request,
    lead_id: uuid.UUID,
    principal: Writer,
    session: DbSession,
    first_name: Text = "",
    last_name: Text = "",
    title: Text = "",
    email: Text = "",
    phone: Text = "",
    is_decision_maker: Text = "",
    make_primary: Text = "",
) -> Response:
    """Add a person at the lead's company (its primary contact when asked, or when it has none)."""
    lead = lead_service.lead_or_404(session, lead_id)
    values = dict(first_name=first_name, last_name=last_name, title=title, email=email, phone=phone)
    data = {key: value.strip() or None for key, value in values.items()}
    form, errors = validate(schemas.ContactIn, {**data, "is_decision_maker": bool(is_decision_maker)})
    errors = lead_service.contact_problems(session, email, phone) | errors
    if form is not None and not errors:
        try:
            with attempt(session):
                people.add_contact(session, principal, lead, form, make_primary=bool(make_primary))
        except DomainError as exc:
            errors = domain_errors(exc, "first_name")
        else:
            return see_other(f"/leads/{lead.id}?done=contact-added#contacts")
    session.refresh(lead)
    shown = {**values, "is_decision_maker": bool(is_decision_maker), "make_primary": bool(make_primary)}
    return render_detail(request, session, principal, lead, 422, contact_errors=errors, contact_values=shown)


@router.post("/leads/{lead_id}/contacts/{contact_id}/primary")
def make_primary(
    lead_id: uuid.UUID, contact_id: uuid.UUID, principal: Writer, session: DbSession
) -> Response:
    """Make a person at the company the one this lead's email, call and WhatsApp reach."""
    lead = lead_service.lead_or_404(session, lead_id)
    lead_service.set_primary_contact(session, principal, lead, contact_id)
    return see_other(f"/leads/{lead.id}?done=primary#contacts")
