"""The lead List page: a sortable, filterable table with keyset "Load more", bulk actions and saved views."""

from __future__ import annotations

import uuid
from typing import Annotated, Any, get_args
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Form, Query, Request
from fastapi.responses import HTMLResponse, Response, StreamingResponse
from pydantic import ValidationError

from salesos.auth.deps import CurrentPrincipal
from salesos.auth.principal import Principal
from salesos.db.deps import DbSession
from salesos.errors import DomainError
from salesos.leads import board, schemas
from salesos.leads.export import lead_csv_chunks
from salesos.leads.models import SavedView
from salesos.leads.repository import LeadRepository, PipelineRepository, SavedViewRepository
from salesos.leads.service import leads as lead_service
from salesos.leads.service import saved_views as view_service
from salesos.leads.service.pipelines import ensure_default_pipeline
from salesos.leads.sorting import DEFAULT_SORT, SortSpec
from salesos.orgs.models import Role
from salesos.orgs.repository import MembershipRepository, OrganizationRepository
from salesos.web.forms import FormErrors, attempt
from salesos.web.pages import is_htmx, page, see_other

router = APIRouter(include_in_schema=False)
Filter = Annotated[str, Query(max_length=200)]
Text = Annotated[str, Form()]
PAGE_ROWS = 50
# The live refresh asks for the rows that changed, a debounced burst at a time.
LIVE_MAX_IDS = 100
# (sort key, header, first click sorts descending)
COLUMNS = [
    ("company_name", "Company", False),
    ("value", "Value", True),
    # One column shows the tier and the score; it sorts by tier (A first, untiered last), then by score
    # within a tier, best first: a tier is often set by hand or by a campaign, not from the score.
    ("tier", "Tier / score", False),
    ("next_follow_up_at", "Next follow-up", False),
    ("updated_at", "Updated", True),
    ("created_at", "Created", True),
]
NOTICES = {"view_saved": "View saved.", "view_deleted": "View deleted."}
# The bulk owner select's "Nobody" choice. Its empty value is the "Choose an owner…" placeholder instead, so
# a form sent without a choice is refused rather than read as "unassign everyone ticked".
UNASSIGN = "unassign"


def uuid_or_none(raw: str) -> uuid.UUID | None:
    try:
        return uuid.UUID(raw) if raw else None
    except ValueError:
        return None


def list_filters(
    stage: str,
    owner: str,
    tag: str,
    source: str,
    tier: str,
    q: str,
    sort: str,
    follow_up: str = "",
    added: str = "",
) -> schemas.LeadFilters:
    """The query string as lead filters: unreadable values filter nothing, an unknown sort is the default."""
    data: dict[str, Any] = {
        "stage_id": uuid_or_none(stage),
        "owner_id": schemas.UNOWNED if owner == schemas.UNOWNED else uuid_or_none(owner),
        "tag": tag.strip()[:50] or None,
        "source": source.strip()[:64] or None,
        "tier": tier if tier in ("A", "B", "C") else None,
        "q": q.strip()[:200] or None,
        "follow_up": follow_up if follow_up in get_args(schemas.FollowUpFilter) else None,
        "added": added if added in schemas.ADDED_DAYS else None,
    }
    try:
        return schemas.LeadFilters.model_validate({**data, "sort": sort or DEFAULT_SORT})
    except ValidationError:
        return schemas.LeadFilters.model_validate(data)


async def query_filters(
    stage: Filter = "",
    owner: Filter = "",
    tag: Filter = "",
    source: Filter = "",
    tier: Filter = "",
    q: Filter = "",
    sort: Filter = "",
    follow_up: Filter = "",
    added: Filter = "",
) -> schemas.LeadFilters:
    """The list's filters from the query string, for the page, its rows and its export (async: no hop)."""
    return list_filters(stage, owner, tag, source, tier, q, sort, follow_up, added)


QueryFilters = Annotated[schemas.LeadFilters, Depends(query_filters)]


async def form_filters(
    stage: Text = "",
    owner: Text = "",
    tag: Text = "",
    source: Text = "",
    tier: Text = "",
    q: Text = "",
    sort: Text = "",
    follow_up: Text = "",
    added: Text = "",
) -> schemas.LeadFilters:
    """The list's filters as a form posts them back (the bulk bar, saving a view), read like the query's."""
    return list_filters(stage, owner, tag, source, tier, q, sort, follow_up, added)


FormFilters = Annotated[schemas.LeadFilters, Depends(form_filters)]


def filter_params(filters: schemas.LeadFilters, *, sort: bool = True) -> dict[str, str]:
    """The filters as the page's query parameters (empty ones left out)."""
    params = {
        "stage": filters.stage_id or "",
        "owner": filters.owner_id or "",
        "tag": filters.tag or "",
        "source": filters.source or "",
        "tier": filters.tier or "",
        "q": filters.q or "",
        "follow_up": filters.follow_up or "",
        "added": filters.added or "",
    }
    if sort and filters.sort != DEFAULT_SORT:
        params["sort"] = filters.sort
    return {k: str(v) for k, v in params.items() if v}


