"""Queries of lead merging: duplicate candidates, merge suggestions, and moving a lead's records."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import Row, delete, func, or_, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from salesos.calendar.models import CalendarEvent
from salesos.campaigns.models import Prospect
from salesos.db.pagination import Page, paginate
from salesos.db.repository import Repository
from salesos.intake.models import IntakeRecord
from salesos.leads.models import (
    Activity,
    Company,
    Contact,
    Lead,
    LeadStatusHistory,
    MergeSuggestion,
    MergeSuggestionStatus,
    Note,
    PipelineStage,
    Task,
)
from salesos.notifications.models import Notification

# What a suggestion shows of each of its two leads.
SUMMARY_COLUMNS = (
    Lead.id,
    Lead.company_id,
    Company.name.label("company_name"),
    Company.city,
    Company.domain,
    Contact.full_name.label("contact_name"),
    Contact.email.label("contact_email"),
    PipelineStage.name.label("stage_name"),
    Lead.created_at,
)
# Records that belong to a lead and move with it when it is merged into another. Those of other domains
# too: deleting the merged lead would otherwise take its scheduled calls and notifications with it
# (ON DELETE CASCADE) and cut the intake and campaign rows it came from loose (SET NULL), so a replayed
# intake row or a campaign's prospect would no longer lead to the kept lead.
LEAD_RECORDS = (Note, Task, Activity, LeadStatusHistory, CalendarEvent, Notification, IntakeRecord, Prospect)


class MergeSuggestionRepository(Repository[MergeSuggestion]):
    model = MergeSuggestion

    def open_page(self, *, limit: int, cursor: str | None) -> Page[MergeSuggestion]:
        """Open suggestions of the org, newest first."""
        stmt = self.scoped().where(MergeSuggestion.status == MergeSuggestionStatus.OPEN.value)
        return paginate(self.session, stmt, MergeSuggestion.id, limit=limit, cursor=cursor)

    def open_for_lead(self, lead_id: uuid.UUID, limit: int = 20) -> list[MergeSuggestion]:
        """Open suggestions that involve *lead_id*, best match first."""
        stmt = (
            self.scoped()
            .where(
                MergeSuggestion.status == MergeSuggestionStatus.OPEN.value,
                or_(MergeSuggestion.lead_id == lead_id, MergeSuggestion.other_lead_id == lead_id),
            )
            .order_by(MergeSuggestion.score.desc(), MergeSuggestion.id)
            .limit(limit)
        )
        return list(self.session.scalars(stmt))

    def known_pairs(self) -> set[tuple[uuid.UUID, uuid.UUID]]:
        """Every pair already suggested, open or dismissed (a dismissed pair is never suggested again)."""
        stmt = self.scoped(MergeSuggestion.lead_id, MergeSuggestion.other_lead_id)
        return {(row.lead_id, row.other_lead_id) for row in self.session.execute(stmt)}

    def add_many(self, rows: list[dict[str, Any]]) -> int:
        """Insert suggestions, skipping pairs a concurrent scan inserted first; how many were new."""
        if not rows:
            return 0
        dialect = self.session.get_bind().dialect.name
        insert = pg_insert if dialect == "postgresql" else sqlite_insert
        values = [{**row, "org_id": self.org_id} for row in rows]
        stmt = insert(MergeSuggestion).values(values).on_conflict_do_nothing().returning(MergeSuggestion.id)
        return len(self.session.scalars(stmt).all())


class MergeCandidateRepository(Repository[Lead]):
    """Reads and moves that merging leads needs."""

    model = Lead

    def named_in_cities(self) -> list[Row[Any]]:
        """(id, company_id, company name, city, created_at) of every lead whose company has a city."""
        stmt = (
            self.scoped(Lead.id, Lead.company_id, Company.name, Company.city, Lead.created_at)
            .join(Company, Company.id == Lead.company_id)
            .where(Company.city.is_not(None), Company.city != "")
        )
        return list(self.session.execute(stmt))

    def summaries(self, lead_ids: set[uuid.UUID]) -> dict[uuid.UUID, Row[Any]]:
        """What a suggestion shows of each lead, by id (one query for any number of leads)."""
        if not lead_ids:
            return {}
        stmt = (
            self.scoped(*SUMMARY_COLUMNS)
            .join(Company, Company.id == Lead.company_id)
            .outerjoin(Contact, Contact.id == Lead.primary_contact_id)
            .join(PipelineStage, PipelineStage.id == Lead.stage_id)
            .where(Lead.id.in_(lead_ids))
        )
        return {row.id: row for row in self.session.execute(stmt)}

    def label_activities(self, lead_id: uuid.UUID, merged_from: str) -> None:
        """Mark a lead's timeline entries as its own before they move onto the lead it merges into."""
        stmt = select(Activity).where(Activity.org_id == self.org_id, Activity.lead_id == lead_id)
        for activity in self.session.scalars(stmt):
            activity.data = {**activity.data, "merged_from": merged_from}  # JSON columns see reassignment
        self.session.flush()

    def move_records(self, from_lead_id: uuid.UUID, to_lead_id: uuid.UUID) -> None:
        """Re-home one lead's records (``LEAD_RECORDS``) onto another."""
        for model in LEAD_RECORDS:
            self.session.execute(
                update(model)
                .where(model.org_id == self.org_id, model.lead_id == from_lead_id)
                .values(lead_id=to_lead_id)
                .execution_options(synchronize_session=False)
            )

    def other_leads_of_company(self, company_id: uuid.UUID, besides: uuid.UUID) -> int:
        """How many leads besides *besides* belong to the company."""
        stmt = self.scoped(Lead.id).where(Lead.company_id == company_id, Lead.id != besides)
        return self.count(stmt)

    def move_contacts(self, from_company_id: uuid.UUID, to_company_id: uuid.UUID) -> None:
        """Move a company's people to another company; they join as non-primary contacts."""
        self.session.execute(
            update(Contact)
            .where(Contact.org_id == self.org_id, Contact.company_id == from_company_id)
            .values(company_id=to_company_id, is_primary=False)
            .execution_options(synchronize_session=False)
        )

    def delete_company(self, company_id: uuid.UUID) -> None:
        """Delete a company that no lead refers to any more."""
        self.session.execute(
            delete(Company)
            .where(Company.org_id == self.org_id, Company.id == company_id)
            .execution_options(synchronize_session=False)
        )

    def newest_created_at(self) -> datetime | None:
        """When the org's newest lead was created (a scan that saw it needs no rerun)."""
        return self.session.scalar(self.scoped(func.max(Lead.created_at)))
