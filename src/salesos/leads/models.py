"""Pipelines and stages, companies, contacts, leads, and what happens to a lead (history, notes, tasks,
timeline). Every table is tenant-owned."""

from __future__ import annotations

import enum
import uuid
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    Float,
    ForeignKey,
    Index,
    Integer,
    Numeric,
    String,
    Text,
    UniqueConstraint,
    Uuid,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship, validates

from salesos.db.base import Base, IdMixin, TenantMixin, TimestampMixin
from salesos.leads.keys import email_key


class StageKind(enum.StrEnum):
    """Open stages are worked; won and lost end the lead's journey."""

    OPEN = "open"
    WON = "won"
    LOST = "lost"


def _user_fk() -> Any:
    return mapped_column(Uuid, ForeignKey("users.id", ondelete="SET NULL"), nullable=True)


def _lead_fk() -> Any:
    return mapped_column(Uuid, ForeignKey("leads.id", ondelete="CASCADE"))


class Pipeline(IdMixin, TenantMixin, TimestampMixin, Base):
    """An ordered set of stages a lead moves through."""

    __tablename__ = "pipelines"
    __table_args__ = (
        UniqueConstraint("org_id", "name"),
        Index("ix_pipelines_org_id_id", "org_id", "id"),
    )

    name: Mapped[str] = mapped_column(String(80))
    is_default: Mapped[bool] = mapped_column(Boolean, default=False)

    stages: Mapped[list[PipelineStage]] = relationship(
        order_by="PipelineStage.position", lazy="selectin", passive_deletes=True
    )


