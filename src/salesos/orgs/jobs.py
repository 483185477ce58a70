"""Background work of the orgs domain."""

from __future__ import annotations

import uuid

from sqlalchemy.orm import Session

from salesos.db.base import utcnow
from salesos.integrations.email import EmailMessage, get_email_provider
from salesos.integrations.usage import record_usage
from salesos.jobs import job
from salesos.orgs.repository import InvitationRepository, OrganizationRepository
from salesos.orgs.service import invitation_lifetime, invitation_link


@job("orgs.send_invitation")
def send_invitation(session: Session, *, org_id: uuid.UUID, invitation_id: uuid.UUID) -> None:
    """Email the invitation link; a revoked, accepted or expired invitation is not sent."""
    invitation = InvitationRepository(session).get(invitation_id)
    if (
        invitation is None
        or invitation.revoked_at
        or invitation.accepted_at
        or invitation.expires_at <= utcnow()
    ):
        return
    if invitation.emailed_at is not None:
        return
    org = OrganizationRepository(session).current()
    org_name = org.name if org else "SalesOS"
    provider = get_email_provider()
    provider.send(
        EmailMessage(
            to=invitation.email,
            subject=f"You're invited to {org_name} on SalesOS",
            text=(
                f"You have been invited to join {org_name} on SalesOS as {invitation.role}.\n\n"
                f"Accept the invitation: {invitation_link(invitation)}\n\nThe link works once and expires "
                f"in {invitation_lifetime()}."
            ),
        )
    )
    record_usage(session, kind="email", provider=provider.name, operation="send")
    invitation.emailed_at = utcnow()
