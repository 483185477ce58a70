"""Organisation rules: members and roles, ownership, invitations, deletion."""

from __future__ import annotations

import uuid
from datetime import timedelta

from sqlalchemy.orm import Session

from salesos.auth.models import User
from salesos.auth.principal import Principal
from salesos.auth.repository import UserRepository
from salesos.auth.security import hash_password, make_routable_token, parse_routable_token, token_hash
from salesos.auth.service.accounts import check_password_strength, normalize_email
from salesos.config import get_settings
from salesos.crypto import encrypt
from salesos.db.base import utcnow, uuid7
from salesos.db.session import set_tenant
from salesos.errors import Conflict, Forbidden, NotFound, ValidationFailed
from salesos.jobs import enqueue
from salesos.orgs.models import Invitation, Membership, Organization, Role
from salesos.orgs.repository import InvitationRepository, MembershipRepository, OrganizationRepository
from salesos.realtime.events import publish_after_commit

INVITE_PREFIX = "inv"


def current_org(session: Session) -> Organization:
    """The organisation of the session's tenant."""
    org = OrganizationRepository(session).current()
    if org is None:
        raise NotFound("Organisation not found.")
    return org


def update_org(
    session: Session,
    *,
    name: str | None,
    default_region: str | None,
    timezone: str | None,
    whatsapp_template: str | None = None,
    lead_credits_monthly: int | None = None,
) -> Organization:
    """Rename the org or change its defaults; an empty WhatsApp template restores the built-in one."""
    org = current_org(session)
    if name is not None:
        org.name = name.strip()
    if default_region is not None:
        org.default_region = default_region.upper()
    if timezone is not None:
        org.timezone = timezone
    if whatsapp_template is not None:
        org.whatsapp_template = whatsapp_template.strip() or None
    if lead_credits_monthly is not None:
        org.lead_credits_monthly = lead_credits_monthly
    session.flush()
    publish_after_commit(session, org.id, "org.updated", {"org_id": str(org.id)})
    return org


def delete_org(session: Session, principal: Principal, *, confirm_name: str) -> None:
    """Delete the organisation and everything it owns (owner only; must type its name)."""
    if principal.role is not Role.OWNER:
        raise Forbidden("Only the owner can delete the organisation.")
    org = current_org(session)
    if confirm_name.strip() != org.name:
        raise ValidationFailed("Type the organisation's exact name to confirm.", field="confirm_name")
    session.delete(org)
    session.flush()


def member_or_404(session: Session, member_id: uuid.UUID) -> Membership:
    """A membership of the current org; another org's id is indistinguishable from a missing one."""
    membership = MembershipRepository(session).get(member_id)
    if membership is None:
        raise NotFound("Member not found.")
    return membership


def change_role(session: Session, principal: Principal, member_id: uuid.UUID, role: Role) -> Membership:
    """Set a member's role (admin+). Ownership moves only by transfer; the owner's role is fixed."""
    membership = member_or_404(session, member_id)
    if role is Role.OWNER:
        raise ValidationFailed("Use ownership transfer to make someone the owner.", field="role")
    if membership.role == Role.OWNER.value:
        raise Forbidden("The owner's role changes only by transferring ownership.")
    if not principal.has_role(Role.ADMIN):
        raise Forbidden("Only admins and the owner manage members.")
    membership.role = role.value
    session.flush()
    publish_after_commit(session, membership.org_id, "member.updated", {"member_id": str(membership.id)})
    return membership


def remove_member(session: Session, principal: Principal, member_id: uuid.UUID) -> None:
    """Remove a member (admin+), or leave the org yourself. The owner can't be removed."""
    membership = member_or_404(session, member_id)
    leaving = membership.user_id == principal.user_id
    if not leaving and not principal.has_role(Role.ADMIN):
        raise Forbidden("Only admins and the owner manage members.")
    if membership.role == Role.OWNER.value:
        raise Forbidden("Transfer ownership before the owner leaves.")
    MembershipRepository(session).delete(membership)
    publish_after_commit(session, membership.org_id, "member.removed", {"member_id": str(membership.id)})


def transfer_ownership(session: Session, principal: Principal, member_id: uuid.UUID) -> Membership:
    """Make another member the owner; the previous owner becomes an admin."""
    if principal.role is not Role.OWNER:
        raise Forbidden("Only the owner can transfer ownership.")
    target = member_or_404(session, member_id)
    if target.user_id == principal.user_id:
        raise ValidationFailed("You already own this organisation.", field="member_id")
    current = MembershipRepository(session).for_user(principal.user_id)  # type: ignore[arg-type]
    if current is None:
        raise Forbidden("Only the owner can transfer ownership.")
    current.role = Role.ADMIN.value
    target.role = Role.OWNER.value
    session.flush()
    publish_after_commit(session, target.org_id, "member.updated", {"member_id": str(target.id)})
    return target


