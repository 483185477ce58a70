"""Tasks across leads (/tasks), and a task's edit, reopen and delete actions on the lead page.

The dashboard shows today's first few; this page is the whole to-do list: overdue, today, upcoming and
undated, the reader's own (assigned to them, or unassigned on their leads) or everyone's.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Annotated, Any

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import HTMLResponse, Response

from salesos.auth.deps import CurrentPrincipal, Writer
from salesos.auth.principal import Principal
from salesos.db.deps import DbSession
from salesos.errors import DomainError
from salesos.leads import board, schemas
from salesos.leads.action_views import reader_timezone, render_detail
from salesos.leads.board_repository import BoardRepository, user_names
from salesos.leads.dashboard_repository import DashboardRepository
from salesos.leads.service import leads as lead_service
from salesos.leads.service import work as work_service
from salesos.leads.zones import day_bounds
from salesos.orgs.models import Role
from salesos.web.forms import FormErrors, attempt, domain_errors, validate
from salesos.web.pages import page, see_other

router = APIRouter(include_in_schema=False)
Text = Annotated[str, Form()]
GROUP_ROWS = 100  # per group; the group says when there are more
NOTICES = {"done": "Task done."}


@dataclass
class TaskGroup:
    """One heading of the task list and its tasks (at most GROUP_ROWS of them)."""

    key: str
    title: str
    tasks: list[Any]
    more: bool

    @property
    def count(self) -> str:
        return f"{GROUP_ROWS}+" if self.more else str(len(self.tasks))


def task_groups(session: DbSession, user_id: uuid.UUID | None, tz: str, now: datetime) -> list[TaskGroup]:
    """The open tasks of *user_id* (everyone's when None) in the reader's day: one query per group."""
    day_start, day_end = day_bounds(tz, now)
    repository = DashboardRepository(session)
    spans: list[tuple[str, str, dict[str, Any]]] = [
        ("overdue", "Overdue", {"due_before": day_start}),
        ("today", "Today", {"due_from": day_start, "due_before": day_end}),
        ("upcoming", "Upcoming", {"due_from": day_end}),
        ("undated", "No due date", {"undated": True}),
    ]
    groups = []
    for key, title, span in spans:
        rows = repository.open_tasks(user_id, limit=GROUP_ROWS + 1, **span)
        groups.append(TaskGroup(key, title, rows[:GROUP_ROWS], len(rows) > GROUP_ROWS))
    return groups


@router.get("/tasks", response_class=HTMLResponse)
def tasks_page(
    request: Request,
    principal: CurrentPrincipal,
    session: DbSession,
    who: Annotated[str, Query(max_length=10)] = "me",  # anything but "all" is the reader's own
    done: str = "",
) -> Response:
    """Open tasks by when they are due: the reader's own, or everyone's (``?who=all``)."""
    tz = reader_timezone(session, principal)
    mine = who != "all" and principal.user_id is not None
    groups = task_groups(session, principal.user_id if mine else None, tz, datetime.now(UTC))
    people = {row.assignee_id or row.owner_id for group in groups for row in group.tasks}
    context = {
        "groups": groups,
        "who": "me" if mine else "all",
        "tz": tz,
        "names": user_names(BoardRepository(session), {p for p in people if p is not None}),
        "can_write": principal.has_role(Role.MEMBER),
        "notice": NOTICES.get(done),
    }
    return page(request, session, principal, "leads/tasks.html", context)


def _refused(
    request: Request,
    session: DbSession,
    principal: Principal,
    lead: Any,
    task_id: uuid.UUID,
    errors: FormErrors,
) -> HTMLResponse:
    """The lead page with the task's edit form open and its errors shown."""
    session.refresh(lead)
    return render_detail(request, session, principal, lead, 422, task_edit_errors={str(task_id): errors})


@router.post("/leads/{lead_id}/tasks/{task_id}/edit", response_class=HTMLResponse)
def edit_task(
    request: Request,
    lead_id: uuid.UUID,
    task_id: uuid.UUID,
    principal: Writer,
    session: DbSession,
    title: Text = "",
    due_at: Text = "",
    assignee: Text = "",
) -> Response:
    """Rename, reschedule or reassign a task (its reminder and any scheduled call follow the new time)."""
    lead = lead_service.lead_or_404(session, lead_id)
    task = work_service.task_or_404(session, lead, task_id)
    try:
        due = board.parse_local(due_at, reader_timezone(session, principal))
    except ValueError:
        unreadable = {"due_at": "Enter a date and time."}
        return _refused(request, session, principal, lead, task.id, unreadable)
    data = {"title": title.strip(), "due_at": due, "assignee_id": assignee or None}
    form, errors = validate(schemas.TaskUpdateIn, data)
    if form is None:
        return _refused(request, session, principal, lead, task.id, errors)
    changes = {"title": form.title, "due_at": form.due_at, "assignee_id": form.assignee_id}
    shown = board.local_input(task.due_at, reader_timezone(session, principal)) if task.due_at else ""
    if task.due_at and due_at.strip() == shown:
        changes["due_at"] = task.due_at  # untouched: the input shows minutes, keep the stored seconds
    try:
        with attempt(session):
            work_service.update_task(session, principal, lead, task, changes)
    except DomainError as exc:
        return _refused(request, session, principal, lead, task.id, domain_errors(exc, "title"))
    return see_other(f"/leads/{lead.id}?done=task-saved#tasks")


@router.post("/leads/{lead_id}/tasks/{task_id}/reopen")
def reopen_task(lead_id: uuid.UUID, task_id: uuid.UUID, principal: Writer, session: DbSession) -> Response:
    """Put a done task back on the list."""
    lead = lead_service.lead_or_404(session, lead_id)
    task = work_service.task_or_404(session, lead, task_id)
    work_service.update_task(session, principal, lead, task, {"done": False})
    return see_other(f"/leads/{lead.id}?done=task-reopened#tasks")


@router.post("/leads/{lead_id}/tasks/{task_id}/delete")
def delete_task(lead_id: uuid.UUID, task_id: uuid.UUID, principal: Writer, session: DbSession) -> Response:
    """Delete a task after the page's "Delete…" confirmation (a call scheduled with it is cancelled)."""
    lead = lead_service.lead_or_404(session, lead_id)
    work_service.delete_task(session, principal, lead, work_service.task_or_404(session, lead, task_id))
    return see_other(f"/leads/{lead.id}?done=task-deleted#tasks")
