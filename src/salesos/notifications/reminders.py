"""Reminders: a minute-by-minute scan that notifies the assignee (else the lead's owner; only active
members of the org) of each task or scheduled call coming due, their chosen number of minutes ahead,
exactly once.

Once holds across worker processes twice over: the periodic tick runs on one worker (its outbox dedup
key), and each task is claimed with a conditional UPDATE in the same transaction as its notification.
"""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Row
from sqlalchemy.orm import Session

from salesos.auth.models import User
from salesos.auth.repository import UserRepository
from salesos.auth.schemas import REMINDER_CHOICES
from salesos.db.session import set_tenant
from salesos.leads.board import local_time
from salesos.leads.repository import LeadRepository, TaskRepository
from salesos.notifications import registry
from salesos.notifications.service import notify
from salesos.orgs.models import effective_timezone
from salesos.orgs.repository import MembershipRepository, OrganizationRepository

# The longest lead time a user can choose; the scan looks this far ahead.
MAX_REMINDER_MINUTES = max(REMINDER_CHOICES)
# A task already this overdue when first seen (created late, or the scheduler was down) gets no reminder.
STALE_AFTER = timedelta(hours=1)


def remind_due(session: Session, now: datetime) -> int:
    """Send every reminder that is due at *now*, organisation by organisation; how many went out."""
    sent = 0
    for org_id in OrganizationRepository(session).all_ids():
        set_tenant(session, org_id)
        sent += _remind_org(session, now)
    set_tenant(session, None)
    return sent


def _remind_org(session: Session, now: datetime) -> int:
    tasks = TaskRepository(session)
    due = tasks.coming_due(since=now - STALE_AFTER, until=now + timedelta(minutes=MAX_REMINDER_MINUTES))
    if not due:
        return 0
    named = [user_id for row in due for user_id in (row.assignee_id, row.owner_id) if user_id is not None]
    members = MembershipRepository(session).active_user_ids(list(dict.fromkeys(named)))
    users = UserRepository(session).by_ids(members)  # active members only: nobody else is reminded
    org = OrganizationRepository(session).current()
    sent = 0
    for row in due:
        user = _recipient(row, users)
        if user is None or row.due_at - timedelta(minutes=user.reminder_minutes) > now:
            continue
        if not tasks.claim_reminder(row.id, now):
            continue  # another run got it first
        lead = LeadRepository(session).get(row.lead_id)
        if lead is None:
            continue
        due_at = local_time(row.due_at, effective_timezone(user, org))
        notify(
            session, [user.id], registry.TASK_DUE.name, lead=lead, task=row.title, due=due_at, task_id=row.id
        )
        sent += 1
    return sent


def _recipient(row: Row[Any], users: dict[uuid.UUID, User]) -> User | None:
    """The task's assignee, else the lead's owner, whichever is still an active member (in *users*): a
    removed rep's old task reminds the lead's owner, never the rep."""
    for user_id in (row.assignee_id, row.owner_id):
        if user_id in users:
            return users[user_id]
    return None