def _headers(filters: schemas.LeadFilters) -> list[dict[str, Any]]:
    """Each sortable column: its link (the next direction) and its aria-sort."""
    current = SortSpec.parse(filters.sort)
    base = filter_params(filters, sort=False)
    result = []
    for key, label, desc_first in COLUMNS:
        active = current.key == key
        descending = not current.descending if active else desc_first
        target = f"-{key}" if descending else key
        query = urlencode({**base, "sort": target} if target != DEFAULT_SORT else base)
        aria = ("descending" if current.descending else "ascending") if active else None
        result.append(
            {"key": key, "label": label, "href": f"/leads/list?{query}".rstrip("?"), "aria_sort": aria}
        )
    return result


def _context(
    session: DbSession,
    principal: Principal,
    filters: schemas.LeadFilters,
    cursor: str | None,
    *,
    rows: bool = True,
    view: SavedView | None = None,
) -> dict[str, Any]:
    """What the table needs; *rows* False leaves out its page of rows (the caller brings its own)."""
    pipelines = PipelineRepository(session).listing() or [ensure_default_pipeline(session)]
    members = MembershipRepository(session).listing()
    owner_names = {m.user_id: m.user.name for m in members}
    stage_ids = {s.id for p in pipelines for s in p.stages}
    checked = view_service.check_filters(session, filters, stage_ids, owner_names, view=view)
    filters = checked.filters
    if checked.former_owner is not None:
        owner_names.setdefault(*checked.former_owner)
    found = LeadRepository(session).page(filters, limit=PAGE_ROWS, cursor=cursor) if rows else None
    org = OrganizationRepository(session).current()
    params = filter_params(filters)
    return {
        "can_write": principal.has_role(Role.MEMBER),
        "filters": filters,
        "params": params,
        "query": urlencode(params),
        "rows": found.items if found else [],
        "next_cursor": found.next_cursor if found else None,
        "pipelines": pipelines,
        "stage_names": {s.id: s.name for p in pipelines for s in p.stages},
        "lost_stages": {s.id for p in pipelines for s in p.stages if s.kind == "lost"},
        "open_stage_ids": board.open_stage_ids(s for p in pipelines for s in p.stages),
        "members": members,
        "owner_names": owner_names,
        "former_owner": checked.former_owner,
        "filter_notes": checked.notes,
        "timezone": org.timezone if org else "UTC",
        "values": {},
    }


def full_list_page(
    request: Request,
    session: DbSession,
    principal: Principal,
    filters: schemas.LeadFilters,
    *,
    view: SavedView | None = None,
    notice: str | None = None,
    errors: FormErrors | None = None,
    values: dict[str, Any] | None = None,
    status: int = 200,
    results_only: bool = False,
) -> Response:
    context = _context(session, principal, filters, None, view=view)
    filters = context["filters"]  # without a filter on a deleted stage
    context |= {
        "total": LeadRepository(session).count_matching(filters),
        "headers": _headers(filters),
        "bulk_limit": schemas.BULK_MAX_IDS,
    }
    if results_only:
        # The filter bar's in-place search: just the results, and the list's own URL for the address bar
        # (the form's would carry every empty field).
        url = f"/leads/list?{context['query']}".rstrip("?")
        return page(
            request, session, principal, "leads/_list_results.html", context, headers={"HX-Push-Url": url}
        )
    user_id = principal.user_id
    views = SavedViewRepository(session).visible_to(user_id) if user_id else []
    context |= {
        "views": views,
        "current_view": view,
        "can_edit_view": view is not None and (view.user_id == user_id or principal.has_role(Role.ADMIN)),
        "unassign": UNASSIGN,
        # Assign offers who may own leads, as the lead page does: not viewers, not deactivated accounts.
        "owner_choices": MembershipRepository(session).lead_owners() if context["can_write"] else [],
        "notice": notice,
        "errors": errors or {},
        "values": values or {},
        # A refused bulk action or view name is answered at its POST address; the bar shows the list's.
        "page_url": f"/leads/list?{context['query']}".rstrip("?"),
    }
    return page(request, session, principal, "leads/list.html", context, status)


