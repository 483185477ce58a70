"""Every query of the leads domain."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Hashable
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement, Row, Uuid, and_, bindparam, func, insert, or_, select, update
from sqlalchemy.orm import lazyload

from salesos.auth.models import User
from salesos.db.base import utcnow, uuid_text
from salesos.db.pagination import Page, paginate
from salesos.db.repository import Repository
from salesos.db.session import USER_KEY
from salesos.db.shaped import ShapedSelect, shaped_select, with_values
from salesos.leads import search, search_repository
from salesos.leads.models import (
    Activity,
    Company,
    Contact,
    Lead,
    LeadStatusHistory,
    Note,
    Pipeline,
    PipelineStage,
    SavedView,
    StageKind,
    Task,
)
from salesos.leads.schemas import ADDED_DAYS, UNOWNED, LeadFilters
from salesos.leads.sorting import SortSpec, cursor_at, sorted_page
from salesos.leads.zones import day_bounds
from salesos.orgs.models import Organization, effective_timezone


class PipelineRepository(Repository[Pipeline]):
    model = Pipeline

    def default(self) -> Pipeline | None:
        """The org's default pipeline, if it has one yet."""
        return self.session.scalars(self.scoped().where(Pipeline.is_default.is_(True))).first()

    def listing(self) -> list[Pipeline]:
        """All pipelines of the org (stages load with them), default first."""
        stmt = self.scoped().order_by(Pipeline.is_default.desc(), Pipeline.name)
        return list(self.session.scalars(stmt))

    def by_name(self, name: str) -> Pipeline | None:
        """The org's pipeline called *name*, ignoring case."""
        stmt = self.scoped().where(func.lower(Pipeline.name) == name.lower())
        return self.session.scalars(stmt).first()

    def make_default(self, pipeline_id: uuid.UUID) -> None:
        """Make one pipeline the org's default and every other one not.

        One UPDATE over all the org's rows: two concurrent calls serialise on the row locks, so
        exactly one default remains whichever commits last.
        """
        stmt = (
            update(Pipeline)
            .where(Pipeline.org_id == self.org_id)
            .values(is_default=Pipeline.id == pipeline_id)
            .execution_options(synchronize_session=False)
        )
        self.session.execute(stmt)
        for obj in list(self.session.identity_map.values()):
            if isinstance(obj, Pipeline):
                self.session.expire(obj, ["is_default"])

    def lead_count(self, pipeline_id: uuid.UUID) -> int:
        """How many leads are on the pipeline."""
        stmt = select(func.count(Lead.id)).where(Lead.org_id == self.org_id, Lead.pipeline_id == pipeline_id)
        return int(self.session.scalar(stmt) or 0)


class StageRepository(Repository[PipelineStage]):
    model = PipelineStage

    def for_pipeline(self, pipeline_id: uuid.UUID) -> list[PipelineStage]:
        """A pipeline's stages in board order."""
        stmt = self.scoped().where(PipelineStage.pipeline_id == pipeline_id)
        return list(self.session.scalars(stmt.order_by(PipelineStage.position, PipelineStage.id)))

    def lead_counts(self) -> dict[uuid.UUID, int]:
        """How many leads sit in each stage of the org (stages without leads are absent)."""
        stmt = select(Lead.stage_id, func.count(Lead.id)).where(Lead.org_id == self.org_id)
        stmt = stmt.group_by(Lead.stage_id)
        return {stage_id: int(n) for stage_id, n in self.session.execute(stmt).all()}

    def leads_in(self, stage_id: uuid.UUID) -> list[Lead]:
        """The leads in one stage, without their company and contact (a bulk move needs neither)."""
        stmt = select(Lead).where(Lead.org_id == self.org_id, Lead.stage_id == stage_id)
        return list(self.session.scalars(stmt.options(lazyload("*")).order_by(Lead.id)))


class CompanyRepository(Repository[Company]):
    model = Company

    def page(self, *, limit: int, cursor: str | None) -> Page[Company]:
        """Companies, newest first."""
        return paginate(self.session, self.scoped(), Company.id, limit=limit, cursor=cursor)


