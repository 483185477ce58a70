"""Campaign HTML pages: the list, the new-campaign form, a campaign's live progress and ranked prospects,
one prospect's findings and score breakdown, and the buttons that steer a run or send prospects to the board.
"""

from __future__ import annotations

import uuid
from typing import Annotated, Any

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import HTMLResponse, Response
from pydantic import ValidationError
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import FormData

from salesos.auth.deps import CurrentPrincipal, Writer
from salesos.auth.principal import Principal
from salesos.campaigns import schemas
from salesos.campaigns.models import Campaign, CampaignStatus, Prospect
from salesos.campaigns.repository import CampaignRepository, ProspectRepository, ProspectSourceRepository
from salesos.campaigns.service import campaigns as campaign_service
from salesos.campaigns.service import handoff
from salesos.campaigns.service.credits import credits
from salesos.campaigns.service.discovery import listing_url
from salesos.campaigns.service.providers import SOURCE_LABELS, available_sources
from salesos.campaigns.service.scoring import DEFAULT_TIER_A, DEFAULT_TIER_B, DEFAULT_WEIGHTS, LABELS
from salesos.config import get_settings
from salesos.db.base import utcnow
from salesos.db.deps import DbSession
from salesos.errors import DomainError
from salesos.integrations.search.business_types import business_types
from salesos.orgs.models import Role
from salesos.web.forms import FORM, FormErrors, attempt, domain_errors, error_message
from salesos.web.pages import page, see_other

router = APIRouter(include_in_schema=False)

TierTab = Annotated[str, Query(max_length=1)]
Text = Annotated[str, Form()]
TIERS = ("A", "B", "C")
NOTICES = {
    "deleted": "Campaign deleted. Leads it sent to the board stay there.",
    "paused": "Campaign paused; prospects not enriched yet wait until you resume.",
    "resumed": "Campaign resumed.",
    "started": "Run started: new prospects appear below as they are found.",
}
# Form inputs → where CampaignCreateIn keeps them (the form is flat, the schema nested).
NUMBER_FIELDS = ("radius_km", "max_prospects", "refresh_hours")
CRITERIA_FIELDS = ("min_reviews", "max_website_score")
SCORING_FIELDS = ("tier_a", "tier_b")
WEIGHT_FIELDS = tuple(f"weight_{key}" for key in DEFAULT_WEIGHTS)


# --- the campaign list ------------------------------------------------------------------------------


def _summary(session: DbSession, campaign: Campaign) -> dict[str, Any]:
    """A campaign as one row of the list (and the header of its page): progress and counters."""
    counts = ProspectRepository(session).counts(campaign.id)
    return {
        "campaign": campaign,
        "view": campaign_service.progress_view(campaign),
        "running": campaign.status == CampaignStatus.RUNNING.value,
        "on_board": counts.on_board,
        "pending": counts.pending,
        "sources": [SOURCE_LABELS.get(s, s) for s in campaign.sources],
    }


def _credits(session: DbSession) -> dict[str, Any]:
    found = credits(session, utcnow())
    return {"budget": found.budget, "used": found.used, "left": found.left, "resets_at": found.resets_at}


@router.get("/campaigns", response_class=HTMLResponse)
def campaigns_page(
    request: Request, principal: CurrentPrincipal, session: DbSession, done: str = ""
) -> Response:
    """Every campaign of the org with its progress and counters, and this month's lead credits."""
    rows = [_summary(session, c) for c in CampaignRepository(session).recent()]
    context = {
        "rows": rows,
        "credits": _credits(session),
        "can_write": principal.has_role(Role.MEMBER),
        "notice": NOTICES.get(done),
    }
    return page(request, session, principal, "campaigns/list.html", context)


# --- the new-campaign form --------------------------------------------------------------------------


def _form_defaults() -> dict[str, Any]:
    values: dict[str, Any] = {"max_prospects": "100", "refresh_hours": "6", "auto_send_tiers": ""}
    values |= {f"weight_{key}": str(weight) for key, weight in DEFAULT_WEIGHTS.items()}
    values |= {"tier_a": str(DEFAULT_TIER_A), "tier_b": str(DEFAULT_TIER_B), "sources": ["osm"]}
    return values


def _form_context(values: dict[str, Any], errors: FormErrors) -> dict[str, Any]:
    usable = available_sources(get_settings())
    sources = [(key, label, key in usable) for key, label in SOURCE_LABELS.items()]
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


