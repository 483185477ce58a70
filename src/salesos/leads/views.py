"""Leads HTML pages: the pipeline board (columns, paging, moves, live refresh), lead detail, new lead."""

from __future__ import annotations

import uuid
from typing import Annotated, Any

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import HTMLResponse, Response

from salesos.api.schemas import Cursor
from salesos.auth.deps import CurrentPrincipal, Writer
from salesos.auth.principal import Principal
from salesos.db.deps import DbSession
from salesos.errors import DomainError, NotFound, ValidationFailed
from salesos.leads import board, schemas, timeline
from salesos.leads.action_views import parse_expected, reader_timezone, render_detail, stage_changed_meanwhile
from salesos.leads.action_views import router as action_router
from salesos.leads.board_repository import BoardRepository
from salesos.leads.contact_views import router as contact_router
from salesos.leads.edit_views import router as edit_router
from salesos.leads.follow_up_views import router as follow_up_router
from salesos.leads.merge_views import router as merge_router
from salesos.leads.new_lead_views import router as new_lead_router
from salesos.leads.note_views import router as note_router
from salesos.leads.repository import PipelineRepository, StageRepository
from salesos.leads.service import leads as lead_service
from salesos.leads.service import work as work_service
from salesos.leads.task_views import router as task_router
from salesos.orgs.models import Role
from salesos.orgs.repository import MembershipRepository
from salesos.web.forms import FormErrors, attempt, domain_errors, local_path, validate
from salesos.web.pages import is_htmx, page, see_other
from salesos.web.templating import templates

router = APIRouter(include_in_schema=False)
# The workspace actions live in their own module; they are served with the rest of the leads pages.
router.include_router(action_router)
router.include_router(edit_router)
router.include_router(note_router)
router.include_router(contact_router)
router.include_router(follow_up_router)
# Before /leads/{lead_id}: "/leads/new" is not a lead id.
router.include_router(new_lead_router)
router.include_router(task_router)
# Before /leads/{lead_id}: "/leads/duplicates" is not a lead id.
router.include_router(merge_router)
Text = Annotated[str, Form()]
Limit = Annotated[int, Query(ge=1, le=board.MAX_COLUMN_PAGE)]
Filter = Annotated[str, Query(max_length=200)]
NOTICES = {
    "created": "Lead created.",
    "moved": "Stage changed.",
    "stage-same": "Nothing changed: the lead is already at that stage.",
    "note": "Note added.",
    "task": "Task added.",
    "done": "Task done.",
    "done-follow-up": "Task done; the due follow-up is cleared. Plan the next one under Next follow-up.",
    "email": "Email logged.",
    "call": "Call logged.",
    "scheduled": "Call scheduled.",
    "call-cancelled": "Call cancelled.",
    "call-moved": "Call moved.",
    "owner": "Owner changed.",
    "owner-same": "Nothing changed: that is already the owner.",
    "saved": "Changes saved.",
    "task-saved": "Task saved.",
    "task-reopened": "Task reopened.",
    "task-deleted": "Task deleted.",
    "note-saved": "Note saved.",
    "note-deleted": "Note deleted.",
    "contact-added": "Contact added.",
    "contact-saved": "Contact saved.",
    "contact-removed": "Contact removed.",
    "primary": "Primary contact changed.",
    "follow-up": "Follow-up planned.",
    "follow-up-cleared": "Follow-up cleared.",
    "merged": "Leads merged.",
    "dismissed": "Marked as not a duplicate.",
}

templates.env.filters["money"] = board.money
templates.env.filters["initials"] = board.initials
templates.env.filters["stage_options"] = board.stage_options
templates.env.filters["local_time"] = board.local_time
templates.env.filters["local_day"] = board.local_day
templates.env.tests["due"] = board.is_due
templates.env.tests["follow_up_due"] = board.follow_up_due
templates.env.filters["local_input"] = board.local_input


def _common(principal: Principal, filters: schemas.LeadFilters) -> dict[str, Any]:
    can_write = principal.has_role(Role.MEMBER)
    return {"can_write": can_write, "filters": filters, "fq": board.filter_query(filters)}


def _uuid_or_none(value: str) -> uuid.UUID | None:
    try:
        return uuid.UUID(value) if value else None
    except ValueError:
        return None  # an unreadable pipeline id shows the default board


@router.get("/leads", response_class=HTMLResponse)
def board_page(
    request: Request,
    principal: CurrentPrincipal,
    session: DbSession,
    owner: Filter = "",
    tag: Filter = "",
    q: Filter = "",
    pipeline: Filter = "",
    limit: Limit = board.COLUMN_PAGE,
) -> Response:
    """A pipeline's board (the default one unless ?pipeline= names another); HTMX gets just the board."""
    filters = board.board_filters(owner, tag, q)
    shown = board.pipeline_for(session, _uuid_or_none(pipeline))
    columns = board.columns(session, filters, limit, shown)
    context = {
        **_common(principal, filters),
        "columns": columns,
        "stages": [c.head.stage for c in columns],
        "open_stage_ids": board.open_stage_ids(c.head.stage for c in columns),
        "limit": limit,
        "pipeline": shown,
    }
    if is_htmx(request):
        return page(request, session, principal, "leads/_pipeline_board.html", context)
    context["members"] = MembershipRepository(session).listing()
    context["pipelines"] = PipelineRepository(session).listing()
    return page(request, session, principal, "leads/board.html", context)