class ContactRepository(Repository[Contact]):
    model = Contact

    def page(self, *, limit: int, cursor: str | None, company_id: uuid.UUID | None = None) -> Page[Contact]:
        """Contacts (of one company, with *company_id*), newest first."""
        stmt = self.scoped()
        if company_id is not None:
            stmt = stmt.where(Contact.company_id == company_id)
        return paginate(self.session, stmt, Contact.id, limit=limit, cursor=cursor)

    def of_company(self, company_id: uuid.UUID) -> list[Contact]:
        """Every contact of a company."""
        return list(self.session.scalars(self.scoped().where(Contact.company_id == company_id)))


LEAD_LIST_COLUMNS = (
    Lead.id,
    Lead.company_id,
    Company.name.label("company_name"),
    Lead.primary_contact_id,
    # A person known only by email or phone has full_name "" (the model's display fallbacks rely on it);
    # the API answers null there, as the contact itself does.
    func.nullif(Contact.full_name, "").label("contact_name"),
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
# The same columns for the API, whose rows go straight to JSON: ids as text (see ``UuidText``).
LEAD_LIST_JSON_COLUMNS = tuple(
    uuid_text(column) if isinstance(column.type, Uuid) else column for column in LEAD_LIST_COLUMNS
)


class LeadRepository(Repository[Lead]):
    model = Lead

    def ids_of_company(self, company_id: uuid.UUID, limit: int) -> list[uuid.UUID]:
        """Up to *limit* ids of the company's leads."""
        stmt = self.scoped(Lead.id).where(Lead.company_id == company_id).limit(limit)
        return list(self.session.scalars(stmt))

    def page(
        self, filters: LeadFilters, *, limit: int, cursor: str | None, text_ids: bool = False
    ) -> Page[Row[Any]]:
        """One page of lead rows matching *filters*, in ``filters.sort`` order (newest first by default).

        *text_ids*: the ids come as canonical text, for a JSON response, instead of ``uuid.UUID``.
        """
        stmt = self._list_rows(text_ids)
        for key, condition, params in self._filters(filters):
            stmt = stmt.where(key, condition, **params)
        return sorted_page(self.session, stmt, SortSpec.parse(filters.sort), limit=limit, cursor=cursor)

    def rows_of(self, filters: LeadFilters, ids: list[uuid.UUID]) -> list[Row[Any]]:
        """The list rows of *ids* that still match *filters* (the list's live refresh of changed rows)."""
        if not ids:
            return []
        stmt = self._list_rows().where("ids", lambda: Lead.id.in_(bindparam("ids", expanding=True)), ids=ids)
        for key, condition, params in self._filters(filters):
            stmt = stmt.where(key, condition, **params)
        return stmt.then("by_id", lambda s: s.order_by(Lead.id)).rows(self.session)

    def _list_rows(self, text_ids: bool = False) -> ShapedSelect:
        """The list's columns over its joins (a shaped select: see ``db.shaped``).

        The company's own org_id bound too: it lets SQLite walk the companies' name index for the
        company sort (it does not carry leads.org_id = ? across the join by itself).
        """
        columns = LEAD_LIST_JSON_COLUMNS if text_ids else LEAD_LIST_COLUMNS
        return shaped_select(
            ("lead_list", text_ids),
            lambda: (
                select(*columns)
                .where(Lead.org_id == bindparam("org_id"))
                .join(Company, (Company.id == Lead.company_id) & (Company.org_id == bindparam("org_id")))
                .outerjoin(Contact, Contact.id == Lead.primary_contact_id)
            ),
            org_id=self.org_id,
        )

    def next_after(self, filters: LeadFilters, lead_id: uuid.UUID) -> Row[Any] | None:
        """The lead after *lead_id* in the list *filters* describe, in its order; None at its end.

        *lead_id* need not match the filters any more: a lead just moved out of a "New" list by the
        person working it still has its place in the order, and the next one is after that place.
        """
        spec = SortSpec.parse(filters.sort)
        here = self._list_rows().where("lead", lambda: Lead.id == bindparam("lead_id"), lead_id=lead_id)
        if spec.by_company:
            here = here.then(
                "company_sort_value", lambda stmt: stmt.add_columns(spec.expression().label("sort_value"))
            )
        rows = here.then("first", lambda stmt: stmt.limit(1)).rows(self.session)
        if not rows:
            return None
        following = self.page(filters, limit=1, cursor=cursor_at(spec, rows[0])).items
        return following[0] if following else None

    def matching_ids(
        self, filters: LeadFilters, *, after: uuid.UUID | None, up_to: uuid.UUID | None, limit: int
    ) -> list[uuid.UUID]:
        """Ids of leads matching *filters*, oldest first, after *after* and at most *up_to* (bulk batches)."""
        # Every filter is on leads or the search terms: no join.
        stmt = self.scoped(Lead.id)
        for condition in self._conditions(filters):
            stmt = stmt.where(condition)
        if after is not None:
            stmt = stmt.where(Lead.id > after)
        if up_to is not None:
            stmt = stmt.where(Lead.id <= up_to)
        return list(self.session.scalars(stmt.order_by(Lead.id).limit(limit)))

    def count_matching(self, filters: LeadFilters) -> int:
        """How many leads match *filters*."""
        # No join: unfiltered, an index-only count of (org_id) (the joins made it 136 ms at 100,000 leads).
        stmt = self.scoped(func.count(Lead.id))
        for condition in self._conditions(filters):
            stmt = stmt.where(condition)
        return int(self.session.scalar(stmt) or 0)

    def known_ids(self, ids: list[uuid.UUID]) -> list[uuid.UUID]:
        """Which of *ids* are leads of this org (in batches: a long IN list is one statement per 500)."""
        found: list[uuid.UUID] = []
        for start in range(0, len(ids), 500):
            stmt = self.scoped(Lead.id).where(Lead.id.in_(ids[start : start + 500]))
            found += self.session.scalars(stmt)
        return found

    def export_details(self, ids: list[uuid.UUID]) -> dict[uuid.UUID, Row[Any]]:
        """What the CSV export adds to a page of list rows: the contact's and the company's details."""
        if not ids:
            return {}
        stmt = (
            self.scoped(Lead.id, *EXPORT_DETAILS)
            .join(Company, Company.id == Lead.company_id)
            .outerjoin(Contact, Contact.id == Lead.primary_contact_id)
            .where(Lead.id.in_(ids))
        )
        return {row.id: row for row in self.session.execute(stmt)}

    def by_ids(self, ids: list[uuid.UUID]) -> list[Lead]:
        """This org's leads among *ids* (foreign and unknown ids are simply absent)."""
        if not ids:
            return []
        return list(self.session.scalars(self.scoped().where(Lead.id.in_(ids)).order_by(Lead.id)))

    def count_of_company(self, company_id: uuid.UUID) -> int:
        """How many leads of this org are for *company_id*."""
        return self.count(self.scoped(Lead.id).where(Lead.company_id == company_id))

    def others_through(self, contact_id: uuid.UUID, company_id: uuid.UUID, lead_id: uuid.UUID) -> int:
        """How many leads of *company_id* other than *lead_id* have *contact_id* as their primary contact."""
        stmt = self.scoped(Lead.id).where(
            Lead.company_id == company_id, Lead.primary_contact_id == contact_id, Lead.id != lead_id
        )
        return self.count(stmt)

    def count_owned_by(self, user_id: uuid.UUID) -> int:
        """How many leads *user_id* owns (an index range of (org_id, owner_id))."""
        return int(self.session.scalar(self.scoped(func.count(Lead.id)).where(Lead.owner_id == user_id)) or 0)

    def hand_over(self, from_id: uuid.UUID, to_id: uuid.UUID | None, at: datetime) -> list[uuid.UUID]:
        """Give every lead of *from_id* to *to_id* (None: nobody) in one UPDATE; the ids of those leads.

        Set-based for a member with thousands of leads, so leads loaded in this session are not
        refreshed (the caller ends the request without reading them again).
        """
        stmt = (
            update(Lead)
            .where(Lead.org_id == self.org_id, Lead.owner_id == from_id)
            .values(owner_id=to_id, updated_at=at)
            .returning(Lead.id)
            .execution_options(synchronize_session=False)
        )
        return list(self.session.scalars(stmt))

    def _reader_zone(self) -> str:
        """The session's user's time zone, else the organisation's: where "today" ends for them.

        Both by primary key, so a request that already loaded them (every page does) asks nothing.
        """
        user_id = self.session.info.get(USER_KEY)
        user = self.session.get(User, user_id) if user_id is not None else None
        return effective_timezone(user, self.session.get(Organization, self.org_id))

    def _conditions(self, f: LeadFilters) -> list[ColumnElement[bool]]:
        """The filters as conditions with their values in them, for statements built per call."""
        return [with_values(condition(), params) for _key, condition, params in self._filters(f)]

    def _filters(
        self, f: LeadFilters
    ) -> list[tuple[Hashable, Callable[[], ColumnElement[bool]], dict[str, Any]]]:
        """Each filter *f* sets, as a shaped select's step: (key, condition, its parameters)."""
        steps: list[tuple[Hashable, Callable[[], ColumnElement[bool]], dict[str, Any]]] = []
        if f.stage_id is not None:
            steps.append(("stage", lambda: Lead.stage_id == bindparam("stage_id"), {"stage_id": f.stage_id}))
        if f.owner_id == UNOWNED:
            steps.append(("unowned", lambda: Lead.owner_id.is_(None), {}))
        elif f.owner_id is not None:
            steps.append(("owner", lambda: Lead.owner_id == bindparam("owner_id"), {"owner_id": f.owner_id}))
        if f.source is not None:
            steps.append(("source", lambda: Lead.source == bindparam("source"), {"source": f.source}))
        if f.tier is not None:
            steps.append(("tier", lambda: Lead.tier == bindparam("tier"), {"tier": f.tier}))
        if f.created_after is not None:
            after = {"created_after": f.created_after}
            steps.append(("created_after", lambda: Lead.created_at >= bindparam("created_after"), after))
        if f.created_before is not None:
            before = {"created_before": f.created_before}
            steps.append(("created_before", lambda: Lead.created_at < bindparam("created_before"), before))
        if f.added is not None:
            since = {"added_since": utcnow() - timedelta(days=ADDED_DAYS[f.added])}
            steps.append(("added_since", lambda: Lead.created_at >= bindparam("added_since"), since))
        org = {"org_id": self.org_id}
        if f.follow_up in ("due", "today"):
            now = utcnow()
            due = {"due_by": now if f.follow_up == "due" else day_bounds(self._reader_zone(), now)[1], **org}
            steps.append(("follow_up_due", _follow_up_due, due))
        elif f.follow_up == "none":
            steps.append(("follow_up_none", lambda: Lead.next_follow_up_at.is_(None), {}))
        if f.tag:
            steps.append(("tag", search_repository.tagged, {**org, "tag_term": search.tag_term(f.tag)}))
        if f.q:
            ranges = search.prefix_ranges(f.q)
            words = len(ranges)
            params = {**org, **search_repository.range_params(ranges)}
            steps.append((("q", words), lambda: search_repository.matching(words), params))
        return steps


def _follow_up_due() -> ColumnElement[bool]:
    """Planned before ``due_by``, on a lead still being worked, as the dashboard counts it: a won or
    lost lead's old follow-up date is no longer a to-do."""
    open_stages = select(PipelineStage.id).where(
        PipelineStage.org_id == bindparam("org_id"), PipelineStage.kind == StageKind.OPEN.value
    )
    return and_(Lead.next_follow_up_at < bindparam("due_by"), Lead.stage_id.in_(open_stages))


# The export's columns beyond the list's, labelled as its header names them.
EXPORT_DETAILS = (
    Contact.first_name, Contact.last_name, Contact.title, Contact.phone, Contact.linkedin_url,
    Company.phone.label("company_phone"), Company.website, Company.address, Company.city, Company.region,
    Company.postal_code, Company.country, Company.industry, Lead.lost_reason,
)  # fmt: skip


class HistoryRepository(Repository[LeadStatusHistory]):
    model = LeadStatusHistory

    def for_lead(self, lead_id: uuid.UUID) -> list[LeadStatusHistory]:
        """A lead's stage changes, oldest first."""
        stmt = self.scoped().where(LeadStatusHistory.lead_id == lead_id)
        return list(self.session.scalars(stmt.order_by(LeadStatusHistory.id)))

    def came_from(self, lead_id: uuid.UUID, stage_id: uuid.UUID) -> uuid.UUID | None:
        """The stage the lead was in before its latest move into *stage_id* (None: it started there)."""
        stmt = self.scoped(LeadStatusHistory.from_stage_id).where(
            LeadStatusHistory.lead_id == lead_id, LeadStatusHistory.to_stage_id == stage_id
        )
        return self.session.scalar(stmt.order_by(LeadStatusHistory.id.desc()).limit(1))


class NoteRepository(Repository[Note]):
    model = Note

    def page(self, lead_id: uuid.UUID, *, limit: int, cursor: str | None) -> Page[Note]:
        """A lead's notes, newest first."""
        stmt = self.scoped().where(Note.lead_id == lead_id)
        return paginate(self.session, stmt, Note.id, limit=limit, cursor=cursor)


class TaskRepository(Repository[Task]):
    model = Task

    def coming_due(self, *, since: datetime, until: datetime) -> list[Row[Any]]:
        """Open, unreminded tasks due in (since, until], with the lead's owner (the fallback recipient)."""
        stmt = (
            self.scoped(Task.id, Task.lead_id, Task.title, Task.due_at, Task.assignee_id, Lead.owner_id)
            .join(Lead, Lead.id == Task.lead_id)
            .where(
                Task.done_at.is_(None),
                Task.reminded_at.is_(None),
                Task.due_at > since,
                Task.due_at <= until,
            )
            .order_by(Task.due_at)
        )
        return list(self.session.execute(stmt))

    def claim_reminder(self, task_id: uuid.UUID, at: datetime) -> bool:
        """Mark the task reminded unless someone already did: True for exactly one caller."""
        stmt = (
            update(Task)
            .where(Task.org_id == self.org_id, Task.id == task_id, Task.reminded_at.is_(None))
            .values(reminded_at=at)
            .execution_options(synchronize_session=False)
        )
        return self.session.execute(stmt).rowcount == 1  # type: ignore[attr-defined]

    def count_open_assigned_to(self, user_id: uuid.UUID) -> int:
        """How many tasks not yet done are assigned to *user_id*."""
        stmt = self.scoped(func.count(Task.id)).where(Task.assignee_id == user_id, Task.done_at.is_(None))
        return int(self.session.scalar(stmt) or 0)

    def hand_over_open(self, from_id: uuid.UUID, to_id: uuid.UUID | None, at: datetime) -> list[uuid.UUID]:
        """Assign every open task of *from_id* to *to_id* (None: nobody) in one UPDATE; their leads' ids.

        Done tasks keep who did them. A reminder already sent went to the previous assignee, so the new
        one is reminded again. Like ``LeadRepository.hand_over``, loaded tasks are not refreshed.
        """
        stmt = (
            update(Task)
            .where(Task.org_id == self.org_id, Task.assignee_id == from_id, Task.done_at.is_(None))
            .values(assignee_id=to_id, reminded_at=None, updated_at=at)
            .returning(Task.lead_id)
            .execution_options(synchronize_session=False)
        )
        return list(self.session.scalars(stmt))

    def page(self, lead_id: uuid.UUID, *, limit: int, cursor: str | None) -> Page[Task]:
        """A lead's tasks, newest first."""
        stmt = self.scoped().where(Task.lead_id == lead_id)
        return paginate(self.session, stmt, Task.id, limit=limit, cursor=cursor)


class ActivityRepository(Repository[Activity]):
    model = Activity

    def add_many(self, rows: list[dict[str, Any]]) -> None:
        """Insert timeline entries (same keys each) in one statement, stamped with the tenant."""
        if rows:
            self.session.execute(insert(Activity), [{"org_id": self.org_id, **row} for row in rows])

    def page(self, lead_id: uuid.UUID, *, limit: int, cursor: str | None) -> Page[Activity]:
        """A lead's timeline, newest first."""
        stmt = self.scoped().where(Activity.lead_id == lead_id)
        return paginate(self.session, stmt, Activity.id, limit=limit, cursor=cursor)


class LeadMatchRepository(Repository[Lead]):
    """Exact-match lookups for dedup (intake, import): the oldest lead with the same key wins."""

    model = Lead

    def _first(self, condition: Any) -> Lead | None:
        # One indexed probe per key ((org_id, email_key), (org_id, phone), (org_id, domain)); oldest wins.
        return self.session.scalars(self.scoped().where(condition).order_by(Lead.id).limit(1)).first()

    def by_contact_email_key(self, key: str) -> Lead | None:
        """The oldest lead whose primary contact's address has this key (``keys.email_key``)."""
        ids = select(Contact.id).where(Contact.org_id == self.org_id, Contact.email_key == key)
        return self._first(Lead.primary_contact_id.in_(ids))

    def by_contact_phone(self, phone: str) -> Lead | None:
        """The oldest lead whose primary contact has *phone*."""
        ids = select(Contact.id).where(Contact.org_id == self.org_id, Contact.phone == phone)
        return self._first(Lead.primary_contact_id.in_(ids))

    def by_company_domain(self, domain: str) -> Lead | None:
        """The oldest lead of a company with *domain*."""
        ids = select(Company.id).where(Company.org_id == self.org_id, Company.domain == domain)
        return self._first(Lead.company_id.in_(ids))

    def by_company_name(self, name: str) -> Lead | None:
        """The oldest lead of a company called *name*, ignoring case (the (org_id, lower(name)) index)."""
        named = func.lower(Company.name) == " ".join(name.split()).lower()
        ids = select(Company.id).where(Company.org_id == self.org_id, named)
        return self._first(Lead.company_id.in_(ids))


class SavedViewRepository(Repository[SavedView]):
    model = SavedView

    def visible_to(self, user_id: uuid.UUID) -> list[SavedView]:
        """*user_id*'s own views and the org's shared ones, by name."""
        stmt = self.scoped().where(or_(SavedView.user_id == user_id, SavedView.shared.is_(True)))
        return list(self.session.scalars(stmt.order_by(func.lower(SavedView.name), SavedView.id)))

    def visible(self, view_id: uuid.UUID, user_id: uuid.UUID) -> SavedView | None:
        """One view *user_id* may see (own or shared); someone else's private view looks missing."""
        stmt = self.scoped().where(
            SavedView.id == view_id, or_(SavedView.user_id == user_id, SavedView.shared.is_(True))
        )
        return self.session.scalars(stmt).first()

    def named(self, user_id: uuid.UUID, name: str) -> SavedView | None:
        """*user_id*'s view called *name* (names are unique per owner)."""
        stmt = self.scoped().where(SavedView.user_id == user_id, SavedView.name == name)
        return self.session.scalars(stmt).first()

    def filtering_on_stage(self, stage_id: uuid.UUID) -> list[SavedView]:
        """Every view of the org (anyone's, shared or not) whose stage filter is *stage_id*."""
        # Views store their filters as JSON, ids as canonical text (``model_dump(mode="json")``).
        stmt = self.scoped().where(SavedView.filters["stage_id"].as_string() == str(stage_id))
        return list(self.session.scalars(stmt.order_by(SavedView.id)))
