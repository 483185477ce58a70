"""Imports every model so Alembic and tests see the whole schema."""

from salesos.api.models import IdempotencyRecord
from salesos.auth.models import ApiKey, LoginFailure, PasswordResetToken, RefreshToken, User, UserSession
from salesos.db.base import Base
from salesos.imports.models import ImportJob, ImportRejectedRow
from salesos.intake.models import IntakeEndpoint, IntakeRecord
from salesos.integrations.models import ApiUsage
from salesos.jobs.models import OutboxJob
from salesos.leads.models import (
    Activity,
    Company,
    Contact,
    Lead,
    LeadStatusHistory,
    Note,
    Pipeline,
    PipelineStage,
    Task,
)
from salesos.orgs.models import Invitation, Membership, Organization

__all__ = [
    "Activity",
    "ApiKey",
    "ApiUsage",
    "Base",
    "Company",
    "Contact",
    "IdempotencyRecord",
    "ImportJob",
    "ImportRejectedRow",
    "IntakeEndpoint",
    "IntakeRecord",
    "Invitation",
    "Lead",
    "LeadStatusHistory",
    "LoginFailure",
    "Membership",
    "Note",
    "Organization",
    "OutboxJob",
    "PasswordResetToken",
    "Pipeline",
    "PipelineStage",
    "RefreshToken",
    "Task",
    "User",
    "UserSession",
]