@router.get("/leads/list", response_class=HTMLResponse)
def list_page(
    request: Request,
    principal: CurrentPrincipal,
    session: DbSession,
    filters: QueryFilters,
    view: Filter = "",
    done: Filter = "",
    updated: Filter = "",
    matched: Filter = "",
    missing: Filter = "",
) -> Response:
    """The lead list (to HTMX only its results); ``view=`` opens a view, ``done=`` what just happened."""
    current = None
    view_id = uuid_or_none(view)
    if view_id is not None and principal.user_id is not None:
        current = SavedViewRepository(session).visible(view_id, principal.user_id)
        if current is not None:
            filters = view_service.view_filters(current)
    notice = NOTICES.get(done) or _bulk_notice(done, _count(updated), _count(matched), _count(missing))
    return full_list_page(
        request, session, principal, filters, view=current, notice=notice, results_only=is_htmx(request)
    )


def _count(raw: str) -> int:
    """A count from the query string; anything else reads as none."""
    return int(raw) if raw.isdigit() else 0


@router.get("/leads/list/rows", response_class=HTMLResponse)
def more_rows(
    request: Request,
    principal: CurrentPrincipal,
    session: DbSession,
    filters: QueryFilters,
    cursor: Annotated[str, Query(max_length=1000)] = "",
) -> Response:
    """The next rows of the table and its next "Load more" row."""
    context = _context(session, principal, filters, cursor or None)
    return page(request, session, principal, "leads/_list_rows.html", context)


@router.get("/leads/list/live", response_class=HTMLResponse)
def live_rows(
    request: Request,
    principal: CurrentPrincipal,
    session: DbSession,
    filters: QueryFilters,
    ids: Annotated[list[uuid.UUID], Query(max_length=LIVE_MAX_IDS)] = [],  # noqa: B006  # copied per request
) -> Response:
    """The table rows of *ids* that still match the filters: how the list follows other people's edits.

    A row absent from the answer no longer matches (or no longer exists) and leaves the table; rows
    loaded by "Load more" are refreshed like the first page's.
    """
    context = _context(session, principal, filters, None, rows=False)
    context["rows"] = LeadRepository(session).rows_of(filters, list(dict.fromkeys(ids)))
    return page(request, session, principal, "leads/_list_rows.html", context)


@router.get("/leads/list/next", response_class=HTMLResponse)
def next_lead(
    request: Request,
    principal: CurrentPrincipal,
    session: DbSession,
    filters: QueryFilters,
    after: uuid.UUID,
) -> Response:
    """The lead after *after* in the list these filters describe: the lead page's "Next" link."""
    lead = lead_service.lead_or_404(session, after)
    following = LeadRepository(session).next_after(filters, lead.id)
    query = urlencode(filter_params(filters))
    context = {"following": following, "list_url": "/leads/list" + (f"?{query}" if query else "")}
    return page(request, session, principal, "leads/_next_lead.html", context)


@router.get("/leads/list/export.csv", response_class=StreamingResponse)
def export_list(principal: CurrentPrincipal, filters: QueryFilters) -> StreamingResponse:
    """The list as CSV: the page's filter names and sort, every matching lead (not just the first page)."""
    return StreamingResponse(
        lead_csv_chunks(principal.org_id, filters),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": 'attachment; filename="leads.csv"'},
    )


def _bulk_notice(done: str, updated: int, matched: int, missing: int) -> str | None:
    """What a finished bulk action did, from the counts in the redirect; None when none just finished."""
    if done == "bulk_queued":
        return f"Updating {matched} leads in the background; refresh in a moment to see the changes."
    if done != "bulk":
        return None
    skipped = f" ({missing} no longer exist)" if missing else ""
    return f"Updated {updated} of {matched} leads{skipped}."


@router.post("/leads/list/views", response_class=HTMLResponse)
def save_view(
    request: Request,
    principal: CurrentPrincipal,
    session: DbSession,
    filters: FormFilters,
    name: Text = "",
    shared: Text = "",
) -> Response:
    """Save the current filters and sort under a name; then show the list through the new view."""
    kept = filters.model_dump(
        mode="json", include=set(schemas.SavedViewFilters.model_fields), exclude_none=True
    )
    data = {"name": name, "shared": shared == "1", "filters": kept, "sort": filters.sort}
    errors: FormErrors = {}
    try:
        body = schemas.SavedViewIn.model_validate(data)
    except ValidationError:
        errors["view_name"] = "Give the view a name (up to 80 characters)."
    else:
        try:
            with attempt(session):
                view = view_service.create_view(session, principal, body)
            return see_other(f"/leads/list?view={view.id}&done=view_saved")
        except DomainError as exc:
            errors = {"view_name": exc.detail}
    values = {"view_name": name}
    return full_list_page(request, session, principal, filters, errors=errors, values=values, status=422)


@router.post("/leads/list/views/{view_id}/delete")
def delete_view(view_id: uuid.UUID, principal: CurrentPrincipal, session: DbSession) -> Response:
    """Delete a saved view (its owner or an admin)."""
    view_service.delete_view(session, principal, view_service.view_or_404(session, principal, view_id))
    return see_other("/leads/list?done=view_deleted")
