"""A note's edit and delete on the lead page (its author or an admin; the service checks, the page only
offers the controls to them)."""

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
from salesos.leads.service import work as work_service
from salesos.web.forms import attempt, domain_errors, validate
from salesos.web.pages import see_other

router = APIRouter(include_in_schema=False)
Text = Annotated[str, Form()]


@router.post("/leads/{lead_id}/notes/{note_id}/edit", response_class=HTMLResponse)
def edit_note(
    request: Request,
    lead_id: uuid.UUID,
    note_id: uuid.UUID,
    principal: Writer,
    session: DbSession,
    body: Text = "",
) -> Response:
    """Save a note's new text; a refusal re-opens its edit form with the text as typed."""
    lead = lead_service.lead_or_404(session, lead_id)
    note = work_service.note_or_404(session, lead, note_id)
    form, errors = validate(schemas.NoteUpdateIn, {"body": body.strip()})
    status = 422
    if form is not None:
        try:
            with attempt(session):
                work_service.edit_note(session, principal, lead, note, form.body)
        except DomainError as exc:
            errors, status = domain_errors(exc, "body"), exc.status_code
        else:
            return see_other(f"/leads/{lead.id}?done=note-saved#notes")
    session.refresh(lead)
    edits = {str(note.id): {"errors": errors, "body": body}}
    return render_detail(request, session, principal, lead, status, note_edits=edits)


@router.post("/leads/{lead_id}/notes/{note_id}/delete", response_class=HTMLResponse)
def delete_note(
    request: Request, lead_id: uuid.UUID, note_id: uuid.UUID, principal: Writer, session: DbSession
) -> Response:
    """Delete a note after the page's "Delete…" confirmation."""
    lead = lead_service.lead_or_404(session, lead_id)
    note = work_service.note_or_404(session, lead, note_id)
    try:
        with attempt(session):
            work_service.delete_note(session, principal, lead, note)
    except DomainError as exc:
        session.refresh(lead)
        return render_detail(request, session, principal, lead, exc.status_code, action_error=exc.detail)
    return see_other(f"/leads/{lead.id}?done=note-deleted#notes")
