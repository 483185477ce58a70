"""Merging leads: the merge itself, and the duplicate suggestions a person confirms or dismisses."""

from __future__ import annotations

import uuid

from fastapi import APIRouter, Response, status

from salesos.api.schemas import Cursor, Limit, PageOut, page_response
from salesos.auth.deps import CurrentPrincipal, Writer
from salesos.db.deps import DbSession
from salesos.db.pagination import DEFAULT_LIMIT
from salesos.errors import ValidationFailed
from salesos.leads import merge_schemas as out
from salesos.leads import schemas
from salesos.leads.merge_repository import MergeSuggestionRepository
from salesos.leads.repository import LeadRepository
from salesos.leads.service import duplicates
from salesos.leads.service import leads as lead_service
from salesos.leads.service import merge as merge_service

router = APIRouter(tags=["leads"])


@router.post("/leads/{lead_id}/merge", response_model=schemas.LeadOut)
def merge_leads(
    lead_id: uuid.UUID, body: out.MergeIn, principal: Writer, session: DbSession
) -> schemas.LeadOut:
    """Merge another lead into this one: notes, tasks, timeline and history move here; the other goes."""
    keep = lead_service.lead_or_404(session, lead_id)
    other = LeadRepository(session).get(body.other_lead_id)
    if other is None:
        raise ValidationFailed("Unknown lead.", field="other_lead_id")
    merged = merge_service.merge_leads(session, principal, keep, other)
    return schemas.LeadOut.model_validate(merged)


@router.get("/merge-suggestions", response_model=PageOut[out.MergeSuggestionOut])
def list_suggestions(
    principal: CurrentPrincipal,
    session: DbSession,
    lead_id: uuid.UUID | None = None,
    limit: Limit = DEFAULT_LIMIT,
    cursor: Cursor = None,
) -> Response:
    """Open duplicate suggestions, newest first; with ``lead_id``, those of one lead, best first."""
    repo = MergeSuggestionRepository(session)
    if lead_id is not None:
        items, next_cursor = repo.open_for_lead(lead_id, limit=limit), None
    else:
        page = repo.open_page(limit=limit, cursor=cursor)
        items, next_cursor = page.items, page.next_cursor
    return page_response(merge_service.with_leads(session, items), next_cursor, out.MergeSuggestionOut)


@router.post("/merge-suggestions/scan", status_code=status.HTTP_202_ACCEPTED, response_model=out.ScanOut)
def scan_for_duplicates(principal: Writer, session: DbSession) -> out.ScanOut:
    """Look for duplicates among all leads now (in the background; once a minute at most)."""
    return out.ScanOut(scheduled=duplicates.schedule_scan(session, principal.org_id, everything=True))


@router.post("/merge-suggestions/{suggestion_id}/dismiss", response_model=out.MergeSuggestionOut)
def dismiss_suggestion(
    suggestion_id: uuid.UUID, principal: Writer, session: DbSession
) -> out.MergeSuggestionOut:
    """Not a duplicate: the pair is never suggested again."""
    suggestion = merge_service.dismiss(
        session, principal, merge_service.suggestion_or_404(session, suggestion_id)
    )
    return out.MergeSuggestionOut.model_validate(merge_service.with_leads(session, [suggestion])[0])
