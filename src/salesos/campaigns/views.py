"""Campaign HTML pages: the list, a campaign's live progress and ranked prospects, one prospect's findings
and score breakdown, and the buttons that steer a run or send prospects to the board (the new-campaign
form is in form_views.py).
"""

from __future__ import annotations

import uuid
from typing import Annotated, Any

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import HTMLResponse, Response
from pydantic import ValidationError

from salesos.auth.deps import CurrentPrincipal, Writer
from salesos.auth.principal import Principal
from salesos.campaigns import schemas
from salesos.campaigns.form_views import router as form_router
from salesos.campaigns.models import Campaign, CampaignStatus, Prospect
from salesos.campaigns.repository import (
    CampaignRepository,
    Counts,
    ProspectRepository,
    ProspectSourceRepository,
)
from salesos.campaigns.service import campaigns as campaign_service
from salesos.campaigns.service import handoff
from salesos.campaigns.service.credits import credits
from salesos.campaigns.service.discovery import listing_url
from salesos.campaigns.service.providers import SOURCE_LABELS
from salesos.db.base import utcnow
from salesos.db.deps import DbSession
from salesos.errors import DomainError
from salesos.orgs.models import Role
from salesos.web.forms import attempt, error_message
from salesos.web.pages import page, see_other

router = APIRouter(include_in_schema=False)
# First: /campaigns/new must match before /campaigns/{campaign_id}.
router.include_router(form_router)

TierTab = Annotated[str, Query(max_length=1)]
Text = Annotated[str, Form()]
TIERS = ("A", "B", "C")
NOTICES = {
    "deleted": "Campaign deleted. Leads it sent to the board stay there.",
    "paused": "Campaign paused; prospects not enriched yet wait until you resume.",
    "resumed": "Campaign resumed.",
    "retried": "Trying again: the run carries on where it stopped.",
    "started": "Run started: new prospects appear below as they are found.",
}


# --- the campaign list ------------------------------------------------------------------------------


def _summary(campaign: Campaign, counts: Counts) -> dict[str, Any]:
    """A campaign as one row of the list (and the header of its page): progress and counters."""
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
    campaigns = CampaignRepository(session).recent()
    counts = ProspectRepository(session).counts_by_campaign([c.id for c in campaigns])
    rows = [_summary(c, counts.get(c.id, Counts.none())) for c in campaigns]
    context = {
        "rows": rows,
        "credits": _credits(session),
        "can_write": principal.has_role(Role.MEMBER),
        "notice": NOTICES.get(done),
    }
    return page(request, session, principal, "campaigns/list.html", context)


# --- one campaign -----------------------------------------------------------------------------------


def _best_contact(prospect: Prospect) -> dict[str, Any] | None:
    # Stored contacts are already ranked (reachable decision makers first).
    return next((c for c in prospect.contacts or [] if c.get("email")), None)


def _live_context(session: DbSession, principal: Principal, campaign: Campaign, tier: str) -> dict[str, Any]:
    tier = tier if tier in TIERS else ""
    prospects = ProspectRepository(session).ranked(campaign.id, tier=tier or None)
    return {
        **_summary(campaign, ProspectRepository(session).counts(campaign.id)),
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
    failed = campaign.status == CampaignStatus.FAILED.value
    try:
        with attempt(session):
            steps[action](session, campaign)
    except DomainError as exc:
        return _campaign_page(request, session, principal, campaign, error=exc.detail, status=exc.status_code)
    done = {"pause": "paused", "resume": "retried" if failed else "resumed", "start": "started"}[action]
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
    """Carry on where the run stopped (the Retry of a failed run)."""
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
    sent = handoff.send_chosen(session, principal, campaign, ids=data.ids, tiers=data.tiers)
    if back == "prospect" and len(sent.chosen) == 1:
        return see_other(f"/campaigns/{campaign.id}/prospects/{sent.chosen[0]}")
    suffix = f"&tier={tier}" if tier in TIERS else ""
    return see_other(f"/campaigns/{campaign.id}?sent={len(sent.lead_ids)}&skipped={sent.skipped}{suffix}")


# --- one prospect -----------------------------------------------------------------------------------


def _sources(session: DbSession, prospect: Prospect) -> list[dict[str, Any]]:
    return [
        {"label": SOURCE_LABELS.get(source, source), "url": listing_url(source, source_id)}
        for source, source_id in ProspectSourceRepository(session).of_prospect(prospect.id)
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
