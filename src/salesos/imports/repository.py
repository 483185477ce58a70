"""Every query of the imports domain."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import insert

from salesos.db.repository import Repository
from salesos.imports.models import ImportJob, ImportRejectedRow


class ImportJobRepository(Repository[ImportJob]):
    model = ImportJob

    def locked(self, import_id: uuid.UUID) -> ImportJob | None:
        """The import, row-locked on PostgreSQL so two runs take turns (SQLite: the write lock)."""
        stmt = self.scoped().where(ImportJob.id == import_id).with_for_update()
        return self.session.scalars(stmt.execution_options(populate_existing=True)).first()


class RejectedRowRepository(Repository[ImportRejectedRow]):
    model = ImportRejectedRow

    def add_many(self, rows: list[dict[str, Any]]) -> None:
        """Insert a batch's rejected rows in one statement."""
        if rows:
            self.session.execute(insert(ImportRejectedRow), [{"org_id": self.org_id, **r} for r in rows])

    def for_import(
        self, import_id: uuid.UUID, *, after: int = 0, limit: int = 1000
    ) -> list[ImportRejectedRow]:
        """A page of an import's rejected rows in file order, after row number *after*."""
        stmt = (
            self.scoped()
            .where(ImportRejectedRow.import_id == import_id, ImportRejectedRow.row_number > after)
            .order_by(ImportRejectedRow.row_number)
            .limit(limit)
        )
        return list(self.session.scalars(stmt))
