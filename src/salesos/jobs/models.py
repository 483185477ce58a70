"""The transactional outbox: a job exists once its row commits with the write that caused it."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from salesos.db.base import Base, IdMixin, utcnow


class OutboxJob(IdMixin, Base):
    """One job run request. Not tenant-owned: the relay and sweep serve every tenant.

    The payload carries ``org_id``; the job runner scopes its session to it before calling the job.
    """

    __tablename__ = "outbox_jobs"
    __table_args__ = (Index("ix_outbox_jobs_status_run_at", "status", "run_at"),)

    name: Mapped[str] = mapped_column(String(120))
    payload: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    # Unique: enqueueing the same key twice (even in one transaction) yields one job.
    dedup_key: Mapped[str | None] = mapped_column(String(255), unique=True, nullable=True)
    status: Mapped[str] = mapped_column(String(16), default="pending")
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    max_attempts: Mapped[int] = mapped_column(Integer, default=5)
    run_at: Mapped[datetime] = mapped_column(default=utcnow)
    relayed_at: Mapped[datetime | None] = mapped_column(nullable=True)
    locked_until: Mapped[datetime | None] = mapped_column(nullable=True)
    last_error: Mapped[str | None] = mapped_column(Text, nullable=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    finished_at: Mapped[datetime | None] = mapped_column(nullable=True)
