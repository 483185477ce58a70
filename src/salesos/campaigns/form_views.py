"""The new-campaign form: what to look for, where, from which sources (or the user's own list), and how
to judge what is found; it validates as the API's create body, so both refuse the same input."""

from __future__ import annotations

import re
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from pydantic import ValidationError
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import FormData, UploadFile

from salesos.api.middleware import allow_large_body
from salesos.auth.deps import Writer
from salesos.auth.principal import Principal
from salesos.campaigns import schemas
from salesos.campaigns.models import Campaign
from salesos.campaigns.service import campaigns as campaign_service
from salesos.campaigns.service import lists
from salesos.campaigns.service.providers import SOURCE_LABELS, available_sources
from salesos.campaigns.service.scoring import DEFAULT_TIER_A, DEFAULT_TIER_B, DEFAULT_WEIGHTS, LABELS
from salesos.config import get_settings
from salesos.db.deps import DbSession
from salesos.errors import DomainError
from salesos.integrations.search.business_types import business_types
from salesos.uploads import ENVELOPE_BYTES
from salesos.web.forms import FORM, FormErrors, attempt, domain_errors, error_message
from salesos.web.pages import page, see_other

router = APIRouter(include_in_schema=False)
# The form may carry a list of up to 10 MB (lists.attach_list enforces it) past the 1 MiB body limit.
allow_large_body(re.escape("/campaigns/new"), lists.MAX_BYTES + ENVELOPE_BYTES)

# Form inputs → where CampaignCreateIn keeps them (the form is flat, the schema nested).
NUMBER_FIELDS = ("radius_km", "max_prospects", "refresh_hours")
CRITERIA_FIELDS = ("min_reviews", "max_website_score")
SCORING_FIELDS = ("tier_a", "tier_b")
WEIGHT_FIELDS = tuple(f"weight_{key}" for key in DEFAULT_WEIGHTS)


def _form_defaults() -> dict[str, Any]:
    values: dict[str, Any] = {"max_prospects": "100", "refresh_hours": "6", "auto_send_tiers": ""}
    values |= {f"weight_{key}": str(weight) for key, weight in DEFAULT_WEIGHTS.items()}
    values |= {"tier_a": str(DEFAULT_TIER_A), "tier_b": str(DEFAULT_TIER_B), "sources": ["osm"]}
    return values


def _form_context(values: dict[str, Any], errors: FormErrors) -> dict[str, Any]:
    usable = available_sources(get_settings())
    # The list source is chosen by uploading a list, not by a checkbox.
    sources = [(key, label, key in usable) for key, label in SOURCE_LABELS.items() if key != "file"]
    types = sorted({t.label for t in business_types().values()})
    weights = [(f"weight_{key}", LABELS[key]) for key in DEFAULT_WEIGHTS]
    scoring_errors = any(k in errors for k in ("scoring", "tier_a", "tier_b", *WEIGHT_FIELDS))
    return {"values": values, "errors": errors, "sources": sources, "business_types": types,
            "weights": weights, "open_scoring": scoring_errors}  # fmt: skip


def _optional(raw: str) -> str | None:
    return raw.strip() or None


def campaign_input(form: FormData) -> tuple[dict[str, Any], dict[str, Any]]:
    """The submitted form as the API's create body, and the raw values to refill the form with."""
    text = {key: str(form.get(key, "")).strip() for key in
            ("name", "business_type", "location", "industries", "auto_send_tiers", "start",
             *NUMBER_FIELDS, *CRITERIA_FIELDS, *SCORING_FIELDS, *WEIGHT_FIELDS)}  # fmt: skip
    chosen = [str(s) for s in form.getlist("sources")]
    body: dict[str, Any] = {
        "name": text["name"],
        "business_type": text["business_type"],
        "location": text["location"],
        "radius_km": _optional(text["radius_km"]),
        "sources": chosen,
        # An emptied refresh field turns refreshing off.
        "refresh_hours": _optional(text["refresh_hours"]),
        "auto_send_tiers": text["auto_send_tiers"] or None,
        "start": text["start"] != "0",
    }
    if text["max_prospects"]:
        body["max_prospects"] = text["max_prospects"]
    industries = [i.strip() for i in text["industries"].split(",") if i.strip()]
    body["criteria"] = {key: _optional(text[key]) for key in CRITERIA_FIELDS} | {"industries": industries}
    weights = {key: text[f"weight_{key}"] or "0" for key in DEFAULT_WEIGHTS}
    scoring: dict[str, Any] = {"weights": weights}
    scoring |= {key: text[key] for key in SCORING_FIELDS if text[key]}
    body["scoring"] = scoring
    return body, {**text, "sources": chosen}


def _error_field(loc: tuple[Any, ...]) -> str:
    parts = [str(p) for p in loc if not isinstance(p, int)]
    if not parts:
        return FORM
    if parts[0] == "criteria" and len(parts) > 1:
        return parts[1]
    if parts[0] == "scoring" and len(parts) > 2 and parts[1] == "weights":
        return f"weight_{parts[2]}"
    if parts[0] == "scoring" and len(parts) > 1:
        return parts[1]
    return parts[0]


# The schema's whole-section messages name its fields; the form names its inputs.
SCORING_MESSAGES = {
    "tier_b must be below tier_a": "“Tier B from” must be below “Tier A from”.",
    "at least one weight must be above 0": "At least one weight must be above 0.",
}


def form_errors(exc: ValidationError) -> FormErrors:
    """Schema errors keyed by the form input they belong to."""
    errors: FormErrors = {}
    for error in exc.errors():
        reason = str(error.get("ctx", {}).get("error", ""))
        message = SCORING_MESSAGES.get(reason) or error_message(dict(error))
        errors.setdefault(_error_field(tuple(error.get("loc", ()))), message)
    return errors


@router.get("/campaigns/new", response_class=HTMLResponse)
def new_campaign_page(request: Request, principal: Writer, session: DbSession) -> Response:
    """What to look for, where, from which sources, and how to judge what is found."""
    context = _form_context(_form_defaults(), {})
    return page(request, session, principal, "campaigns/new.html", context)


def _create(
    session: DbSession, principal: Principal, body: dict[str, Any], upload: UploadFile | None
) -> Campaign | FormErrors:
    start = body["start"]
    if upload is not None:
        body = {**body, "sources": [*body["sources"], "file"], "start": False}
    try:
        data = schemas.CampaignCreateIn.model_validate(body)
        with attempt(session):
            campaign = campaign_service.create_campaign(session, principal, data)
            if upload is not None:
                # Checked and stored before the run starts, which needs it.
                lists.attach_list(campaign, upload.filename or "", upload.file)
                if start:
                    campaign_service.start_run(session, campaign)
            return campaign
    except ValidationError as exc:
        return form_errors(exc)
    except DomainError as exc:
        errors = domain_errors(exc)
        if "file" in errors:
            errors["list_file"] = errors.pop("file")
        return errors


@router.post("/campaigns/new", response_class=HTMLResponse)
async def create_campaign(request: Request, principal: Writer, session: DbSession) -> Response:
    """Create the campaign (started at once unless saved as a draft) and open its page."""
    form = await request.form(max_files=1)
    body, values = campaign_input(form)
    upload = form.get("list_file")
    chosen = upload if isinstance(upload, UploadFile) and upload.filename else None
    # The database work runs in the threadpool like every sync route's: the event loop never waits on it.
    created = await run_in_threadpool(_create, session, principal, body, chosen)
    if not isinstance(created, Campaign):
        context = _form_context(values, created)
        return page(request, session, principal, "campaigns/new.html", context, 422)
    return see_other(f"/campaigns/{created.id}")
