"""Queries of the dashboard: the caller's due tasks and follow-ups, leads won and leads added lately.

Each is one statement whatever the org's size, bounded by an index: due tasks by (org_id, due_at), due
follow-ups by (org_id, next_follow_up_at, id), recent leads and stage changes by their time-ordered ids.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import Row, and_, case, func, or_, select

from salesos.db.base import uuid7_floor
from salesos.leads.models import Company, Contact, Lead, LeadStatusHistory, PipelineStage, StageKind, Task
from salesos.leads.repository import LeadRepository


class DashboardRepository(LeadRepository):
    def _mine(self, user_id: uuid.UUID) -> Any:
        # A task is yours when it is assigned to you, or unassigned on a lead you own (as reminders decide).
        return or_(Task.assignee_id == user_id, and_(Task.assignee_id.is_(None), Lead.owner_id == user_id))

    def tasks_due(self, user_id: uuid.UUID, until: datetime, limit: int) -> list[Any]:
        """*user_id*'s open tasks due before *until*, oldest due first, with their lead's company."""
        stmt = (
            select(Task.id, Task.title, Task.due_at, Lead.id.label("lead_id"), Company.name.label("company"))
            .join(Lead, Lead.id == Task.lead_id)
            .join(Company, Company.id == Lead.company_id)
            .where(Task.org_id == self.org_id, Task.done_at.is_(None), Task.due_at < until)
            .where(self._mine(user_id))
            .order_by(Task.due_at, Task.id)
            .limit(limit)
        )
        return list(self.session.execute(stmt).all())

    def open_tasks(
        self,
        user_id: uuid.UUID | None,
        *,
        due_from: datetime | None = None,
        due_before: datetime | None = None,
        undated: bool = False,
        limit: int,
    ) -> list[Any]:
        """Open tasks due in [*due_from*, *due_before*), or without a due time (*undated*), soonest first,
        with their lead's company and assignee: *user_id*'s (see ``_mine``), or everyone's when None."""
        stmt = (
            select(
                Task.id,
                Task.title,
                Task.due_at,
                Task.assignee_id,
                Lead.id.label("lead_id"),
                Lead.owner_id,
                Company.name.label("company"),
            )
            .join(Lead, Lead.id == Task.lead_id)
            .join(Company, Company.id == Lead.company_id)
            .where(Task.org_id == self.org_id, Task.done_at.is_(None))
        )
        if user_id is not None:
            stmt = stmt.where(self._mine(user_id))
        if undated:
            stmt = stmt.where(Task.due_at.is_(None)).order_by(Task.id)
        else:
            stmt = stmt.where(Task.due_at.is_not(None))
            if due_from is not None:
                stmt = stmt.where(Task.due_at >= due_from)
            if due_before is not None:
                stmt = stmt.where(Task.due_at < due_before)
            stmt = stmt.order_by(Task.due_at, Task.id)
        return list(self.session.execute(stmt.limit(limit)).all())

    def count_tasks_due(self, user_id: uuid.UUID, day_start: datetime, day_end: datetime) -> tuple[int, int]:
        """How many of *user_id*'s open tasks are overdue (before *day_start*) and due that day."""
        overdue = func.coalesce(func.sum(case((Task.due_at < day_start, 1), else_=0)), 0)
        stmt = (
            select(overdue, func.count(Task.id))
            .join(Lead, Lead.id == Task.lead_id)
            .where(Task.org_id == self.org_id, Task.done_at.is_(None), Task.due_at < day_end)
            .where(self._mine(user_id))
        )
        row: Any = self.session.execute(stmt).one()
        late, due = int(row[0] or 0), int(row[1] or 0)
        return late, due - late

    def _follow_ups(self, owner_id: uuid.UUID, until: datetime, *columns: Any) -> Any:
        # Only leads still being worked: a won or lost lead's old follow-up date is no longer a to-do.
        # A lead with one of the reader's open tasks due by then is already on their list of tasks:
        # listed once, not twice.
        task_due = (
            select(Task.id)
            .where(Task.org_id == self.org_id, Task.lead_id == Lead.id)
            .where(Task.done_at.is_(None), Task.due_at < until, self._mine(owner_id))
        )
        return (
            self.scoped(*columns)
            .select_from(Lead)
            .join(PipelineStage, PipelineStage.id == Lead.stage_id)
            .where(Lead.owner_id == owner_id, Lead.next_follow_up_at < until)
            .where(PipelineStage.kind == StageKind.OPEN.value)
            .where(~task_due.exists())
        )

    def follow_ups_due(self, owner_id: uuid.UUID, until: datetime, limit: int) -> list[Row[Any]]:
        """Open leads of *owner_id* whose follow-up falls before *until*, the most overdue first."""
        stmt = (
            self._follow_ups(
                owner_id,
                until,
                Lead.id,
                Lead.next_follow_up_at,
                Company.name.label("company"),
                Contact.full_name.label("contact"),
                PipelineStage.name.label("stage"),
            )
            .join(Company, Company.id == Lead.company_id)
            .outerjoin(Contact, Contact.id == Lead.primary_contact_id)
            .order_by(Lead.next_follow_up_at, Lead.id)
            .limit(limit)
        )
        return list(self.session.execute(stmt).all())

    def count_follow_ups_due(self, owner_id: uuid.UUID, until: datetime) -> int:
        """How many open leads of *owner_id* have a follow-up before *until*."""
        stmt = self._follow_ups(owner_id, until, func.count(Lead.id))
        return int(self.session.scalar(stmt) or 0)

    def count_created_since(self, since: datetime) -> int:
        """Leads added since *since*."""
        stmt = self.scoped(func.count(Lead.id)).where(Lead.id >= uuid7_floor(since), Lead.created_at >= since)
        return int(self.session.scalar(stmt) or 0)

    def won_since(self, since: datetime) -> list[Row[Any]]:
        """(currency, leads, value) of the leads moved to a won stage since *since* and still won."""
        won_stages = select(PipelineStage.id).where(
            PipelineStage.org_id == self.org_id, PipelineStage.kind == StageKind.WON.value
        )
        moved = select(LeadStatusHistory.lead_id).where(
            LeadStatusHistory.org_id == self.org_id,
            LeadStatusHistory.id >= uuid7_floor(since),
            LeadStatusHistory.created_at >= since,
            LeadStatusHistory.to_stage_id.in_(won_stages),
        )
        stmt = (
            self.scoped(Lead.currency, func.count(Lead.id).label("leads"))
            .add_columns(func.coalesce(func.sum(Lead.value), 0).label("total"))
            .where(Lead.id.in_(moved), Lead.stage_id.in_(won_stages))
            .group_by(Lead.currency)
        )
        return list(self.session.execute(stmt).all())