def _create(session: DbSession, principal: Principal, body: dict[str, Any]) -> Campaign | FormErrors:
    try:
        data = schemas.CampaignCreateIn.model_validate(body)
        with attempt(session):
            return campaign_service.create_campaign(session, principal, data)
    except ValidationError as exc:
        return form_errors(exc)
    except DomainError as exc:
        return domain_errors(exc)


@router.post("/campaigns/new", response_class=HTMLResponse)
async def create_campaign(request: Request, principal: Writer, session: DbSession) -> Response:
    """Create the campaign (started at once unless saved as a draft) and open its page."""
    body, values = campaign_input(await request.form())
    # The database work runs in the threadpool like every sync route's: the event loop never waits on it.
    created = await run_in_threadpool(_create, session, principal, body)
    if not isinstance(created, Campaign):
        context = _form_context(values, created)
        return page(request, session, principal, "campaigns/new.html", context, 422)
    return see_other(f"/campaigns/{created.id}")


# --- one campaign -----------------------------------------------------------------------------------


def _best_contact(prospect: Prospect) -> dict[str, Any] | None:
    # Stored contacts are already ranked (reachable decision makers first).
    return next((c for c in prospect.contacts or [] if c.get("email")), None)


def _live_context(session: DbSession, principal: Principal, campaign: Campaign, tier: str) -> dict[str, Any]:
    tier = tier if tier in TIERS else ""
    prospects = ProspectRepository(session).ranked(campaign.id, tier=tier or None)
    return {
        **_summary(session, campaign),
        "tier": tier,
        "tiers": TIERS,
        "prospects": [(p, _best_contact(p)) for p in prospects],
        "can_write": principal.has_role(Role.MEMBER),
        "credits": _credits(session),
    }


def _campaign_page(
    request: Request,
    session: DbSession,
    principal: Principal,
    campaign: Campaign,
    tier: str = "",
    *,
    notice: str | None = None,
    error: str | None = None,
    status: int = 200,
) -> Response:
    context = _live_context(session, principal, campaign, tier)
    context |= {"notice": notice, "error": error}
    return page(request, session, principal, "campaigns/detail.html", context, status)


@router.get("/campaigns/{campaign_id}", response_class=HTMLResponse)
def campaign_page(
    request: Request,
    campaign_id: uuid.UUID,
    principal: CurrentPrincipal,
    session: DbSession,
    tier: TierTab = "",
    done: str = "",
    sent: int | None = None,
    skipped: int = 0,
) -> Response:
    """Status and actions, live progress, counters, and the prospects ranked by score."""
    campaign = campaign_service.campaign_or_404(session, campaign_id)
    notice = NOTICES.get(done)
    if sent is not None:
        notice = f"Sent {sent} prospect{'s' * (sent != 1)} to the board" + (
            f"; {skipped} skipped (already there, not scored yet, or unusable)." if skipped else "."
        )
    return _campaign_page(request, session, principal, campaign, tier, notice=notice)


@router.get("/campaigns/{campaign_id}/live", response_class=HTMLResponse)
def live_fragment(
    request: Request,
    campaign_id: uuid.UUID,
    principal: CurrentPrincipal,
    session: DbSession,
    tier: TierTab = "",
) -> Response:
    """The status, progress card, counters and prospect table; refetched while the run goes on."""
    campaign = campaign_service.campaign_or_404(session, campaign_id)
    context = _live_context(session, principal, campaign, tier)
    return page(request, session, principal, "campaigns/_live.html", context)


def _steer(
    request: Request, session: DbSession, principal: Principal, campaign_id: uuid.UUID, action: str
) -> Response:
    campaign = campaign_service.campaign_or_404(session, campaign_id)
    steps = {"pause": campaign_service.pause, "resume": campaign_service.resume,
             "start": campaign_service.start_run}  # fmt: skip
    try:
        with attempt(session):
            steps[action](session, campaign)
    except DomainError as exc:
        return _campaign_page(request, session, principal, campaign, error=exc.detail, status=exc.status_code)
    done = {"pause": "paused", "resume": "resumed", "start": "started"}[action]
    return see_other(f"/campaigns/{campaign.id}?done={done}")


@router.post("/campaigns/{campaign_id}/pause", response_class=HTMLResponse)
def pause_campaign(
    request: Request, campaign_id: uuid.UUID, principal: Writer, session: DbSession
) -> Response:
    """Pause the run; prospects not yet enriched wait."""
    return _steer(request, session, principal, campaign_id, "pause")


