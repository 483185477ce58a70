"""Organisation HTML pages: organisation settings (incl. the danger zone) and members with invitations."""

from __future__ import annotations

import uuid
from functools import lru_cache
from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, Response

from salesos.auth.deps import Admin, CurrentPrincipal, Owner, UserPrincipal
from salesos.auth.principal import Principal
from salesos.auth.repository import UserRepository
from salesos.auth.service import credentials
from salesos.auth.views import switch_org
from salesos.config import get_settings
from salesos.db.deps import DbSession
from salesos.errors import DomainError, Forbidden, Unauthorized
from salesos.orgs import schemas, service
from salesos.orgs.models import Role
from salesos.orgs.repository import InvitationRepository, MembershipRepository
from salesos.web.forms import attempt, domain_errors, validate
from salesos.web.pages import is_htmx, page, see_other

router = APIRouter(include_in_schema=False)

NOTICES = {
    "saved": "Organisation settings saved.",
    "transferred": "Ownership transferred. You are now an admin.",
    "invited": "Invitation sent.",
    "invited-again": "Invitation sent again. The link in the earlier email no longer works.",
    "invitation-revoked": "Invitation revoked: its link no longer works.",
    "removed": "Member removed.",
    "role": "Role updated.",
}
ASSIGNABLE_ROLES = [Role.ADMIN.value, Role.MEMBER.value, Role.VIEWER.value]
Text = Annotated[str, Form()]


@lru_cache
def timezones() -> list[str]:
    """IANA zone names offered in the timezone select."""
    return sorted(schemas.known_timezones())


def _next_org(session: DbSession, principal: Principal) -> uuid.UUID | None:
    """Where the user lands after leaving this org: another membership, if any."""
    user = UserRepository(session).get(principal.user_id) if principal.user_id else None
    try:
        return credentials.landing_org(session, user) if user else None
    except Unauthorized:
        return None


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
                _next_org(session, principal),
                notice="org-deleted",
            )
        except DomainError as exc:
            errors, status = domain_errors(exc, "confirm_name"), exc.status_code
    return _org_page(request, session, principal, status, delete_errors=errors)


# --- members and invitations ------------------------------------------------------------------------------


def _members_page(
    request: Request, session: DbSession, principal: Principal, status_code: int = 200, **ctx: object
) -> HTMLResponse:
    is_admin = principal.has_role(Role.ADMIN)
    context = {
        "members": MembershipRepository(session).listing(),
        "invitations": InvitationRepository(session).pending() if is_admin else [],
        "roles": ASSIGNABLE_ROLES,
        "invite_errors": {},
        "invite_values": {"role": Role.MEMBER.value},
        **ctx,
    }
    return page(request, session, principal, "orgs/members.html", context, status_code=status_code)


@router.get("/settings/members", response_class=HTMLResponse)
def members_page(
    request: Request, principal: CurrentPrincipal, session: DbSession, done: str = ""
) -> Response:
    """Everyone in the organisation; admins manage roles and invitations."""
    return _members_page(request, session, principal, notice=NOTICES.get(done))


@router.post("/settings/members/{member_id}/role", response_class=HTMLResponse)
def change_role(
    request: Request, member_id: uuid.UUID, principal: Admin, session: DbSession, role: Text = ""
) -> Response:
    """Change a member's role; HTMX gets the updated row back, a plain form the page."""
    form, errors = validate(schemas.RoleIn, {"role": role})
    status = 422
    if form is not None:
        try:
            with attempt(session):
                membership = service.change_role(session, principal, member_id, Role(form.role))
            if not is_htmx(request):
                return see_other("/settings/members?done=role")
            return page(
                request,
                session,
                principal,
                "orgs/_member_row.html",
                {"m": membership, "roles": ASSIGNABLE_ROLES, "row_notice": "Role updated."},
            )
        except DomainError as exc:
            errors, status = domain_errors(exc, "role"), exc.status_code
    membership = service.member_or_404(session, member_id)
    if is_htmx(request):
        return page(
            request,
            session,
            principal,
            "orgs/_member_row.html",
            {"m": membership, "roles": ASSIGNABLE_ROLES, "row_error": next(iter(errors.values()))},
            status_code=status,
        )
    return _members_page(request, session, principal, status, notice_error=next(iter(errors.values())))


@router.post("/settings/members/{member_id}/remove")
def remove_member(
    request: Request, member_id: uuid.UUID, principal: UserPrincipal, session: DbSession
) -> Response:
    """Remove a member (admin+), or leave the organisation yourself."""
    membership = service.member_or_404(session, member_id)
    leaving = membership.user_id == principal.user_id
    service.remove_member(session, principal, member_id)
    if leaving:
        user = UserRepository(session).get(principal.user_id)  # type: ignore[arg-type]
        return switch_org(request, session, user, _next_org(session, principal))  # type: ignore[arg-type]
    return see_other("/settings/members?done=removed")


@router.post("/settings/invitations", response_class=HTMLResponse)
def invite(
    request: Request, principal: Admin, session: DbSession, email: Text = "", role: Text = "member"
) -> Response:
    """Email an invitation link with a role."""
    values = {"email": email, "role": role}
    form, errors = validate(schemas.InvitationIn, values)
    status = 422
    if form is not None:
        try:
            with attempt(session):
                again = service.invitation_pending(session, form.email)
                service.invite(session, principal, email=form.email, role=Role(form.role))
            return see_other(f"/settings/members?done={'invited-again' if again else 'invited'}")
        except DomainError as exc:
            errors, status = domain_errors(exc, "email"), exc.status_code
    return _members_page(request, session, principal, status, invite_errors=errors, invite_values=values)


@router.post("/settings/invitations/{invitation_id}/revoke")
def revoke_invitation(invitation_id: uuid.UUID, principal: Admin, session: DbSession) -> Response:
    """Make a pending invitation's link unusable."""
    service.revoke_invitation(session, invitation_id)
    return see_other("/settings/members?done=invitation-revoked")
