"""Intake settings page: endpoints with their URLs, create, rotate, revoke; secrets shown once."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, Response

from salesos.auth.deps import Admin
from salesos.db.deps import DbSession
from salesos.errors import DomainError
from salesos.intake.models import IntakeEndpoint
from salesos.intake.repository import IntakeEndpointRepository
from salesos.intake.schemas import IntakeEndpointIn
from salesos.intake.service import endpoints as endpoint_service
from salesos.intake.signing import SIGNATURE_HEADER, TOLERANCE_SECONDS
from salesos.web.forms import attempt, domain_errors, validate
from salesos.web.pages import page, see_other

router = APIRouter(include_in_schema=False)
Text = Annotated[str, Form()]
NOTICES = {"revoked": "The endpoint was revoked. Posts to it now get 401."}


def _url(endpoint: IntakeEndpoint) -> str:
    return endpoint_service.webhook_url(endpoint)


def _intake_page(
    request: Request, session: DbSession, principal: Admin, status_code: int = 200, **ctx: object
) -> HTMLResponse:
    endpoints = [(e, _url(e)) for e in IntakeEndpointRepository(session).listing()]
    context = {
        "endpoints": endpoints,
        "header": SIGNATURE_HEADER,
        "tolerance": TOLERANCE_SECONDS,
        **ctx,
    }
    response = page(request, session, principal, "intake/endpoints.html", context, status_code=status_code)
    # The page may carry a freshly made secret: keep it out of every cache.
    response.headers["Cache-Control"] = "no-store"
    return response


@router.get("/settings/intake", response_class=HTMLResponse)
def intake_page(request: Request, principal: Admin, session: DbSession, done: str = "") -> Response:
    """The organisation's intake endpoints (admin+)."""
    return _intake_page(request, session, principal, notice=NOTICES.get(done))


@router.post("/settings/intake", response_class=HTMLResponse)
def create_endpoint(
    request: Request, principal: Admin, session: DbSession, name: Text = "", source: Text = ""
) -> Response:
    """Create an endpoint and show its secret, once."""
    values = {"name": name, "source": source or "webhook"}
    form, errors = validate(IntakeEndpointIn, values)
    status = 422
    if form is not None:
        try:
            with attempt(session):
                endpoint, secret = endpoint_service.create_endpoint(
                    session, name=form.name, source=form.source, created_by=principal.user_id
                )
            return _intake_page(request, session, principal, created=endpoint, secret=secret)
        except DomainError as exc:
            errors, status = domain_errors(exc), exc.status_code
    return _intake_page(request, session, principal, errors=errors, values=values, status_code=status)


@router.post("/settings/intake/{intake_endpoint_id}/rotate", response_class=HTMLResponse)
def rotate_endpoint(
    request: Request, intake_endpoint_id: uuid.UUID, principal: Admin, session: DbSession
) -> Response:
    """Give an endpoint a new secret (shown once); the old one works for 24 more hours."""
    endpoint, secret = endpoint_service.rotate_endpoint(session, intake_endpoint_id)
    return _intake_page(request, session, principal, created=endpoint, secret=secret, rotated=True)


@router.post("/settings/intake/{intake_endpoint_id}/revoke")
def revoke_endpoint(intake_endpoint_id: uuid.UUID, principal: Admin, session: DbSession) -> Response:
    """Revoke an endpoint; its next post gets 401."""
    endpoint_service.revoke_endpoint(session, intake_endpoint_id)
    return see_other("/settings/intake?done=revoked")
