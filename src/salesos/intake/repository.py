"""Every query of the intake domain."""

from __future__ import annotations

import uuid

from salesos.db.repository import Repository
from salesos.intake.models import IntakeEndpoint, IntakeRecord


class IntakeEndpointRepository(Repository[IntakeEndpoint]):
    model = IntakeEndpoint

    def listing(self) -> list[IntakeEndpoint]:
        """The org's endpoints, active first, newest first."""
        stmt = self.scoped().order_by(IntakeEndpoint.revoked_at.is_not(None), IntakeEndpoint.id.desc())
        return list(self.session.scalars(stmt))

    def active(self, endpoint_id: uuid.UUID) -> IntakeEndpoint | None:
        """The endpoint if it exists in this org and is not revoked."""
        stmt = self.scoped().where(IntakeEndpoint.id == endpoint_id, IntakeEndpoint.revoked_at.is_(None))
        return self.session.scalars(stmt).first()


class IntakeRecordRepository(Repository[IntakeRecord]):
    model = IntakeRecord

    def by_external_id(self, endpoint_id: uuid.UUID, external_id: str) -> IntakeRecord | None:
        """What *endpoint_id* already did with *external_id*, if anything."""
        stmt = self.scoped().where(
            IntakeRecord.endpoint_id == endpoint_id, IntakeRecord.external_id == external_id
        )
        return self.session.scalars(stmt).first()
