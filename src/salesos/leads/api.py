"""Leads JSON API: leads with their notes, tasks and timeline; pipelines, companies, contacts."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request, Response, status
from fastapi.responses import StreamingResponse

from salesos.api.query import query_parameters, validated_query
from salesos.api.schemas import Cursor, Limit, PageOut, page_response, rows_page_response
from salesos.auth.deps import CurrentPrincipal, Writer
from salesos.db.deps import DbSession
from salesos.db.pagination import DEFAULT_LIMIT
from salesos.leads import schemas
from salesos.leads.export import lead_csv_chunks
from salesos.leads.repository import (
    ActivityRepository,
    LeadRepository,
    NoteRepository,
    TaskRepository,
)
from salesos.leads.service import leads as lead_service
from salesos.leads.service import pipelines as pipeline_service
from salesos.leads.service import work as work_service

router = APIRouter(tags=["leads"])


async def lead_filters(request: Request) -> schemas.LeadFilters:
    """The lead list's filters and sort, shared by the list and the CSV export (async: no thread hop)."""
    return validated_query(request, schemas.LeadFilters, declared=("limit", "cursor"))


LeadFilterQuery = Annotated[schemas.LeadFilters, Depends(lead_filters)]
LeadCursor = Annotated[str | None, Query(max_length=1000, description="next_cursor of the previous page")]


def _lead_out(lead: object) -> schemas.LeadOut:
    return schemas.LeadOut.model_validate(lead)


@router.get(
    "/leads", response_model=PageOut[schemas.LeadListOut], openapi_extra=query_parameters(schemas.LeadFilters)
)
def list_leads(
    principal: CurrentPrincipal,
    session: DbSession,
    filters: LeadFilterQuery,
    limit: Limit = DEFAULT_LIMIT,
    # Longer than other cursors: a sorted list's cursor carries the last row's sort value.
    cursor: LeadCursor = None,
) -> Response:
    """Leads matching the filters, in the `sort` order (newest first by default)."""
    page = LeadRepository(session).page(filters, limit=limit, cursor=cursor, text_ids=True)
    return rows_page_response(page)


@router.get(
    "/leads/export.csv",
    response_class=StreamingResponse,
    openapi_extra=query_parameters(schemas.LeadFilters),
    responses={200: {"content": {"text/csv": {}}}},
    summary="Export the filtered lead list as CSV",
)
def export_leads(principal: CurrentPrincipal, filters: LeadFilterQuery) -> StreamingResponse:
    """Every lead matching the filters (the list's filters), with formula cells neutralised."""
    return StreamingResponse(
        lead_csv_chunks(principal.org_id, filters),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": 'attachment; filename="leads.csv"'},
    )


@router.post("/leads", status_code=status.HTTP_201_CREATED, response_model=schemas.LeadOut)
def create_lead(body: schemas.LeadCreateIn, principal: Writer, session: DbSession) -> schemas.LeadOut:
    """Create a lead with a new or existing company and an optional primary contact."""
    return _lead_out(lead_service.create_lead(session, principal, body))


@router.get("/leads/{lead_id}", response_model=schemas.LeadOut)
def get_lead(lead_id: uuid.UUID, principal: CurrentPrincipal, session: DbSession) -> schemas.LeadOut:
    """One lead with its company and primary contact."""
    return _lead_out(lead_service.lead_or_404(session, lead_id))


@router.patch("/leads/{lead_id}", response_model=schemas.LeadOut)
def update_lead(
    lead_id: uuid.UUID, body: schemas.LeadUpdateIn, principal: Writer, session: DbSession
) -> schemas.LeadOut:
    """Change a lead; a stage change is recorded in its history and timeline."""
    lead = lead_service.lead_or_404(session, lead_id)
    changes = body.model_dump(exclude_unset=True)
    return _lead_out(lead_service.update_lead(session, principal, lead, changes))


@router.delete("/leads/{lead_id}", status_code=status.HTTP_204_NO_CONTENT)
def delete_lead(lead_id: uuid.UUID, principal: Writer, session: DbSession) -> None:
    """Delete a lead and everything recorded on it (its company and contacts stay)."""
    lead_service.delete_lead(session, lead_service.lead_or_404(session, lead_id))


@router.get("/leads/{lead_id}/timeline", response_model=PageOut[schemas.ActivityOut])
def timeline(
    lead_id: uuid.UUID,
    principal: CurrentPrincipal,
    session: DbSession,
    limit: Limit = DEFAULT_LIMIT,
    cursor: Cursor = None,
) -> Response:
    """Everything that happened to a lead, newest first."""
    lead = lead_service.lead_or_404(session, lead_id)
    page = ActivityRepository(session).page(lead.id, limit=limit, cursor=cursor)
    return page_response(page.items, page.next_cursor, schemas.ActivityOut)


@router.get("/leads/{lead_id}/notes", response_model=PageOut[schemas.NoteOut])
def list_notes(
    lead_id: uuid.UUID,
    principal: CurrentPrincipal,
    session: DbSession,
    limit: Limit = DEFAULT_LIMIT,
    cursor: Cursor = None,
) -> Response:
    """A lead's notes, newest first."""
    lead = lead_service.lead_or_404(session, lead_id)
    page = NoteRepository(session).page(lead.id, limit=limit, cursor=cursor)
    return page_response(page.items, page.next_cursor, schemas.NoteOut)


