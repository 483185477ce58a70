"""Every query of the notifications domain. Members only ever see their own rows (``user_id``)."""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from datetime import datetime
from typing import Any

from sqlalchemy import Row, Select, func, insert, update
from sqlalchemy.orm import aliased

from salesos.auth.models import User
from salesos.db.pagination import Page, paginate
from salesos.db.repository import Repository
from salesos.leads.models import Company, Lead
from salesos.notifications.models import Notification, NotificationPreference

Actor = aliased(User, name="actor")

# What a list shows: the notification, who did it and which lead it is about (by company name).
LIST_COLUMNS = (
    Notification.id,
    Notification.type,
    Notification.lead_id,
    Notification.actor_id,
    Notification.payload,
    Notification.read_at,
    Notification.created_at,
    Actor.name.label("actor_name"),
    Company.name.label("lead_name"),
)


class NotificationRepository(Repository[Notification]):
    model = Notification

    def add_many(self, rows: list[dict[str, Any]]) -> list[uuid.UUID]:
        """Insert notifications in one statement; returns their ids."""
        if not rows:
            return []
        values = [{"org_id": self.org_id, **row} for row in rows]
        self.session.execute(insert(Notification), values)
        return [row["id"] for row in values]

    def own(self, user_id: uuid.UUID, notification_id: uuid.UUID) -> Notification | None:
        """*user_id*'s notification *notification_id*; someone else's looks like a missing one."""
        stmt = self.scoped().where(Notification.id == notification_id, Notification.user_id == user_id)
        return self.session.scalars(stmt).first()

    def page(
        self, user_id: uuid.UUID, *, unread_only: bool, limit: int, cursor: str | None
    ) -> Page[Row[Any]]:
        """One page of *user_id*'s notifications, newest first, with actor and lead names."""
        stmt = self._listing(user_id)
        if unread_only:
            stmt = stmt.where(Notification.read_at.is_(None))
        return paginate(self.session, stmt, Notification.id, limit=limit, cursor=cursor, rows=True)

    def listed(self, user_id: uuid.UUID, notification_id: uuid.UUID) -> Row[Any] | None:
        """*user_id*'s notification *notification_id* as a list row, or None."""
        stmt = self._listing(user_id).where(Notification.id == notification_id)
        return self.session.execute(stmt).first()

    def _listing(self, user_id: uuid.UUID) -> Select[Any]:
        return (
            self.scoped(*LIST_COLUMNS)
            .where(Notification.user_id == user_id)
            .outerjoin(Actor, Actor.id == Notification.actor_id)
            .outerjoin(Lead, Lead.id == Notification.lead_id)
            .outerjoin(Company, Company.id == Lead.company_id)
        )

    def unread_since(self, user_id: uuid.UUID, types: set[str], after: datetime) -> list[Row[Any]]:
        """*user_id*'s unread notifications of *types* created after *after*, oldest first (the digest)."""
        stmt = self._listing(user_id).where(
            Notification.read_at.is_(None), Notification.type.in_(types), Notification.created_at > after
        )
        return list(self.session.execute(stmt.order_by(Notification.id)))

    def unread_count(self, user_id: uuid.UUID) -> int:
        """How many of *user_id*'s notifications are unread."""
        stmt = self.scoped(func.count()).where(
            Notification.user_id == user_id, Notification.read_at.is_(None)
        )
        return int(self.session.scalar(stmt) or 0)

    def mark_all_read(self, user_id: uuid.UUID, at: datetime) -> int:
        """Mark every unread notification of *user_id* read; returns how many changed."""
        stmt = (
            update(Notification)
            .where(
                Notification.org_id == self.org_id,
                Notification.user_id == user_id,
                Notification.read_at.is_(None),
            )
            .values(read_at=at)
            .execution_options(synchronize_session=False)
        )
        return int(self.session.execute(stmt).rowcount or 0)  # type: ignore[attr-defined]


class PreferenceRepository(Repository[NotificationPreference]):
    model = NotificationPreference

    def for_users(self, user_ids: Iterable[uuid.UUID], type_: str) -> dict[uuid.UUID, NotificationPreference]:
        """The stored preferences of *user_ids* for *type_*, in one query (absent rows: defaults)."""
        ids = list(user_ids)
        if not ids:
            return {}
        stmt = self.scoped().where(
            NotificationPreference.user_id.in_(ids), NotificationPreference.type == type_
        )
        return {p.user_id: p for p in self.session.scalars(stmt)}

    def of_user(self, user_id: uuid.UUID) -> dict[str, NotificationPreference]:
        """*user_id*'s stored preferences by type."""
        stmt = self.scoped().where(NotificationPreference.user_id == user_id)
        return {p.type: p for p in self.session.scalars(stmt)}

    def digest_types(self) -> dict[uuid.UUID, set[str]]:
        """Members of the org who want a daily digest, with the types they want in it."""
        stmt = self.scoped(NotificationPreference.user_id, NotificationPreference.type).where(
            NotificationPreference.email_digest.is_(True)
        )
        wanted: dict[uuid.UUID, set[str]] = {}
        for row in self.session.execute(stmt):
            wanted.setdefault(row.user_id, set()).add(row.type)
        return wanted