@router.get("/leads/board/column/{stage_id}", response_class=HTMLResponse)
def column_cards(
    request: Request,
    stage_id: uuid.UUID,
    principal: CurrentPrincipal,
    session: DbSession,
    cursor: Annotated[str, Query(max_length=200)] = "",
    owner: Filter = "",
    tag: Filter = "",
    q: Filter = "",
    limit: Limit = board.COLUMN_PAGE,
) -> Response:
    """The next page of one column's cards, with its own "Load more" button."""
    stage = StageRepository(session).get(stage_id)
    if stage is None:
        raise NotFound("Stage not found.")
    filters = board.board_filters(owner, tag, q)
    found = BoardRepository(session).column_page(stage_id, filters, limit=limit, cursor=cursor or None)
    context = {
        **_common(principal, filters),
        "stage": stage,
        "cards": found.items,
        "next_cursor": found.next_cursor,
        "stages": board.stages(session, stage.pipeline_id),
        "open_stage_ids": board.open_stage_ids([stage]),
        "limit": limit,
    }
    return page(request, session, principal, "leads/_cards.html", context)


def _card_update(
    request: Request,
    session: DbSession,
    principal: Principal,
    lead_id: uuid.UUID | None,
    filters: Any,
    pipeline_id: uuid.UUID | None = None,
) -> HTMLResponse:
    """The lead's card (if it still matches the filters) and its pipeline's column heads, to patch in."""
    stage_list = board.stages(session, pipeline_id)
    context = {
        **_common(principal, filters),
        "card": BoardRepository(session).card(lead_id, filters) if lead_id else None,
        "heads": board.heads(session, filters, stage_list),
        "stages": stage_list,
        "open_stage_ids": board.open_stage_ids(stage_list),
        "lead_id": lead_id,
    }
    return page(request, session, principal, "leads/_card_update.html", context)


@router.get("/leads/board/heads", response_class=HTMLResponse)
def column_heads(
    request: Request,
    principal: CurrentPrincipal,
    session: DbSession,
    pipeline: Filter = "",
    owner: Filter = "",
    tag: Filter = "",
    q: Filter = "",
) -> Response:
    """Just the column heads: how a board catches up with a lead deleted elsewhere (it has no card left)."""
    filters = board.board_filters(owner, tag, q)
    return _card_update(request, session, principal, None, filters, _uuid_or_none(pipeline))


@router.get("/leads/{lead_id}/card", response_class=HTMLResponse)
def lead_card(
    request: Request,
    lead_id: uuid.UUID,
    principal: CurrentPrincipal,
    session: DbSession,
    owner: Filter = "",
    tag: Filter = "",
    q: Filter = "",
) -> Response:
    """One card and the column heads: how the board catches up with another user's change."""
    lead = lead_service.lead_or_404(session, lead_id)
    filters = board.board_filters(owner, tag, q)
    return _card_update(request, session, principal, lead_id, filters, lead.pipeline_id)


@router.post("/leads/{lead_id}/stage", response_class=HTMLResponse)
def move_lead(
    request: Request,
    lead_id: uuid.UUID,
    principal: Writer,
    session: DbSession,
    stage_id: Text = "",
    expected_stage_id: Text = "",
    lost_reason: Text = "",
    return_to: Text = "",
    owner: Text = "",
    tag: Text = "",
    q: Text = "",
) -> Response:
    """Move a lead to another stage (a lost stage needs a reason); the board gets the card back.

    *expected_stage_id* is the stage the form (or card) showed. When the lead has moved since, the move is
    refused rather than silently undoing someone else's, unless it asks for the stage the lead is in now.
    """
    lead = lead_service.lead_or_404(session, lead_id)
    values = {"stage_id": stage_id or None, "lost_reason": lost_reason.strip() or None}
    form, errors = validate(schemas.LeadUpdateIn, values)
    status = 422
    if form is not None:
        try:
            with attempt(session):
                if form.stage_id is None:
                    raise ValidationFailed("Choose a stage.", field="stage_id")
                seen = parse_expected(expected_stage_id)
                if seen is not False and seen != lead.stage_id and form.stage_id != lead.stage_id:
                    # The form's choice was made against the old stage: the page shows the current one.
                    values["stage_id"] = None
                    raise stage_changed_meanwhile(session, principal, lead)
                moved = lead_service.move_stage(
                    session, lead, form.stage_id, actor_id=principal.user_id, lost_reason=form.lost_reason
                )
            if is_htmx(request):
                filters = board.board_filters(owner, tag, q)
                return _card_update(request, session, principal, lead.id, filters, lead.pipeline_id)
            done = "moved" if moved or form.lost_reason else "stage-same"
            return see_other(local_path(return_to, f"/leads/{lead.id}?done={done}"))
        except DomainError as exc:
            errors, status = domain_errors(exc, "stage_id"), exc.status_code
    if is_htmx(request):
        message = next(iter(errors.values()))
        return page(request, session, principal, "leads/_move_error.html", {"message": message}, status)
    session.refresh(lead)
    return render_detail(request, session, principal, lead, status, stage_errors=errors, stage_values=values)