class PipelineStage(IdMixin, TenantMixin, TimestampMixin, Base):
    """One column of the board."""

    __tablename__ = "pipeline_stages"
    __table_args__ = (
        UniqueConstraint("org_id", "pipeline_id", "name"),
        Index("ix_pipeline_stages_org_id_id", "org_id", "id"),
    )

    pipeline_id: Mapped[uuid.UUID] = mapped_column(Uuid, ForeignKey("pipelines.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(80))
    position: Mapped[int] = mapped_column(Integer)
    kind: Mapped[str] = mapped_column(String(8), default=StageKind.OPEN.value)


class Company(IdMixin, TenantMixin, TimestampMixin, Base):
    """An organisation we sell to."""

    __tablename__ = "companies"
    __table_args__ = (
        Index("ix_companies_org_id_id", "org_id", "id"),
        # Exact-domain dedup looks companies up by domain within one org.
        Index("ix_companies_org_id_domain", "org_id", "domain"),
        # The lead list sorted by company name walks this (migration 0021).
        Index("ix_companies_org_id_lower_name_id", "org_id", text("lower(name)"), "id"),
    )

    name: Mapped[str] = mapped_column(String(200))
    domain: Mapped[str | None] = mapped_column(String(255), nullable=True)
    website: Mapped[str | None] = mapped_column(String(500), nullable=True)
    phone: Mapped[str | None] = mapped_column(String(32), nullable=True)
    address: Mapped[str | None] = mapped_column(String(300), nullable=True)
    city: Mapped[str | None] = mapped_column(String(120), nullable=True)
    region: Mapped[str | None] = mapped_column(String(120), nullable=True)
    postal_code: Mapped[str | None] = mapped_column(String(32), nullable=True)
    country: Mapped[str | None] = mapped_column(String(64), nullable=True)
    lat: Mapped[float | None] = mapped_column(Float, nullable=True)
    lon: Mapped[float | None] = mapped_column(Float, nullable=True)
    industry: Mapped[str | None] = mapped_column(String(120), nullable=True)
    size: Mapped[str | None] = mapped_column(String(32), nullable=True)
    source: Mapped[str | None] = mapped_column(String(64), nullable=True)
    tags: Mapped[list[str]] = mapped_column(JSON, default=list)


class Contact(IdMixin, TenantMixin, TimestampMixin, Base):
    """A person, usually at a company."""

    __tablename__ = "contacts"
    __table_args__ = (
        Index("ix_contacts_org_id_id", "org_id", "id"),
        # Dedup matches an address by its key, tagged or not, in both directions (migration 0023; it
        # replaced the index on the address itself, which no query reads any more).
        Index("ix_contacts_org_id_email_key", "org_id", "email_key"),
        Index("ix_contacts_org_id_phone", "org_id", "phone"),
    )

    company_id: Mapped[uuid.UUID | None] = mapped_column(
        Uuid, ForeignKey("companies.id", ondelete="SET NULL"), nullable=True
    )
    first_name: Mapped[str | None] = mapped_column(String(120), nullable=True)
    last_name: Mapped[str | None] = mapped_column(String(120), nullable=True)
    # Stored, not computed: free-text search and sorting read it directly.
    full_name: Mapped[str] = mapped_column(String(241), default="")
    title: Mapped[str | None] = mapped_column(String(160), nullable=True)
    email: Mapped[str | None] = mapped_column(String(320), nullable=True)
    # The address without its "+tag" (``keys.email_key``), kept by ``_key_email`` on every ORM write.
    email_key: Mapped[str | None] = mapped_column(String(320), nullable=True)
    phone: Mapped[str | None] = mapped_column(String(32), nullable=True)
    linkedin_url: Mapped[str | None] = mapped_column(String(500), nullable=True)
    is_primary: Mapped[bool] = mapped_column(Boolean, default=False)
    is_decision_maker: Mapped[bool] = mapped_column(Boolean, default=False)
    email_consent: Mapped[bool] = mapped_column(Boolean, default=False)
    do_not_contact: Mapped[bool] = mapped_column(Boolean, default=False)

    @validates("email")
    def _key_email(self, _name: str, email: str | None) -> str | None:
        self.email_key = email_key(email)
        return email


class Lead(IdMixin, TenantMixin, TimestampMixin, Base):
    """A sales opportunity with a company, at one stage of a pipeline."""

    __tablename__ = "leads"
    __table_args__ = (
        Index("ix_leads_org_id_id", "org_id", "id"),
        # Board columns and "my leads" are the hot filtered lists.
        Index("ix_leads_org_id_stage_id_id", "org_id", "stage_id", "id"),
        Index("ix_leads_org_id_owner_id_id", "org_id", "owner_id", "id"),
        # Keyset pages of the sorted list (migration 0007).
        Index("ix_leads_org_id_updated_at_id", "org_id", "updated_at", "id"),
        Index("ix_leads_org_id_next_follow_up_at_id", "org_id", "next_follow_up_at", "id"),
        Index("ix_leads_org_id_owner_id_next_follow_up_at", "org_id", "owner_id", "next_follow_up_at", "id"),
        Index("ix_leads_org_id_score_id", "org_id", "score", "id"),
        # The list sorted by tier: one range per tier, in score order (migration 0027).
        Index("ix_leads_org_id_tier_score_id", "org_id", "tier", "score", "id"),
        Index("ix_leads_org_id_value_id", "org_id", "value", "id"),
        # Board column totals read only the index (migration 0009); with the id included, also when a
        # search or tag filter picks the leads (PostgreSQL, migration 0022).
        Index(
            "ix_leads_org_id_stage_id_currency_value",
            "org_id",
            "stage_id",
            "currency",
            "value",
            postgresql_include=["id"],
        ),
        # Dedup (intake, import) and merges look leads up by their contact or company.
        Index("ix_leads_org_id_primary_contact_id", "org_id", "primary_contact_id"),
        Index("ix_leads_org_id_company_id", "org_id", "company_id"),
    )

    company_id: Mapped[uuid.UUID] = mapped_column(Uuid, ForeignKey("companies.id", ondelete="CASCADE"))
    primary_contact_id: Mapped[uuid.UUID | None] = mapped_column(
        Uuid, ForeignKey("contacts.id", ondelete="SET NULL"), nullable=True
    )
    pipeline_id: Mapped[uuid.UUID] = mapped_column(Uuid, ForeignKey("pipelines.id"))
    stage_id: Mapped[uuid.UUID] = mapped_column(Uuid, ForeignKey("pipeline_stages.id"))
    owner_id: Mapped[uuid.UUID | None] = _user_fk()
    value: Mapped[Decimal | None] = mapped_column(Numeric(14, 2), nullable=True)
    currency: Mapped[str] = mapped_column(String(3), default="USD")
    source: Mapped[str | None] = mapped_column(String(64), nullable=True)
    tags: Mapped[list[str]] = mapped_column(JSON, default=list)
    score: Mapped[int | None] = mapped_column(Integer, nullable=True)
    tier: Mapped[str | None] = mapped_column(String(1), nullable=True)
    next_follow_up_at: Mapped[datetime | None] = mapped_column(nullable=True)
    custom_fields: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    lost_reason: Mapped[str | None] = mapped_column(Text, nullable=True)

    company: Mapped[Company] = relationship(lazy="joined")
    primary_contact: Mapped[Contact | None] = relationship(lazy="joined")


# Bytewise order on PostgreSQL too, so a word prefix is one index range (SQLite's BINARY already is).
# Wide enough for a tag's term ("#" and up to 50 characters); words are cut at 40.
SEARCH_TERM_TYPE = String(64).with_variant(String(64, collation="C"), "postgresql")


class LeadSearchTerm(Base):
    """One word a lead can be found by (its company's name, its primary contact's name and email), or
    one of its tags ("#" and the tag, exactly).

    The free-text search matches word prefixes as index ranges on ``(org_id, term)``, and the tag filter
    one exact term: row-level security lets PostgreSQL use an index only for leakproof operators, and
    text ``=``/``>=``/``<`` are, while a substring ``lower()``/``LIKE`` and jsonb ``@>`` are not.
    Kept by ``leads.search``; see there.
    """

    __tablename__ = "lead_search_terms"
    # An import writes about six terms per lead, so each structure and check per row counts: on SQLite
    # the rows live in the primary key's b-tree (no rowid table beside it), and org_id has no foreign
    # key of its own (the lead's does the work: deleting an org deletes its leads, and their terms).
    __table_args__ = (Index("ix_lead_search_terms_lead_id", "lead_id"), {"sqlite_with_rowid": False})

    org_id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True)
    term: Mapped[str] = mapped_column(SEARCH_TERM_TYPE, primary_key=True)
    lead_id: Mapped[uuid.UUID] = mapped_column(
        Uuid, ForeignKey("leads.id", ondelete="CASCADE"), primary_key=True
    )


class LeadStatusHistory(IdMixin, TenantMixin, TimestampMixin, Base):
    """One stage change: from where, to where, who, when and why."""

    __tablename__ = "lead_status_history"
    __table_args__ = (
        Index("ix_lead_status_history_org_id_id", "org_id", "id"),
        Index("ix_lead_status_history_org_id_lead_id_id", "org_id", "lead_id", "id"),
    )

    lead_id: Mapped[uuid.UUID] = _lead_fk()
    from_stage_id: Mapped[uuid.UUID | None] = mapped_column(
        Uuid, ForeignKey("pipeline_stages.id", ondelete="SET NULL"), nullable=True
    )
    # Null once that stage is deleted (its leads moved on first): history never blocks editing a pipeline.
    to_stage_id: Mapped[uuid.UUID | None] = mapped_column(
        Uuid, ForeignKey("pipeline_stages.id", ondelete="SET NULL"), nullable=True
    )
    changed_by_id: Mapped[uuid.UUID | None] = _user_fk()
    reason: Mapped[str | None] = mapped_column(Text, nullable=True)


class Note(IdMixin, TenantMixin, TimestampMixin, Base):
    """Markdown written on a lead (sanitised when rendered, stored as typed)."""

    __tablename__ = "notes"
    __table_args__ = (
        Index("ix_notes_org_id_id", "org_id", "id"),
        Index("ix_notes_org_id_lead_id_id", "org_id", "lead_id", "id"),
    )

    lead_id: Mapped[uuid.UUID] = _lead_fk()
    author_id: Mapped[uuid.UUID | None] = _user_fk()
    body: Mapped[str] = mapped_column(Text)
    # When the text last changed (migration 0028); updated_at also moves when a merge re-parents the note.
    edited_at: Mapped[datetime | None] = mapped_column(nullable=True)


class Task(IdMixin, TenantMixin, TimestampMixin, Base):
    """Something to do for a lead, optionally due at a time and assigned to a member."""

    __tablename__ = "tasks"
    __table_args__ = (
        Index("ix_tasks_org_id_id", "org_id", "id"),
        Index("ix_tasks_org_id_lead_id_id", "org_id", "lead_id", "id"),
        # The reminder scan reads each org's tasks coming due.
        Index("ix_tasks_org_id_due_at", "org_id", "due_at"),
    )

    lead_id: Mapped[uuid.UUID] = _lead_fk()
    title: Mapped[str] = mapped_column(String(200))
    due_at: Mapped[datetime | None] = mapped_column(nullable=True)
    assignee_id: Mapped[uuid.UUID | None] = _user_fk()
    done_at: Mapped[datetime | None] = mapped_column(nullable=True)
    # Set when the reminder went out (claimed atomically, so it goes out once); cleared when rescheduled.
    reminded_at: Mapped[datetime | None] = mapped_column(nullable=True)


class Activity(IdMixin, TenantMixin, TimestampMixin, Base):
    """One entry of a lead's timeline; *data* holds ids and small facts, never message bodies."""

    __tablename__ = "activities"
    __table_args__ = (
        Index("ix_activities_org_id_id", "org_id", "id"),
        Index("ix_activities_org_id_lead_id_id", "org_id", "lead_id", "id"),
    )

    lead_id: Mapped[uuid.UUID] = _lead_fk()
    actor_id: Mapped[uuid.UUID | None] = _user_fk()
    kind: Mapped[str] = mapped_column(String(32))
    data: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)


