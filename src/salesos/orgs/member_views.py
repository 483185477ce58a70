"""Members HTML pages: the member list, role changes and removals (each confirmed first), invitations."""

from __future__ import annotations

import uuid
from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, Response

from salesos.auth.deps import Admin, CurrentPrincipal, UserPrincipal
from salesos.auth.principal import Principal
from salesos.auth.repository import UserRepository
from salesos.auth.service import credentials
from salesos.auth.views import switch_org
from salesos.db.deps import DbSession
from salesos.errors import DomainError, Unauthorized, ValidationFailed
from salesos.orgs import schemas, service
from salesos.orgs.models import Invitation, Membership, Role
from salesos.orgs.repository import InvitationRepository, MembershipRepository
from salesos.web.forms import FormErrors, attempt, domain_errors, validate
from salesos.web.pages import is_htmx, page, see_other

router = APIRouter(include_in_schema=False)

NOTICES = {
    "invited": "Invitation sent.",
    "invited-again": "Invitation sent again. The link in the earlier email no longer works.",
    "invitation-revoked": "Invitation revoked: its link no longer works.",
    "removed": "Member removed.",
    "removed-handed": "Member removed. Their leads and open tasks now belong to the person you chose.",
    "removed-unassigned": "Member removed. Their leads and open tasks are now unassigned.",
    "role": "Role updated.",
}
ASSIGNABLE_ROLES = [Role.ADMIN.value, Role.MEMBER.value, Role.VIEWER.value]
# What a role means, said when someone is about to get it.
ROLE_MEANINGS = {
    "admin": "Admins manage members, invitations and the organisation's settings.",
    "member": "Members work leads and tasks, but don't manage members or settings.",
    "viewer": "Viewers can only read: they can't change leads, own them or have tasks.",
}
# The same, when the server can't email (the console provider only prints messages on the server).
NOT_EMAILED = {
    "invited": "Invitation created, but not emailed: email is not set up on this server.",
    "invited-again": (
        "Invitation created again, but not emailed: email is not set up on this server. "
        "The earlier link no longer works."
    ),
}
Text = Annotated[str, Form()]


def next_org(session: DbSession, principal: Principal) -> uuid.UUID | None:
    """Where the user lands after leaving this org: another membership, if any."""
    user = UserRepository(session).get(principal.user_id) if principal.user_id else None
    try:
        return credentials.landing_org(session, user) if user else None
    except Unauthorized:
        return None


def _invitation_links(invitations: list[Invitation]) -> dict[uuid.UUID, str]:
    """Each invitation's link when the server can't email them, for the admin to pass on (else none)."""
    if service.emails_invitations():
        return {}
    return {i.id: service.invitation_link(i) for i in invitations}