@router.get("/leads/{lead_id}", response_class=HTMLResponse)
def lead_page(
    request: Request, lead_id: uuid.UUID, principal: CurrentPrincipal, session: DbSession, done: str = ""
) -> Response:
    """The lead workspace: header, stage, timeline, notes, tasks, contacts and map links."""
    lead = lead_service.lead_or_404(session, lead_id)
    return render_detail(request, session, principal, lead, notice=NOTICES.get(done))


@router.get("/leads/{lead_id}/timeline", response_class=HTMLResponse)
def older_timeline(
    request: Request,
    lead_id: uuid.UUID,
    principal: CurrentPrincipal,
    session: DbSession,
    cursor: Cursor = None,
) -> Response:
    """The next page of the lead's timeline (the lead page's "Show older")."""
    lead = lead_service.lead_or_404(session, lead_id)
    stage_names = {str(s.id): s.name for s in board.stages(session, lead.pipeline_id)}
    older = timeline.timeline_page(session, lead, stage_names, cursor)
    context = {"lead": lead, "timeline": older.entries, "timeline_cursor": older.next_cursor}
    context["tz"] = reader_timezone(session, principal)
    return page(request, session, principal, "leads/_timeline_items.html", context)


@router.get("/leads/{lead_id}/notes", response_class=HTMLResponse)
def older_notes(
    request: Request,
    lead_id: uuid.UUID,
    principal: CurrentPrincipal,
    session: DbSession,
    cursor: Cursor = None,
) -> Response:
    """The next page of the lead's notes (the lead page's "Show older notes")."""
    lead = lead_service.lead_or_404(session, lead_id)
    older = timeline.notes_page(session, lead, cursor)
    context = {"lead": lead, "notes": older.notes, "notes_cursor": older.next_cursor}
    context["can_write"] = principal.has_role(Role.MEMBER)  # the notes' Edit and Delete… controls
    context["tz"] = reader_timezone(session, principal)
    return page(request, session, principal, "leads/_note_items.html", context)


@router.post("/leads/{lead_id}/notes", response_class=HTMLResponse)
def add_note(
    request: Request, lead_id: uuid.UUID, principal: Writer, session: DbSession, body: Text = ""
) -> Response:
    """Write a note on the lead."""
    lead = lead_service.lead_or_404(session, lead_id)
    form, errors = validate(schemas.NoteIn, {"body": body.strip()})
    if form is not None:
        work_service.add_note(session, principal, lead, form.body)
        return see_other(f"/leads/{lead.id}?done=note#notes")
    return render_detail(request, session, principal, lead, 422, note_errors=errors, note_body=body)


@router.post("/leads/{lead_id}/tasks", response_class=HTMLResponse)
def add_task(
    request: Request,
    lead_id: uuid.UUID,
    principal: Writer,
    session: DbSession,
    title: Text = "",
    due_at: Text = "",
    assignee: Text = "",
) -> Response:
    """Add a task, due at a time given in the caller's timezone (the form's label names it), for the lead's
    owner (no assignee: it follows the lead to whoever owns it) or a member named by *assignee*."""
    lead = lead_service.lead_or_404(session, lead_id)
    values = {"title": title, "due_at": due_at, "assignee": assignee}
    try:
        due = board.parse_local(due_at, reader_timezone(session, principal))
    except ValueError:
        errors: FormErrors = {"due_at": "Enter a date and time."}
    else:
        data = {"title": title.strip(), "due_at": due, "assignee_id": assignee or None}
        form, errors = validate(schemas.TaskIn, data)
        if form is not None:
            try:
                with attempt(session):
                    work_service.add_task(
                        session,
                        principal,
                        lead,
                        title=form.title,
                        due_at=form.due_at,
                        assignee_id=form.assignee_id,
                    )
            except DomainError as exc:
                errors = domain_errors(exc, "assignee_id")
            else:
                return see_other(f"/leads/{lead.id}?done=task#tasks")
    return render_detail(request, session, principal, lead, 422, task_errors=errors, task_values=values)


@router.post("/leads/{lead_id}/tasks/{task_id}/done")
def complete_task(
    lead_id: uuid.UUID, task_id: uuid.UUID, principal: Writer, session: DbSession, return_to: Text = ""
) -> Response:
    """Mark a task done; back to the lead, or to the page that asked (the task list)."""
    lead = lead_service.lead_or_404(session, lead_id)
    task = work_service.task_or_404(session, lead, task_id)
    planned = lead.next_follow_up_at
    work_service.update_task(session, principal, lead, task, {"done": True})
    # Working the lead clears a follow-up that was due; the notice says so, next to the buttons to plan one.
    done = "done-follow-up" if planned is not None and lead.next_follow_up_at is None else "done"
    return see_other(local_path(return_to, f"/leads/{lead.id}?done={done}#tasks"))
