"""Background work of the auth domain."""

from __future__ import annotations

import uuid

from sqlalchemy.orm import Session

from salesos.auth.repository import PasswordResetRepository, UserRepository
from salesos.config import get_settings
from salesos.crypto import decrypt
from salesos.db.base import utcnow
from salesos.integrations.email import EmailMessage, get_email_provider
from salesos.jobs import job


@job("auth.send_password_reset")
def send_password_reset(session: Session, *, reset_id: uuid.UUID) -> None:
    """Email the reset link, unless it was used or expired meanwhile."""
    reset = PasswordResetRepository(session).get(reset_id)
    if reset is None or reset.used_at or reset.emailed_at or reset.expires_at <= utcnow():
        return
    user = UserRepository(session).get(reset.user_id)
    if user is None:
        return
    token = decrypt(reset.token_sealed, context=f"password_reset:{reset.id}")
    minutes = get_settings().password_reset_minutes
    get_email_provider().send(
        EmailMessage(
            to=user.email,
            subject="Reset your SalesOS password",
            text=(
                f"Someone asked to reset the password of your SalesOS account.\n\n"
                f"Choose a new password: {get_settings().base_url}/reset-password/{token}\n\n"
                f"The link works once and expires in {minutes} minutes. If it wasn't you, ignore this email."
            ),
        )
    )
    reset.emailed_at = utcnow()