@router.post("/leads/{lead_id}/notes", status_code=status.HTTP_201_CREATED, response_model=schemas.NoteOut)
def add_note(
    lead_id: uuid.UUID, body: schemas.NoteIn, principal: Writer, session: DbSession
) -> schemas.NoteOut:
    """Write a Markdown note on a lead."""
    lead = lead_service.lead_or_404(session, lead_id)
    return schemas.NoteOut.model_validate(work_service.add_note(session, principal, lead, body.body))


@router.get("/leads/{lead_id}/notes/{note_id}", response_model=schemas.NoteOut)
def get_note(
    lead_id: uuid.UUID, note_id: uuid.UUID, principal: CurrentPrincipal, session: DbSession
) -> schemas.NoteOut:
    """One note of a lead."""
    lead = lead_service.lead_or_404(session, lead_id)
    return schemas.NoteOut.model_validate(work_service.note_or_404(session, lead, note_id))


@router.patch("/leads/{lead_id}/notes/{note_id}", response_model=schemas.NoteOut)
def edit_note(
    lead_id: uuid.UUID, note_id: uuid.UUID, body: schemas.NoteUpdateIn, principal: Writer, session: DbSession
) -> schemas.NoteOut:
    """Replace a note's text (its author or an admin); people it newly @mentions are notified."""
    lead = lead_service.lead_or_404(session, lead_id)
    note = work_service.note_or_404(session, lead, note_id)
    return schemas.NoteOut.model_validate(work_service.edit_note(session, principal, lead, note, body.body))


@router.delete("/leads/{lead_id}/notes/{note_id}", status_code=status.HTTP_204_NO_CONTENT)
def delete_note(lead_id: uuid.UUID, note_id: uuid.UUID, principal: Writer, session: DbSession) -> None:
    """Delete a note (its author or an admin)."""
    lead = lead_service.lead_or_404(session, lead_id)
    work_service.delete_note(session, principal, lead, work_service.note_or_404(session, lead, note_id))


@router.get("/leads/{lead_id}/tasks", response_model=PageOut[schemas.TaskOut])
def list_tasks(
    lead_id: uuid.UUID,
    principal: CurrentPrincipal,
    session: DbSession,
    limit: Limit = DEFAULT_LIMIT,
    cursor: Cursor = None,
) -> Response:
    """A lead's tasks, newest first."""
    lead = lead_service.lead_or_404(session, lead_id)
    page = TaskRepository(session).page(lead.id, limit=limit, cursor=cursor)
    return page_response(page.items, page.next_cursor, schemas.TaskOut)


@router.post("/leads/{lead_id}/tasks", status_code=status.HTTP_201_CREATED, response_model=schemas.TaskOut)
def add_task(
    lead_id: uuid.UUID, body: schemas.TaskIn, principal: Writer, session: DbSession
) -> schemas.TaskOut:
    """Add a task to a lead."""
    lead = lead_service.lead_or_404(session, lead_id)
    task = work_service.add_task(
        session, principal, lead, title=body.title, due_at=body.due_at, assignee_id=body.assignee_id
    )
    return schemas.TaskOut.model_validate(task)


@router.patch("/leads/{lead_id}/tasks/{task_id}", response_model=schemas.TaskOut)
def update_task(
    lead_id: uuid.UUID, task_id: uuid.UUID, body: schemas.TaskUpdateIn, principal: Writer, session: DbSession
) -> schemas.TaskOut:
    """Mark a task done or undone, or change its title, due time or assignee."""
    lead = lead_service.lead_or_404(session, lead_id)
    task = work_service.task_or_404(session, lead, task_id)
    changes = body.model_dump(exclude_unset=True)
    return schemas.TaskOut.model_validate(work_service.update_task(session, principal, lead, task, changes))


@router.get("/leads/{lead_id}/tasks/{task_id}", response_model=schemas.TaskOut)
def get_task(
    lead_id: uuid.UUID, task_id: uuid.UUID, principal: CurrentPrincipal, session: DbSession
) -> schemas.TaskOut:
    """One task of a lead."""
    lead = lead_service.lead_or_404(session, lead_id)
    return schemas.TaskOut.model_validate(work_service.task_or_404(session, lead, task_id))


@router.delete("/leads/{lead_id}/tasks/{task_id}", status_code=status.HTTP_204_NO_CONTENT)
def delete_task(lead_id: uuid.UUID, task_id: uuid.UUID, principal: Writer, session: DbSession) -> None:
    """Delete a task; a call scheduled with it is cancelled on every calendar."""
    lead = lead_service.lead_or_404(session, lead_id)
    work_service.delete_task(session, principal, lead, work_service.task_or_404(session, lead, task_id))


@router.get("/pipelines", response_model=list[schemas.PipelineOut])
def list_pipelines(principal: CurrentPrincipal, session: DbSession) -> list[schemas.PipelineOut]:
    """The organisation's pipelines with their stages in order."""
    return [schemas.PipelineOut.model_validate(p) for p in pipeline_service.list_pipelines(session)]
