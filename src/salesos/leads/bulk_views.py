"""The lead list's bulk bar: one action (stage, owner, tag) on the ticked leads or on every lead matching
the list's filters, through the same service as ``POST /api/v1/leads/bulk``."""

from __future__ import annotations

from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, Response
from pydantic import ValidationError

from salesos.auth.deps import Writer
from salesos.db.deps import DbSession
from salesos.errors import DomainError
from salesos.leads import list_views, schemas
from salesos.leads.service import bulk as bulk_service
from salesos.web.forms import FormErrors, attempt, domain_errors
from salesos.web.pages import see_other

router = APIRouter(include_in_schema=False)
Text = Annotated[str, Form()]


@router.post("/leads/list/bulk", response_class=HTMLResponse)
def bulk_action(
    request: Request,
    principal: Writer,
    session: DbSession,
    filters: list_views.FormFilters,
    ids: Annotated[list[str], Form()] = [],  # noqa: B006  # FastAPI copies defaults per request
    all_matching: Text = "",
    action: Text = "",
    stage_id: Text = "",
    lost_reason: Text = "",
    owner_id: Text = "",
    bulk_tag: Text = "",
) -> Response:
    """Apply one bulk action to the ticked leads, or to every lead matching the filters."""
    chosen = [i for i in (list_views.uuid_or_none(v) for v in ids) if i is not None]
    values: dict[str, Any] = {"stage_id": stage_id, "lost_reason": lost_reason, "owner_id": owner_id}
    values |= {"bulk_tag": bulk_tag, "ids": [str(i) for i in chosen]}
    change, errors = _bulk_change(action, stage_id, lost_reason, owner_id, bulk_tag.strip())
    everything = all_matching == "1"
    if not everything and not chosen:
        errors.setdefault("form", "Tick at least one lead.")
    if not errors:
        target: dict[str, Any] = {"filter": filters} if everything else {"ids": chosen}
        try:
            body = schemas.LeadBulkIn.model_validate({**target, "set": change})
            with attempt(session):
                result = bulk_service.bulk_update(session, principal, body)
        except ValidationError as exc:
            errors["form"] = str(exc.errors()[0]["msg"])
        except DomainError as exc:
            errors = {k.removeprefix("set."): v for k, v in domain_errors(exc, "form").items()}
        else:
            # Post/redirect/get: reloading the result shows the list again instead of a 405 at this URL.
            return see_other(_bulk_done_url(filters, result))
    return list_views.full_list_page(
        request, session, principal, filters, errors=errors, values=values, status=422
    )


def _bulk_change(
    action: str, stage_id: str, lost_reason: str, owner_id: str, tag: str
) -> tuple[dict[str, Any], FormErrors]:
    """The bulk bar's pressed button and its inputs as the API's ``set``, or what is missing."""
    if action == "stage":
        if not stage_id:
            return {}, {"stage_id": "Choose a stage."}
        return {"stage_id": stage_id, "lost_reason": lost_reason or None}, {}
    if action == "owner":
        if not owner_id:
            return {}, {"owner_id": "Choose an owner, or Nobody to unassign."}
        return {"owner_id": None if owner_id == list_views.UNASSIGN else owner_id}, {}
    if action in ("add_tag", "remove_tag"):
        if not tag:
            return {}, {"bulk_tag": "Enter a tag."}
        return {"add_tags" if action == "add_tag" else "remove_tags": [tag]}, {}
    return {}, {"form": "Choose an action."}


def _bulk_done_url(filters: schemas.LeadFilters, result: bulk_service.BulkResult) -> str:
    """The same list (filters and sort) with the bulk action's outcome, for the notice to say."""
    outcome: dict[str, str | int]
    if result.status == "queued":
        outcome = {"done": "bulk_queued", "matched": result.matched}
    else:
        outcome = {"done": "bulk", "updated": result.updated, "matched": result.matched}
        if result.not_found:
            outcome["missing"] = len(result.not_found)
    return f"/leads/list?{urlencode({**list_views.filter_params(filters), **outcome})}"
