"""Organisation HTML pages: organisation settings (incl. the danger zone); members are in member_views."""

from __future__ import annotations

import uuid
from functools import lru_cache
from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, Response

from salesos.auth.deps import Admin, CurrentPrincipal, Owner, UserPrincipal
from salesos.auth.principal import Principal
from salesos.auth.repository import UserRepository
from salesos.auth.views import switch_org
from salesos.config import get_settings
from salesos.db.deps import DbSession
from salesos.errors import DomainError, Forbidden
from salesos.orgs import member_views, schemas, service
from salesos.orgs.repository import MembershipRepository
from salesos.web.forms import attempt, domain_errors, validate
from salesos.web.pages import page, see_other

router = APIRouter(include_in_schema=False)

router.include_router(member_views.router)

NOTICES = {
    "saved": "Organisation settings saved.",
    "transferred": "Ownership transferred. You are now an admin.",
}
Text = Annotated[str, Form()]


@lru_cache
def timezones() -> list[str]:
    """IANA zone names offered in the timezone select."""
    return sorted(schemas.known_timezones())


# --- organisation -----------------------------------------------------------------------------------------


def _org_page(
    request: Request, session: DbSession, principal: Principal, status_code: int = 200, **ctx: object
) -> HTMLResponse:
    members = [m for m in MembershipRepository(session).listing() if m.user_id != principal.user_id]
    # Someone in several organisations switches here; a bearer token is bound to its org, so only a
    # browser session is offered the switch.
    user_id = principal.user_id if principal.session_id else None
    mine = service.organisations_of(session, user_id) if user_id else []
    return page(
        request,
        session,
        principal,
        "orgs/organization.html",
        {
            "timezones": timezones(),
            "others": members,
            "errors": {},
            "default_whatsapp": schemas.DEFAULT_WHATSAPP_TEMPLATE,
            "default_lead_credits": get_settings().lead_credits_monthly,
            "placeholders": schemas.MESSAGE_PLACEHOLDERS,
            "my_orgs": mine if len(mine) > 1 else [],
            **ctx,
        },
        status_code=status_code,
    )


@router.get("/settings/organization", response_class=HTMLResponse)
def organization_page(
    request: Request, principal: CurrentPrincipal, session: DbSession, done: str = ""
) -> Response:
    """Organisation settings: admins edit, others read; the owner also sees the danger zone."""
    return _org_page(request, session, principal, notice=NOTICES.get(done))


@router.post("/settings/organization/switch")
def switch_organization(
    request: Request, principal: UserPrincipal, session: DbSession, org_id: Annotated[str, Form()] = ""
) -> Response:
    """Work in another organisation the user belongs to: this browser's session moves there."""
    mine = {org.id for org, _role in service.organisations_of(session, principal.user_id)}  # type: ignore[arg-type]
    try:
        target = uuid.UUID(org_id)
    except ValueError:
        target = None
    if principal.session_id is None or target not in mine:
        raise Forbidden("You can switch only to an organisation you belong to.")
    user = UserRepository(session).get(principal.user_id)  # type: ignore[arg-type]
    return switch_org(request, session, user, target)  # type: ignore[arg-type]


@router.post("/settings/organization", response_class=HTMLResponse)
def update_organization(
    request: Request,
    principal: Admin,
    session: DbSession,
    name: Text = "",
    default_region: Text = "",
    timezone: Text = "",
    whatsapp_template: Text = "",
    lead_credits_monthly: Text = "",
) -> Response:
    """Save the name, default phone region, timezone, WhatsApp message and monthly lead credits."""
    values = {
        "name": name,
        "default_region": default_region,
        "timezone": timezone,
        "whatsapp_template": whatsapp_template,
        "lead_credits_monthly": lead_credits_monthly or None,
    }
    form, errors = validate(schemas.OrgUpdateIn, values)
    if "default_region" in errors:
        errors["default_region"] = "Use a two-letter country code, e.g. US or GB."
    if "timezone" in errors:
        errors["timezone"] = "Choose a timezone from the list."
    if "lead_credits_monthly" in errors:
        errors["lead_credits_monthly"] = "Use a whole number from 0 to 1,000,000."
    if form is not None and not errors:
        service.update_org(
            session,
            name=form.name,
            default_region=form.default_region,
            timezone=form.timezone,
            whatsapp_template=form.whatsapp_template,
            lead_credits_monthly=form.lead_credits_monthly,
        )
        return see_other("/settings/organization?done=saved")
    return _org_page(request, session, principal, 422, errors=errors, values=values)


@router.get("/settings/organization/transfer", response_class=HTMLResponse)
def confirm_transfer(request: Request, principal: Owner, session: DbSession, member_id: str = "") -> Response:
    """Ask before handing the organisation over, naming the new owner (nothing changes yet)."""
    form, errors = validate(schemas.TransferIn, {"member_id": member_id})
    if form is None:
        return _org_page(request, session, principal, 422, transfer_errors=errors)
    try:
        target = service.check_transfer(session, principal, form.member_id)
    except DomainError as exc:
        return _org_page(
            request, session, principal, exc.status_code, transfer_errors=domain_errors(exc, "member_id")
        )
    return _org_page(request, session, principal, transfer_to=target)


@router.post("/settings/organization/transfer", response_class=HTMLResponse)
def transfer_ownership(
    request: Request, principal: Owner, session: DbSession, member_id: Text = ""
) -> Response:
    """Hand the organisation to another member; you become an admin."""
    form, errors = validate(schemas.TransferIn, {"member_id": member_id})
    status = 422
    if form is not None:
        try:
            with attempt(session):
                service.transfer_ownership(session, principal, form.member_id)
            return see_other("/settings/organization?done=transferred")
        except DomainError as exc:
            errors, status = domain_errors(exc, "member_id"), exc.status_code
    return _org_page(request, session, principal, status, transfer_errors=errors)


@router.post("/settings/organization/delete", response_class=HTMLResponse)
def delete_organization(
    request: Request, principal: Owner, session: DbSession, confirm_name: Text = ""
) -> Response:
    """Delete the organisation (type its name to confirm) and move on to another one, if any."""
    form, errors = validate(schemas.OrgDeleteIn, {"confirm_name": confirm_name})
    status = 422
    if form is not None:
        try:
            with attempt(session):
                service.delete_org(session, principal, confirm_name=form.confirm_name)
            user = UserRepository(session).get(principal.user_id)  # type: ignore[arg-type]
            assert user is not None  # the signed-in owner still exists: only the org was deleted
            return switch_org(
                request,
                session,
                user,
                member_views.next_org(session, principal),
                notice="org-deleted",
            )
        except DomainError as exc:
            errors, status = domain_errors(exc, "confirm_name"), exc.status_code
    return _org_page(request, session, principal, status, delete_errors=errors)
