"""Merging leads in the browser: the duplicates list, a confirmation page, merge and dismiss."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import HTMLResponse, Response

from salesos.auth.deps import CurrentPrincipal, Writer
from salesos.db.deps import DbSession
from salesos.db.pagination import DEFAULT_LIMIT
from salesos.errors import NotFound
from salesos.leads.merge_repository import MergeCandidateRepository, MergeSuggestionRepository
from salesos.leads.service import duplicates
from salesos.leads.service import leads as lead_service
from salesos.leads.service import merge as merge_service
from salesos.orgs.models import Role
from salesos.web.pages import page, see_other

router = APIRouter(include_in_schema=False)
NOTICES = {
    "scan": "Looking for duplicates among all leads; new suggestions appear here in a moment.",
    "dismissed": "Marked as not a duplicate.",
}


@router.get("/leads/duplicates", response_class=HTMLResponse)
def duplicates_page(
    request: Request,
    principal: CurrentPrincipal,
    session: DbSession,
    cursor: Annotated[str | None, Query(max_length=200)] = None,
    done: str = "",
) -> Response:
    """Open merge suggestions of the organisation, newest first."""
    found = MergeSuggestionRepository(session).open_page(limit=DEFAULT_LIMIT, cursor=cursor)
    context = {
        "suggestions": merge_service.with_leads(session, found.items),
        "next_cursor": found.next_cursor,
        "can_write": principal.has_role(Role.MEMBER),
        "notice": NOTICES.get(done),
    }
    return page(request, session, principal, "leads/duplicates.html", context)


@router.post("/leads/duplicates/scan")
def scan_now(principal: Writer, session: DbSession) -> Response:
    """Look for duplicates among all leads (a background job)."""
    duplicates.schedule_scan(session, principal.org_id, everything=True)
    return see_other("/leads/duplicates?done=scan")


@router.post("/leads/duplicates/{suggestion_id}/dismiss")
def dismiss(
    suggestion_id: uuid.UUID,
    principal: Writer,
    session: DbSession,
    back: Annotated[str, Form(max_length=200)] = "",
) -> Response:
    """Not a duplicate: the pair is never suggested again."""
    suggestion = merge_service.suggestion_or_404(session, suggestion_id)
    merge_service.dismiss(session, principal, suggestion)
    # Back to the lead the person came from, or to the list; never to an outside address.
    ids = {str(suggestion.lead_id), str(suggestion.other_lead_id)}
    return see_other(f"/leads/{back}?done=dismissed" if back in ids else "/leads/duplicates?done=dismissed")


@router.get("/leads/{lead_id}/merge/{other_id}", response_class=HTMLResponse)
def confirm_merge(
    request: Request, lead_id: uuid.UUID, other_id: uuid.UUID, principal: Writer, session: DbSession
) -> Response:
    """What merging *other* into *lead* will do, with the button that does it."""
    keep = lead_service.lead_or_404(session, lead_id)
    summaries = MergeCandidateRepository(session).summaries({keep.id, other_id})
    if other_id not in summaries or other_id == keep.id:
        raise NotFound("Lead not found.")
    context = {"keep": summaries[keep.id], "other": summaries[other_id]}
    return page(request, session, principal, "leads/merge.html", context)


@router.post("/leads/{lead_id}/merge/{other_id}")
def merge(lead_id: uuid.UUID, other_id: uuid.UUID, principal: Writer, session: DbSession) -> Response:
    """Merge *other* into *lead* and show the kept lead."""
    keep = lead_service.lead_or_404(session, lead_id)
    other = lead_service.lead_or_404(session, other_id)
    merge_service.merge_leads(session, principal, keep, other)
    return see_other(f"/leads/{keep.id}?done=merged")
