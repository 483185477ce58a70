"""The daily email digest: at a member's local morning, their unread notifications of the last day, for the
types they chose. A scan every 15 minutes finds whose morning it is; one job per person and local date
(its outbox dedup key) makes each digest go out once, however many schedulers run."""

from __future__ import annotations

import uuid
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session

from salesos.auth.repository import UserRepository
from salesos.config import get_settings
from salesos.db.session import set_tenant
from salesos.integrations.email import EmailMessage, get_email_provider
from salesos.integrations.usage import record_usage
from salesos.jobs import enqueue
from salesos.notifications.registry import TYPES
from salesos.notifications.repository import NotificationRepository, PreferenceRepository
from salesos.notifications.service import present
from salesos.orgs.models import effective_timezone
from salesos.orgs.repository import MembershipRepository, OrganizationRepository

DIGEST_HOUR = 8  # local time: the digest is in the inbox when the day starts
SCAN_EVERY_SECONDS = 15 * 60
WINDOW = timedelta(hours=24)


def schedule_due(session: Session, now: datetime) -> int:
    """Queue today's digest for every member whose local morning it is (once per local date)."""
    queued = 0
    for org_id in OrganizationRepository(session).all_ids():
        set_tenant(session, org_id)
        wanted = PreferenceRepository(session).digest_types()
        if not wanted:
            continue
        org = OrganizationRepository(session).current()
        members = {m.user_id for m in MembershipRepository(session).listing()}
        for user_id, user in UserRepository(session).by_ids(set(wanted) & members).items():
            local = now.astimezone(ZoneInfo(effective_timezone(user, org)))
            if local.hour != DIGEST_HOUR:
                continue
            job = enqueue(
                session,
                "notifications.send_digest",
                dedup_key=f"digest:{org_id}:{user_id}:{local.date().isoformat()}",
                org_id=org_id,
                user_id=user_id,
                day=local.date().isoformat(),
            )
            queued += job is not None
    set_tenant(session, None)
    return queued


def compose(session: Session, user_id: uuid.UUID, day: date, now: datetime) -> EmailMessage | None:
    """The digest email for *user_id*, or None when there is nothing unread to tell."""
    types = PreferenceRepository(session).digest_types().get(user_id, set()) & {
        name for name, kind in TYPES.items() if kind.digest
    }
    user = UserRepository(session).get(user_id)
    if user is None or not types:
        return None
    rows = NotificationRepository(session).unread_since(user_id, types, now - WINDOW)
    if not rows:
        return None
    base = get_settings().base_url.rstrip("/")
    lines = []
    for row in rows:
        shown = present(row)
        lines.append(f"- {shown.text}" + (f"\n  {base}{shown.url}" if shown.url else ""))
    count = len(rows)
    plural = "s" if count != 1 else ""
    text = (
        f"Good morning {user.name},\n\n{count} unread notification{plural} from the last day:\n\n"
        + "\n".join(lines)
        + f"\n\nAll notifications: {base}/notifications\n"
        + f"Choose what goes into this email: {base}/settings/notifications\n"
    )
    subject = f"SalesOS digest for {day:%A %-d %B}: {count} unread"
    return EmailMessage(to=user.email, subject=subject, text=text)


def send(session: Session, user_id: uuid.UUID, day: date, now: datetime) -> bool:
    """Email the digest (nothing when there is nothing to say); True if one went out."""
    message = compose(session, user_id, day, now)
    if message is None:
        return False
    provider = get_email_provider()
    provider.send(message)
    record_usage(session, kind="email", provider=provider.name, operation="send")
    return True