@router.post("/campaigns/{campaign_id}/resume", response_class=HTMLResponse)
def resume_campaign(
    request: Request, campaign_id: uuid.UUID, principal: Writer, session: DbSession
) -> Response:
    """Carry on where the run stopped."""
    return _steer(request, session, principal, campaign_id, "resume")


@router.post("/campaigns/{campaign_id}/start", response_class=HTMLResponse)
def start_campaign(
    request: Request, campaign_id: uuid.UUID, principal: Writer, session: DbSession
) -> Response:
    """Start a draft, or run a finished campaign again (a refresh reports what is new)."""
    return _steer(request, session, principal, campaign_id, "start")


@router.post("/campaigns/{campaign_id}/delete", response_class=HTMLResponse)
def delete_campaign(campaign_id: uuid.UUID, principal: Writer, session: DbSession) -> Response:
    """Delete the campaign and its prospects; leads already on the board stay."""
    campaign_service.delete_campaign(session, campaign_service.campaign_or_404(session, campaign_id))
    return see_other("/campaigns?done=deleted")


@router.post("/campaigns/{campaign_id}/send", response_class=HTMLResponse)
def send_to_board(
    request: Request,
    campaign_id: uuid.UUID,
    principal: Writer,
    session: DbSession,
    ids: Annotated[list[str], Form()] = [],  # noqa: B006  # FastAPI copies defaults per request
    tiers: Text = "",
    tier: Text = "",
    back: Text = "",
) -> Response:
    """Make leads of the ticked prospects, or of every qualified prospect of tier A (or A and B)."""
    campaign = campaign_service.campaign_or_404(session, campaign_id)
    body: dict[str, Any] = {"tiers": list(tiers)} if tiers else {"ids": ids}
    if not tiers and not ids:
        return _campaign_page(request, session, principal, campaign, tier,
                              error="Tick at least one prospect.", status=422)  # fmt: skip
    try:
        data = schemas.SendToBoardIn.model_validate(body)
    except ValidationError as exc:
        message = error_message(dict(exc.errors()[0]))
        return _campaign_page(request, session, principal, campaign, tier, error=message, status=422)
    prospects = ProspectRepository(session)
    if data.ids is not None:
        chosen = prospects.by_ids(campaign.id, data.ids)
    else:
        chosen = prospects.sendable(campaign.id, data.tiers or [])
    sent = handoff.send_to_board(session, principal, campaign, chosen)
    campaign_service.refresh_counters(session, campaign)
    campaign_service.publish_progress(session, campaign)
    unknown = len(data.ids) - len(chosen) if data.ids is not None else 0
    if back == "prospect" and len(chosen) == 1:
        return see_other(f"/campaigns/{campaign.id}/prospects/{chosen[0].id}")
    suffix = f"&tier={tier}" if tier in TIERS else ""
    return see_other(
        f"/campaigns/{campaign.id}?sent={len(sent.lead_ids)}&skipped={sent.skipped + unknown}{suffix}"
    )


# --- one prospect -----------------------------------------------------------------------------------


def _sources(session: DbSession, prospect: Prospect) -> list[dict[str, Any]]:
    known = ProspectSourceRepository(session).known(prospect.campaign_id)
    return [
        {"label": SOURCE_LABELS.get(source, source), "url": listing_url(source, source_id)}
        for (source, source_id), pid in known.items()
        if pid == prospect.id
    ]


@router.get("/campaigns/{campaign_id}/prospects/{prospect_id}", response_class=HTMLResponse)
def prospect_page(
    request: Request,
    campaign_id: uuid.UUID,
    prospect_id: uuid.UUID,
    principal: CurrentPrincipal,
    session: DbSession,
) -> Response:
    """Listing facts, score breakdown and tier reason, website audit, contacts and the AI analysis."""
    campaign = campaign_service.campaign_or_404(session, campaign_id)
    prospect = campaign_service.prospect_or_404(session, campaign, prospect_id)
    audit = prospect.audit or {}
    context = {
        "campaign": campaign,
        "prospect": prospect,
        "sources": _sources(session, prospect),
        "audit": audit,
        "website_score": (audit.get("score") or {}),
        "analysis": prospect.analysis or {},
        "breakdown": prospect.score_breakdown or [],
        "can_write": principal.has_role(Role.MEMBER),
    }
    return page(request, session, principal, "campaigns/prospect.html", context)
