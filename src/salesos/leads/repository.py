"""Every query of the leads domain."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import ColumnElement, Row, cast, exists, func, or_, select
from sqlalchemy.dialects.postgresql import JSONB

from salesos.db.pagination import Page, paginate
from salesos.db.repository import Repository
from salesos.leads.models import (
    Activity,
    Company,
    Contact,
    Lead,
    LeadStatusHistory,
    Note,
    Pipeline,
    PipelineStage,
    Task,
)
from salesos.leads.schemas import LeadFilters


class PipelineRepository(Repository[Pipeline]):
    model = Pipeline

    def default(self) -> Pipeline | None:
        """The org's default pipeline, if it has one yet."""
        return self.session.scalars(self.scoped().where(Pipeline.is_default.is_(True))).first()

    def listing(self) -> list[Pipeline]:
        """All pipelines of the org (stages load with them), default first."""
        stmt = self.scoped().order_by(Pipeline.is_default.desc(), Pipeline.name)
        return list(self.session.scalars(stmt))


class StageRepository(Repository[PipelineStage]):
    model = PipelineStage


class CompanyRepository(Repository[Company]):
    model = Company

    def page(self, *, limit: int, cursor: str | None) -> Page[Company]:
        """Companies, newest first."""
        return paginate(self.session, self.scoped(), Company.id, limit=limit, cursor=cursor)


class ContactRepository(Repository[Contact]):
    model = Contact

    def page(self, *, limit: int, cursor: str | None) -> Page[Contact]:
        """Contacts, newest first."""
        return paginate(self.session, self.scoped(), Contact.id, limit=limit, cursor=cursor)


LEAD_LIST_COLUMNS = (
    Lead.id,
    Lead.company_id,
    Company.name.label("company_name"),
    Lead.primary_contact_id,
    Contact.full_name.label("contact_name"),
    Contact.email.label("contact_email"),
    Lead.pipeline_id,
    Lead.stage_id,
    Lead.owner_id,
    Lead.value,
    Lead.currency,
    Lead.source,
    Lead.tags,
    Lead.score,
    Lead.tier,
    Lead.next_follow_up_at,
    Lead.created_at,
    Lead.updated_at,
)


class LeadRepository(Repository[Lead]):
    model = Lead

    def page(self, filters: LeadFilters, *, limit: int, cursor: str | None) -> Page[Row[Any]]:
        """One page of lead rows matching *filters*, newest first."""
        stmt = (
            self.scoped(*LEAD_LIST_COLUMNS)
            .join(Company, Company.id == Lead.company_id)
            .outerjoin(Contact, Contact.id == Lead.primary_contact_id)
        )
        for condition in self._conditions(filters):
            stmt = stmt.where(condition)
        return paginate(self.session, stmt, Lead.id, limit=limit, cursor=cursor, rows=True)

    def _conditions(self, f: LeadFilters) -> list[ColumnElement[bool]]:
        conditions: list[ColumnElement[bool]] = []
        if f.stage_id is not None:
            conditions.append(Lead.stage_id == f.stage_id)
        if f.owner_id is not None:
            conditions.append(Lead.owner_id == f.owner_id)
        if f.source is not None:
            conditions.append(Lead.source == f.source)
        if f.tier is not None:
            conditions.append(Lead.tier == f.tier)
        if f.created_after is not None:
            conditions.append(Lead.created_at >= f.created_after)
        if f.created_before is not None:
            conditions.append(Lead.created_at < f.created_before)
        if f.tag:
            conditions.append(self._has_tag(f.tag))
        if f.q:
            # LIKE wildcards typed by the user are matched literally.
            escaped = f.q.lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
            pattern = f"%{escaped}%"
            conditions.append(
                or_(
                    func.lower(Company.name).like(pattern, escape="\\"),
                    func.lower(Contact.full_name).like(pattern, escape="\\"),
                    func.lower(Contact.email).like(pattern, escape="\\"),
                )
            )
        return conditions

    def _has_tag(self, tag: str) -> ColumnElement[bool]:
        if self.session.get_bind().dialect.name == "postgresql":
            return cast(Lead.tags, JSONB).contains([tag])
        items = func.json_each(Lead.tags).table_valued("value")
        return exists(select(1).select_from(items).where(items.c.value == tag))


class HistoryRepository(Repository[LeadStatusHistory]):
    model = LeadStatusHistory

    def for_lead(self, lead_id: uuid.UUID) -> list[LeadStatusHistory]:
        """A lead's stage changes, oldest first."""
        stmt = self.scoped().where(LeadStatusHistory.lead_id == lead_id)
        return list(self.session.scalars(stmt.order_by(LeadStatusHistory.id)))


class NoteRepository(Repository[Note]):
    model = Note

    def page(self, lead_id: uuid.UUID, *, limit: int, cursor: str | None) -> Page[Note]:
        """A lead's notes, newest first."""
        stmt = self.scoped().where(Note.lead_id == lead_id)
        return paginate(self.session, stmt, Note.id, limit=limit, cursor=cursor)


class TaskRepository(Repository[Task]):
    model = Task

    def page(self, lead_id: uuid.UUID, *, limit: int, cursor: str | None) -> Page[Task]:
        """A lead's tasks, newest first."""
        stmt = self.scoped().where(Task.lead_id == lead_id)
        return paginate(self.session, stmt, Task.id, limit=limit, cursor=cursor)


class ActivityRepository(Repository[Activity]):
    model = Activity

    def page(self, lead_id: uuid.UUID, *, limit: int, cursor: str | None) -> Page[Activity]:
        """A lead's timeline, newest first."""
        stmt = self.scoped().where(Activity.lead_id == lead_id)
        return paginate(self.session, stmt, Activity.id, limit=limit, cursor=cursor)


class LeadMatchRepository(Repository[Lead]):
    """Exact-match lookups for dedup (intake, import): the oldest lead with the same key wins."""

    model = Lead

    def _first(self, condition: Any) -> Lead | None:
        # One indexed probe per key ((org_id, email), (org_id, phone), (org_id, domain)), oldest lead wins.
        return self.session.scalars(self.scoped().where(condition).order_by(Lead.id).limit(1)).first()

    def by_contact_email(self, email: str) -> Lead | None:
        """The oldest lead whose primary contact has *email*."""
        ids = select(Contact.id).where(Contact.org_id == self.org_id, Contact.email == email)
        return self._first(Lead.primary_contact_id.in_(ids))

    def by_contact_phone(self, phone: str) -> Lead | None:
        """The oldest lead whose primary contact has *phone*."""
        ids = select(Contact.id).where(Contact.org_id == self.org_id, Contact.phone == phone)
        return self._first(Lead.primary_contact_id.in_(ids))

    def by_company_domain(self, domain: str) -> Lead | None:
        """The oldest lead of a company with *domain*."""
        ids = select(Company.id).where(Company.org_id == self.org_id, Company.domain == domain)
        return self._first(Lead.company_id.in_(ids))
