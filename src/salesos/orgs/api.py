"""Organisation JSON API: the org, its members and roles, invitations."""

from __future__ import annotations

import uuid

from fastapi import APIRouter, Response, status

from salesos.api.schemas import Cursor, Limit, PageOut, rows_page_response
from salesos.auth import schemas as auth_schemas
from salesos.auth.api import token_out
from salesos.auth.deps import Admin, CurrentPrincipal, Owner, UserPrincipal
from salesos.auth.service import credentials
from salesos.db.deps import DbSession
from salesos.db.pagination import DEFAULT_LIMIT
from salesos.orgs import schemas, service
from salesos.orgs.models import Membership, Role
from salesos.orgs.repository import InvitationRepository, MembershipRepository

router = APIRouter(tags=["organisation"])


def member_out(m: Membership) -> schemas.MemberOut:
    """A membership with its user's name and email."""
    return schemas.MemberOut(
        id=m.id, user_id=m.user_id, name=m.user.name, email=m.user.email, role=m.role, created_at=m.created_at
    )


@router.get("/org", response_model=schemas.OrgOut)
def get_org(principal: CurrentPrincipal, session: DbSession) -> schemas.OrgOut:
    """The current organisation."""
    return schemas.OrgOut.model_validate(service.current_org(session))


@router.patch("/org", response_model=schemas.OrgOut)
def update_org(body: schemas.OrgUpdateIn, principal: Admin, session: DbSession) -> schemas.OrgOut:
    """Rename the organisation or change its defaults (admin+)."""
    org = service.update_org(
        session,
        name=body.name,
        default_region=body.default_region,
        timezone=body.timezone,
        whatsapp_template=body.whatsapp_template,
        lead_credits_monthly=body.lead_credits_monthly,
    )
    return schemas.OrgOut.model_validate(org)


@router.delete("/org", status_code=status.HTTP_204_NO_CONTENT)
def delete_org(body: schemas.OrgDeleteIn, principal: Owner, session: DbSession) -> None:
    """Delete the organisation and all its data (owner only)."""
    service.delete_org(session, principal, confirm_name=body.confirm_name)


@router.post("/org/transfer", response_model=schemas.MemberOut)
def transfer(body: schemas.TransferIn, principal: Owner, session: DbSession) -> schemas.MemberOut:
    """Make another member the owner (owner only); you become an admin."""
    return member_out(service.transfer_ownership(session, principal, body.member_id))


@router.get("/members", response_model=PageOut[schemas.MemberOut])
def list_members(
    principal: CurrentPrincipal, session: DbSession, limit: Limit = DEFAULT_LIMIT, cursor: Cursor = None
) -> Response:
    """Everyone in the organisation with their role, newest first."""
    return rows_page_response(MembershipRepository(session).page(limit=limit, cursor=cursor))


@router.get("/members/{member_id}", response_model=schemas.MemberOut)
def get_member(member_id: uuid.UUID, principal: CurrentPrincipal, session: DbSession) -> schemas.MemberOut:
    """One member."""
    return member_out(service.member_or_404(session, member_id))


@router.patch("/members/{member_id}", response_model=schemas.MemberOut)
def change_role(
    member_id: uuid.UUID, body: schemas.RoleIn, principal: Admin, session: DbSession
) -> schemas.MemberOut:
    """Change a member's role (admin+); takes effect on their next request."""
    return member_out(service.change_role(session, principal, member_id, Role(body.role)))


@router.get("/members/{member_id}/work", response_model=schemas.MemberWorkOut)
def member_work(
    member_id: uuid.UUID, principal: CurrentPrincipal, session: DbSession
) -> schemas.MemberWorkOut:
    """How many leads the member owns and open tasks they have: what removing them hands over."""
    work = service.work_of(session, service.member_or_404(session, member_id))
    return schemas.MemberWorkOut(leads=work.leads, open_tasks=work.open_tasks)


@router.delete("/members/{member_id}", status_code=status.HTTP_204_NO_CONTENT)
def remove_member(
    member_id: uuid.UUID, principal: UserPrincipal, session: DbSession, hand_to: schemas.HandToQuery = None
) -> None:
    """Remove a member (admin+) or leave the organisation yourself.

    Someone who owns leads or has open tasks needs ``hand_to``: the user id of a member who can own leads,
    or ``nobody`` to leave them unassigned. Their leads and open tasks move in the same transaction.
    """
    service.remove_member(session, principal, member_id, hand_to)


@router.get("/invitations", response_model=list[schemas.InvitationOut])
def list_invitations(principal: Admin, session: DbSession) -> list[schemas.InvitationOut]:
    """Invitations not yet accepted."""
    return [schemas.InvitationOut.model_validate(i) for i in InvitationRepository(session).pending()]


@router.post("/invitations", status_code=status.HTTP_201_CREATED, response_model=schemas.InvitationOut)
def invite(body: schemas.InvitationIn, principal: Admin, session: DbSession) -> schemas.InvitationOut:
    """Email an invitation link (admin+)."""
    return schemas.InvitationOut.model_validate(
        service.invite(session, principal, email=body.email, role=Role(body.role))
    )


@router.delete("/invitations/{invitation_id}", status_code=status.HTTP_204_NO_CONTENT)
def revoke_invitation(invitation_id: uuid.UUID, principal: Admin, session: DbSession) -> None:
    """Revoke an invitation link."""
    service.revoke_invitation(session, invitation_id)


@router.post("/invitations/accept", response_model=auth_schemas.TokenOut)
def accept_invitation(body: schemas.AcceptInvitationIn, session: DbSession) -> auth_schemas.TokenOut:
    """Create the invited account and join the organisation; returns tokens for it."""
    user, membership = service.accept_invitation(
        session, token=body.token, user=None, name=body.name, password=body.password
    )
    return token_out(credentials.issue_token_pair(session, user.id, membership.org_id))
