"""Imports every model so Alembic and tests see the whole schema."""

from salesos.api.models import IdempotencyRecord
from salesos.auth.models import ApiKey, LoginFailure, PasswordResetToken, RefreshToken, User, UserSession
from salesos.calendar.models import CalendarConnection, CalendarEvent, CalendarFeed
from salesos.campaigns.models import Campaign, Prospect, ProspectSource
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
    MergeSuggestion,
    Note,
    Pipeline,
    PipelineStage,
    SavedView,
    Task,
)
from salesos.notifications.models import Notification, NotificationPreference
from salesos.orgs.models import Invitation, Membership, Organization
from salesos.push.models import PushSubscription

__all__ = [
    "Activity",
    "ApiKey",
    "ApiUsage",
    "Base",
    "CalendarConnection",
    "CalendarEvent",
    "CalendarFeed",
    "Campaign",
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
    "MergeSuggestion",
    "Note",
    "Notification",
    "NotificationPreference",
    "Organization",
    "OutboxJob",
    "PasswordResetToken",
    "Pipeline",
    "PipelineStage",
    "Prospect",
    "ProspectSource",
    "PushSubscription",
    "RefreshToken",
    "SavedView",
    "Task",
    "User",
    "UserSession",
]
