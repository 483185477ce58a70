"""Import jobs (one uploaded CSV each) and the rows they rejected."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, Integer, String, Text, UniqueConstraint, Uuid
from sqlalchemy.orm import Mapped, mapped_column

from salesos.db.base import Base, IdMixin, TenantMixin, TimestampMixin


class ImportStatus:
    UPLOADED = "uploaded"
    QUEUED = "queued"
    RUNNING = "running"
    DONE = "done"
    FAILED = "failed"


class ImportJob(IdMixin, TenantMixin, TimestampMixin, Base):
    """One uploaded CSV: where it is stored, how to read it, how its columns map, and how far it got."""

    __tablename__ = "import_jobs"
    __table_args__ = (Index("ix_import_jobs_org_id_id", "org_id", "id"),)

    created_by_id: Mapped[uuid.UUID | None] = mapped_column(
        Uuid, ForeignKey("users.id", ondelete="SET NULL"), nullable=True
    )
    filename: Mapped[str] = mapped_column(String(255))
    stored_path: Mapped[str] = mapped_column(String(1000))
    encoding: Mapped[str] = mapped_column(String(32))
    delimiter: Mapped[str] = mapped_column(String(4))
    header: Mapped[list[str]] = mapped_column(JSON, default=list)
    # One target field per CSV column ("" = ignored), by position: headers may repeat.
    mapping: Mapped[list[str]] = mapped_column(JSON, default=list)
    preset: Mapped[str | None] = mapped_column(String(32), nullable=True)
    # Who gets the new leads of rows that name no owner (None: they stay unassigned).
    default_owner_id: Mapped[uuid.UUID | None] = mapped_column(
        Uuid, ForeignKey("users.id", ondelete="SET NULL"), nullable=True
    )
    # The pipeline the new leads go to (None: the default one, also when the chosen one was deleted).
    pipeline_id: Mapped[uuid.UUID | None] = mapped_column(
        Uuid, ForeignKey("pipelines.id", ondelete="SET NULL"), nullable=True
    )
    # The file's stage names as the user mapped them: a value as it is matched (trimmed, casefolded) →
    # the id of a stage of the import's pipeline. A value not in it is matched by stage name.
    stage_values: Mapped[dict[str, str]] = mapped_column(JSON, default=dict)
    status: Mapped[str] = mapped_column(String(16), default=ImportStatus.UPLOADED)
    total_rows: Mapped[int] = mapped_column(Integer, default=0)
    # Committed with each batch's leads: a resumed run skips exactly this many records.
    rows_done: Mapped[int] = mapped_column(Integer, default=0)
    created: Mapped[int] = mapped_column(Integer, default=0)
    merged: Mapped[int] = mapped_column(Integer, default=0)
    rejected: Mapped[int] = mapped_column(Integer, default=0)
    # rows_done when the current run began, so rows/s measures this run, not the crashed one.
    rows_at_start: Mapped[int] = mapped_column(Integer, default=0)
    started_at: Mapped[datetime | None] = mapped_column(nullable=True)
    finished_at: Mapped[datetime | None] = mapped_column(nullable=True)
    error: Mapped[str | None] = mapped_column(Text, nullable=True)

    @property
    def skipped(self) -> int:
        """Empty records (nothing in a mapped column): read and counted in rows_done, nothing to import."""
        return max(0, self.rows_done - self.created - self.merged - self.rejected)


class ImportRejectedRow(IdMixin, TenantMixin, TimestampMixin, Base):
    """A CSV record the import refused, with why and its original cells."""

    __tablename__ = "import_rejected_rows"
    __table_args__ = (UniqueConstraint("org_id", "import_id", "row_number"),)

    import_id: Mapped[uuid.UUID] = mapped_column(Uuid, ForeignKey("import_jobs.id", ondelete="CASCADE"))
    row_number: Mapped[int] = mapped_column(Integer)
    reason: Mapped[str] = mapped_column(Text)
    raw: Mapped[Any] = mapped_column(JSON)