def _members_page(
    request: Request,
    session: DbSession,
    principal: Principal,
    status_code: int = 200,
    just_invited: bool = False,
    **ctx: object,
) -> HTMLResponse:
    is_admin = principal.has_role(Role.ADMIN)
    invitations = InvitationRepository(session).pending() if is_admin else []  # newest first
    links = _invitation_links(invitations)
    context = {
        "members": MembershipRepository(session).listing(),
        "invitations": invitations,
        "invitation_links": links,
        # The one just made, shown on its own with its link to copy when the server could not email it.
        "new_invitation": invitations[0] if just_invited and links else None,
        "emails_invitations": service.emails_invitations(),
        "invitation_lifetime": service.invitation_lifetime(),
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
    if done in NOT_EMAILED and not service.emails_invitations():
        return _members_page(request, session, principal, just_invited=True, notice=NOT_EMAILED[done])
    return _members_page(request, session, principal, notice=NOTICES.get(done))


# --- role changes -----------------------------------------------------------------------------------------


def _role_change(membership: Membership, role: str, session: DbSession) -> dict[str, Any]:
    """What the confirmation says: who gets which role, what it means, and any work a viewer can't do."""
    work = service.work_of(session, membership) if role == Role.VIEWER.value else None
    return {
        "member": membership,
        "role": role,
        "role_phrase": Role(role).with_article,
        "meaning": ROLE_MEANINGS[role],
        "work": work,
    }


@router.get("/settings/members/{member_id}/role", response_class=HTMLResponse)
def confirm_role(
    request: Request, member_id: uuid.UUID, principal: Admin, session: DbSession, role: str = ""
) -> Response:
    """Ask before changing a member's role, naming them and the new role (nothing changes yet)."""
    form, errors = validate(schemas.RoleIn, {"role": role})
    if form is None:
        return _members_page(request, session, principal, 422, notice_error=next(iter(errors.values())))
    try:
        membership = service.check_role_change(session, principal, member_id, Role(form.role))
    except DomainError as exc:
        return _members_page(request, session, principal, exc.status_code, notice_error=exc.detail)
    if membership.role == form.role:
        notice = f"{membership.user.name} is already {Role(form.role).with_article}."
        return _members_page(request, session, principal, notice=notice)
    return _members_page(
        request, session, principal, role_change=_role_change(membership, form.role, session)
    )


@router.post("/settings/members/{member_id}/role", response_class=HTMLResponse)
def change_role(
    request: Request, member_id: uuid.UUID, principal: Admin, session: DbSession, role: Text = ""
) -> Response:
    """Change a member's role (the confirmation's button); HTMX gets the updated row back, a form the page."""
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


# --- removal ----------------------------------------------------------------------------------------------


def _removal_page(
    request: Request,
    session: DbSession,
    principal: Principal,
    membership: Membership,
    status_code: int = 200,
    errors: FormErrors | None = None,
    hand_to: str = "",
) -> HTMLResponse:
    """The members page asking to confirm a removal: what the person has, and who takes it over."""
    removal = {
        "member": membership,
        "leaving": membership.user_id == principal.user_id,
        "work": service.work_of(session, membership),
        "successors": service.successors(session, membership),
        "errors": errors or {},
        "hand_to": hand_to,
    }
    return _members_page(request, session, principal, status_code, removal=removal)


@router.get("/settings/members/{member_id}/remove", response_class=HTMLResponse)
def confirm_removal(
    request: Request, member_id: uuid.UUID, principal: UserPrincipal, session: DbSession
) -> Response:
    """Ask before removing a member (or leaving): how many leads and open tasks they have, and for whom."""
    membership = service.check_removal(session, principal, member_id)
    return _removal_page(request, session, principal, membership)


@router.post("/settings/members/{member_id}/remove", response_class=HTMLResponse)
def remove_member(
    request: Request, member_id: uuid.UUID, principal: UserPrincipal, session: DbSession, hand_to: Text = ""
) -> Response:
    """Remove a member (admin+), or leave the organisation yourself, handing their work on as chosen."""
    membership = service.check_removal(session, principal, member_id)
    leaving = membership.user_id == principal.user_id
    form, errors = validate(schemas.RemovalIn, {"hand_to": hand_to or None})
    if form is not None:
        try:
            with attempt(session):
                moved = service.remove_member(session, principal, member_id, form.hand_to)
        except ValidationFailed as exc:  # anything else (not allowed) is the error page, as before
            errors = domain_errors(exc, "hand_to")
        else:
            if leaving:
                user = UserRepository(session).get(principal.user_id)  # type: ignore[arg-type]
                return switch_org(request, session, user, next_org(session, principal))  # type: ignore[arg-type]
            return see_other(f"/settings/members?done={_removed(moved, form.hand_to)}")
    return _removal_page(request, session, principal, membership, 422, errors, hand_to)


def _removed(moved: service.MemberWork, hand_to: object) -> str:
    """The notice after a removal: whether there was work, and whether somebody took it."""
    if not moved:
        return "removed"
    return "removed-unassigned" if hand_to == service.NOBODY else "removed-handed"


# --- invitations ------------------------------------------------------------------------------------------


@router.post("/settings/invitations", response_class=HTMLResponse)
def invite(
    request: Request, principal: Admin, session: DbSession, email: Text = "", role: Text = "member"
) -> Response:
    """Invite someone with a role: by email, or with a link to pass on when the server can't email.

    The page after it shows that link (the newest pending invitation's) when nothing was emailed.
    """
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
