"""Imports every model so Alembic and tests see the whole schema."""

from salesos.api.models import IdempotencyRecord
from salesos.auth.models import ApiKey, LoginFailure, PasswordResetToken, RefreshToken, User, UserSession
from salesos.db.base import Base
from salesos.integrations.models import ApiUsage
from salesos.jobs.models import OutboxJob
from salesos.orgs.models import Invitation, Membership, Organization

__all__ = [
    "ApiKey",
    "ApiUsage",
    "Base",
    "IdempotencyRecord",
    "Invitation",
    "LoginFailure",
    "Membership",
    "Organization",
    "OutboxJob",
    "PasswordResetToken",
    "RefreshToken",
    "User",
    "UserSession",
]