class SavedView(IdMixin, TenantMixin, TimestampMixin, Base):
    """A named set of lead-list filters and a sort, private to its owner unless shared with the org."""

    __tablename__ = "saved_views"
    __table_args__ = (
        UniqueConstraint("org_id", "user_id", "name"),
        Index("ix_saved_views_org_id_id", "org_id", "id"),
    )

    user_id: Mapped[uuid.UUID] = mapped_column(Uuid, ForeignKey("users.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(80))
    filters: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    sort: Mapped[str] = mapped_column(String(32), default="-created_at")
    shared: Mapped[bool] = mapped_column(Boolean, default=False)


class MergeSuggestionStatus(enum.StrEnum):
    """Open suggestions are shown; dismissed ones ("not a duplicate") never come back for that pair."""

    OPEN = "open"
    DISMISSED = "dismissed"


class MergeSuggestion(IdMixin, TenantMixin, TimestampMixin, Base):
    """Two leads that look like the same business (similar name in the same city), waiting for a person."""

    __tablename__ = "merge_suggestions"
    __table_args__ = (
        # One row per unordered pair: lead_id is always the smaller id of the two.
        UniqueConstraint("org_id", "lead_id", "other_lead_id"),
        Index("ix_merge_suggestions_org_id_id", "org_id", "id"),
        Index("ix_merge_suggestions_org_id_other_lead_id", "org_id", "other_lead_id"),
    )

    lead_id: Mapped[uuid.UUID] = _lead_fk()
    other_lead_id: Mapped[uuid.UUID] = _lead_fk()
    score: Mapped[int] = mapped_column(Integer)
    reason: Mapped[str] = mapped_column(String(300))
    status: Mapped[str] = mapped_column(String(16), default=MergeSuggestionStatus.OPEN.value)
    decided_by_id: Mapped[uuid.UUID | None] = _user_fk()