def organisations_of(session: Session, user_id: uuid.UUID) -> list[tuple[Organization, str]]:
    """Every organisation the user belongs to, with their role there, by name (the switcher's list)."""
    return OrganizationRepository(session).for_user(user_id)


def invitation_pending(session: Session, email: str) -> bool:
    """Whether *email* holds a link that a new invitation would replace."""
    return InvitationRepository(session).pending_for_email(normalize_email(email)) is not None


def invite(session: Session, principal: Principal, *, email: str, role: Role) -> Invitation:
    """Invite *email* with *role* (admin+); re-inviting replaces the previous link."""
    if not principal.has_role(Role.ADMIN):
        raise Forbidden("Only admins and the owner invite people.")
    if role is Role.OWNER:
        raise ValidationFailed("Invite as admin, then transfer ownership.", field="role")
    email = normalize_email(email)
    existing_user = UserRepository(session).by_email(email)
    if existing_user is not None and MembershipRepository(session).for_user(existing_user.id) is not None:
        raise Conflict("This person is already a member.")
    invitations = InvitationRepository(session)
    previous = invitations.pending_for_email(email)
    if previous is not None:
        previous.revoked_at = utcnow()
    invitation_id = uuid7()
    token = make_routable_token(INVITE_PREFIX, invitations.org_id)
    invitation = invitations.add(
        Invitation(
            id=invitation_id,
            email=email,
            role=role.value,
            token_hash=token_hash(token),
            token_sealed=encrypt(token, context=f"invitation:{invitation_id}"),
            invited_by_id=principal.user_id,
            expires_at=utcnow() + timedelta(days=get_settings().invitation_days),
        )
    )
    enqueue(session, "orgs.send_invitation", org_id=invitation.org_id, invitation_id=invitation.id)
    publish_after_commit(
        session, invitation.org_id, "invitation.created", {"invitation_id": str(invitation.id)}
    )
    return invitation


def revoke_invitation(session: Session, invitation_id: uuid.UUID) -> None:
    """Make an invitation link unusable."""
    invitation = InvitationRepository(session).get(invitation_id)
    if invitation is None:
        raise NotFound("Invitation not found.")
    if invitation.revoked_at is None and invitation.accepted_at is None:
        invitation.revoked_at = utcnow()
    session.flush()


def open_invitation(session: Session, token: str) -> Invitation:
    """The usable invitation behind *token*, with the session scoped to its org."""
    org_id = parse_routable_token(INVITE_PREFIX, token)
    if org_id is None:
        raise NotFound("This invitation link is invalid.")
    set_tenant(session, org_id)
    invitation = InvitationRepository(session).by_hash(token_hash(token))
    if invitation is None or invitation.revoked_at is not None:
        raise NotFound("This invitation link is invalid.")
    if invitation.accepted_at is not None:
        raise Conflict("This invitation has already been accepted.")
    if invitation.expires_at <= utcnow():
        raise ValidationFailed("This invitation has expired. Ask for a new one.", field="token")
    return invitation


def accept_invitation(
    session: Session, *, token: str, user: User | None, name: str | None, password: str | None
) -> tuple[User, Membership]:
    """Join the org: as the given signed-in *user*, or by creating the invited email's account."""
    invitation = open_invitation(session, token)
    users = UserRepository(session)
    if user is None:
        if users.by_email(invitation.email) is not None:
            raise Conflict("An account with this email exists: sign in, then open the link again.")
        if not name or not password:
            raise ValidationFailed("Name and password are required to create your account.", field="password")
        check_password_strength(password)
        user = users.add(
            User(email=invitation.email, name=name.strip(), password_hash=hash_password(password))
        )
    elif normalize_email(user.email) != invitation.email:
        raise Forbidden("This invitation was sent to another email address.")
    set_tenant(session, invitation.org_id, user.id)
    memberships = MembershipRepository(session)
    membership = memberships.for_user(user.id)
    if membership is None:
        membership = memberships.add(Membership(user_id=user.id, role=invitation.role))
    invitation.accepted_at = utcnow()
    session.flush()
    publish_after_commit(session, invitation.org_id, "member.joined", {"member_id": str(membership.id)})
    return user, membership
