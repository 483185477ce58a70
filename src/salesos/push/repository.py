"""Every query of the push domain."""

from __future__ import annotations

import uuid

from salesos.db.repository import Repository
from salesos.push.models import PushSubscription


class PushSubscriptionRepository(Repository[PushSubscription]):
    model = PushSubscription

    def of_user(self, user_id: uuid.UUID) -> list[PushSubscription]:
        """A user's devices, newest first."""
        stmt = self.scoped().where(PushSubscription.user_id == user_id).order_by(PushSubscription.id.desc())
        return list(self.session.scalars(stmt))

    def of_users(self, user_ids: set[uuid.UUID]) -> list[PushSubscription]:
        """Every device of these users (one query)."""
        if not user_ids:
            return []
        return list(self.session.scalars(self.scoped().where(PushSubscription.user_id.in_(user_ids))))

    def by_endpoint(self, user_id: uuid.UUID, endpoint: str) -> PushSubscription | None:
        """The user's subscription for one browser install."""
        stmt = self.scoped().where(PushSubscription.user_id == user_id, PushSubscription.endpoint == endpoint)
        return self.session.scalars(stmt).first()
