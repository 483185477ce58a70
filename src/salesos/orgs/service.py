"""Organisation rules: members and roles, ownership, invitations, deletion."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import timedelta
from typing import Literal

from sqlalchemy.orm import Session

from salesos.auth.models import User
from salesos.auth.principal import Principal
from salesos.auth.repository import UserRepository
from salesos.auth.security import hash_password, make_routable_token, parse_routable_token, token_hash
from salesos.auth.service.accounts import check_password_strength, normalize_email
from salesos.config import get_settings
from salesos.crypto import decrypt, encrypt
from salesos.db.base import utcnow, uuid7
from salesos.db.session import set_tenant
from salesos.errors import Conflict, Forbidden, NotFound, ValidationFailed
from salesos.jobs import enqueue
from salesos.leads.repository import ActivityRepository, LeadRepository, TaskRepository
from salesos.notifications import triggers as notify_on
from salesos.orgs.models import Invitation, Membership, Organization, Role
from salesos.orgs.repository import InvitationRepository, MembershipRepository, OrganizationRepository
from salesos.realtime.events import MAX_HINTS_PER_COMMIT, publish_after_commit

INVITE_PREFIX = "inv"
# The hand-over choice that leaves a removed member's leads and tasks unassigned.
NOBODY = "nobody"
HandTo = uuid.UUID | Literal["nobody"]


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


def check_role_change(session: Session, principal: Principal, member_id: uuid.UUID, role: Role) -> Membership:
    """The membership whose role *principal* may set to *role* (admin+; never the owner's, nor to owner)."""
    membership = member_or_404(session, member_id)
    if role is Role.OWNER:
        raise ValidationFailed("Use ownership transfer to make someone the owner.", field="role")
    if membership.role == Role.OWNER.value:
        raise Forbidden("The owner's role changes only by transferring ownership.")
    if not principal.has_role(Role.ADMIN):
        raise Forbidden("Only admins and the owner manage members.")
    return membership


def change_role(session: Session, principal: Principal, member_id: uuid.UUID, role: Role) -> Membership:
    """Set a member's role (admin+) and tell them. Ownership moves only by transfer; the owner's is fixed."""
    membership = check_role_change(session, principal, member_id, role)
    if membership.role == role.value:
        return membership  # nothing changes, so nobody is told it did
    membership.role = role.value
    session.flush()
    notify_on.role_changed(session, membership.user_id, role.value, principal.user_id)
    publish_after_commit(session, membership.org_id, "member.updated", {"member_id": str(membership.id)})
    return membership


@dataclass(frozen=True)
class MemberWork:
    """What a member is responsible for: the leads they own and their tasks not yet done."""

    leads: int
    open_tasks: int

    def __bool__(self) -> bool:
        return bool(self.leads or self.open_tasks)

    def sentence(self, name: str, *, you: bool = False) -> str:
        """The work in words, "Rita Patel owns 15 leads and has 3 open tasks." ("You own ..." when *you*)."""
        leads = _count(self.leads, "lead") if self.leads else "no leads"
        tasks = _count(self.open_tasks, "open task") if self.open_tasks else "no open tasks"
        return f"You own {leads} and have {tasks}." if you else f"{name} owns {leads} and has {tasks}."


def _count(n: int, word: str) -> str:
    return f"{n:,} {word}{'' if n == 1 else 's'}"


def check_removal(session: Session, principal: Principal, member_id: uuid.UUID) -> Membership:
    """The membership *principal* may end: anyone's (admin+) or their own, never the owner's."""
    membership = member_or_404(session, member_id)
    if membership.user_id != principal.user_id and not principal.has_role(Role.ADMIN):
        raise Forbidden("Only admins and the owner manage members.")
    if membership.role == Role.OWNER.value:
        raise Forbidden("Transfer ownership before the owner leaves.")
    return membership


def work_of(session: Session, membership: Membership) -> MemberWork:
    """How many leads the member owns and how many open tasks they have (two counts)."""
    return MemberWork(
        leads=LeadRepository(session).count_owned_by(membership.user_id),
        open_tasks=TaskRepository(session).count_open_assigned_to(membership.user_id),
    )


def successors(session: Session, membership: Membership) -> list[Membership]:
    """Who may take over the member's work: members who can own leads, not the member themselves."""
    return [m for m in MembershipRepository(session).lead_owners() if m.user_id != membership.user_id]


def remove_member(
    session: Session, principal: Principal, member_id: uuid.UUID, hand_to: HandTo | None = None
) -> MemberWork:
    """Remove a member (admin+), or leave the org yourself. The owner can't be removed.

    Their leads and open tasks go, in this transaction, to *hand_to* (the user id of a member who can
    own leads) or to nobody (``NOBODY``); someone who has any must be given one of those answers.
    Returns what was handed over.
    """
    membership = check_removal(session, principal, member_id)
    receiver = _receiver(session, membership, hand_to)
    work = work_of(session, membership)
    if work and hand_to is None:
        said = work.sentence(membership.user.name, you=membership.user_id == principal.user_id)
        raise ValidationFailed(f"{said} Choose who takes them over, or nobody.", field="hand_to")
    if work:
        work = _hand_over(session, principal, membership, receiver)
    MembershipRepository(session).delete(membership)
    publish_after_commit(session, membership.org_id, "member.removed", {"member_id": str(membership.id)})
    return work


def _receiver(session: Session, membership: Membership, hand_to: HandTo | None) -> uuid.UUID | None:
    """The user id the member's work goes to (None: nobody), once it is a member who may own leads."""
    if not isinstance(hand_to, uuid.UUID):
        return None  # NOBODY, or nothing chosen (remove_member insists when there is work)
    if hand_to == membership.user_id:
        raise ValidationFailed("Choose someone other than the member who is leaving.", field="hand_to")
    if not MembershipRepository(session).can_own_leads(hand_to):
        raise ValidationFailed(
            "Choose a member who can own leads: not a viewer, a deactivated account or an outsider.",
            field="hand_to",
        )
    return hand_to


def _hand_over(
    session: Session, principal: Principal, membership: Membership, to_id: uuid.UUID | None
) -> MemberWork:
    """Give all the member's leads and open tasks to *to_id* with set-based UPDATEs (a rep may have
    thousands): one timeline entry per lead, in one INSERT; one notification; a bounded set of hints."""
    now = utcnow()
    lead_ids = LeadRepository(session).hand_over(membership.user_id, to_id, now)
    task_lead_ids = TaskRepository(session).hand_over_open(membership.user_id, to_id, now)
    _log_new_owner(session, principal, membership, to_id, lead_ids)
    notify_on.work_handed_over(
        session,
        to_id,
        member_id=membership.user_id,
        member_name=membership.user.name,
        leads=len(lead_ids),
        tasks=len(task_lead_ids),
        actor_id=principal.user_id,
    )
    # Past MAX_HINTS_PER_COMMIT distinct hints the commit sends one "resync" instead: one more than that
    # says "a lot changed" without a hint per lead of a member who had thousands.
    changed = list(dict.fromkeys([*lead_ids, *task_lead_ids]))[: MAX_HINTS_PER_COMMIT + 1]
    for lead_id in changed:
        publish_after_commit(session, membership.org_id, "lead.updated", {"lead_id": str(lead_id)})
    return MemberWork(leads=len(lead_ids), open_tasks=len(task_lead_ids))


def _log_new_owner(
    session: Session,
    principal: Principal,
    membership: Membership,
    to_id: uuid.UUID | None,
    lead_ids: list[uuid.UUID],
) -> None:
    """The owner change on each lead's timeline, as an edit of the owner reads ("Gave the lead to ...")."""
    data = {
        "fields": ["owner_id"],
        "owner": str(to_id) if to_id else None,
        # Why, and from whom: named here, as the person may not stay a user for ever.
        "reason": "member_removed",
        "previous_owner": str(membership.user_id),
        "previous_owner_name": membership.user.name,
    }
    now = utcnow()
    same = {
        "actor_id": principal.user_id,
        "kind": "updated",
        "data": data,
        "created_at": now,
        "updated_at": now,
    }
    ActivityRepository(session).add_many(
        [{"id": uuid7(), "lead_id": lead_id, **same} for lead_id in lead_ids]
    )


def check_transfer(session: Session, principal: Principal, member_id: uuid.UUID) -> Membership:
    """The member *principal* (the owner) may make the owner: anyone but themselves."""
    if principal.role is not Role.OWNER:
        raise Forbidden("Only the owner can transfer ownership.")
    target = member_or_404(session, member_id)
    if target.user_id == principal.user_id:
        raise ValidationFailed("You already own this organisation.", field="member_id")
    return target


def transfer_ownership(session: Session, principal: Principal, member_id: uuid.UUID) -> Membership:
    """Make another member the owner; the previous owner becomes an admin."""
    target = check_transfer(session, principal, member_id)
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


def invitation_link(invitation: Invitation) -> str:
    """The link that accepts *invitation* (its token is kept sealed until it is sent or shown)."""
    token = decrypt(invitation.token_sealed, context=f"invitation:{invitation.id}")
    return f"{get_settings().base_url}/invite/{token}"


def invitation_lifetime() -> str:
    """How long a new invitation link works, in words: "7 days"."""
    return _count(get_settings().invitation_days, "day")


def emails_invitations() -> bool:
    """Whether invitations reach people by email; the console provider only prints them on the server."""
    return get_settings().email_provider != "console"


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
