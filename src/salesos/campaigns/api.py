"""Campaigns JSON API: create and steer campaigns, read their prospects, send the best to the board."""

from __future__ import annotations

import uuid
from typing import Annotated, Literal

from fastapi import APIRouter, Query, Request, Response
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile

from salesos.api.middleware import allow_large_body
from salesos.api.schemas import Cursor, Limit, PageOut, multipart_upload
from salesos.auth.deps import Viewer, Writer
from salesos.campaigns import schemas
from salesos.campaigns.models import Campaign, Prospect
from salesos.campaigns.repository import CampaignRepository, ProspectRepository, ProspectSourceRepository
from salesos.campaigns.service import campaigns as campaign_service
from salesos.campaigns.service import handoff, lists
from salesos.db.deps import DbSession
from salesos.db.pagination import paginate
from salesos.errors import ValidationFailed
from salesos.uploads import ENVELOPE_BYTES

router = APIRouter(tags=["campaigns"])

TierFilter = Annotated[Literal["A", "B", "C"] | None, Query(description="Only prospects of this tier")]


def campaign_out(campaign: Campaign) -> schemas.CampaignOut:
    """The campaign with its derived progress figures."""
    view = campaign_service.progress_view(campaign)
    fields = {k: getattr(campaign, k) for k in schemas.CampaignOut.model_fields if hasattr(campaign, k)}
    return schemas.CampaignOut.model_validate({**fields, **vars(view)})


def prospect_detail(session: DbSession, prospect: Prospect) -> schemas.ProspectDetailOut:
    """A prospect with its audit, contacts, analysis, breakdown and source records."""
    records = ProspectSourceRepository(session).of_prospect(prospect.id)
    sources = [{"source": source, "source_id": source_id} for source, source_id in records]
    fields = {k: getattr(prospect, k) for k in schemas.ProspectDetailOut.model_fields if hasattr(prospect, k)}
    return schemas.ProspectDetailOut.model_validate({**fields, "sources": sources})


@router.post("/campaigns", status_code=201, response_model=schemas.CampaignOut)
def create_campaign(
    body: schemas.CampaignCreateIn, principal: Writer, session: DbSession
) -> schemas.CampaignOut:
    """Create a campaign; it starts at once (discovery → enrichment → scoring) unless start is false."""
    campaign = campaign_service.create_campaign(session, principal, body)
    return campaign_out(campaign)


@router.get("/campaigns", response_model=PageOut[schemas.CampaignOut])
def list_campaigns(
    principal: Viewer, session: DbSession, limit: Limit = 50, cursor: Cursor = None
) -> PageOut[schemas.CampaignOut]:
    """The organisation's campaigns, newest first."""
    page = paginate(session, CampaignRepository(session).listing(), Campaign.id, limit=limit, cursor=cursor)
    return PageOut(items=[campaign_out(c) for c in page.items], next_cursor=page.next_cursor)


@router.get("/campaigns/{campaign_id}", response_model=schemas.CampaignOut)
def get_campaign(campaign_id: uuid.UUID, principal: Viewer, session: DbSession) -> schemas.CampaignOut:
    """Status, counters (found, enriched, failed, qualified, sent) and progress: percent, rate, ETA."""
    return campaign_out(campaign_service.campaign_or_404(session, campaign_id))


@router.patch("/campaigns/{campaign_id}", response_model=schemas.CampaignOut)
def update_campaign(
    campaign_id: uuid.UUID, body: schemas.CampaignUpdateIn, principal: Writer, session: DbSession
) -> schemas.CampaignOut:
    """Change name, limits, criteria, scoring or refresh; new criteria or weights rescore the prospects."""
    campaign = campaign_service.campaign_or_404(session, campaign_id)
    changes = body.model_dump(exclude_unset=True, exclude_none=False)
    return campaign_out(campaign_service.update_campaign(session, campaign, changes))


@router.post("/campaigns/{campaign_id}/start", response_model=schemas.CampaignOut)
def start_campaign(campaign_id: uuid.UUID, principal: Writer, session: DbSession) -> schemas.CampaignOut:
    """Start a draft, or run a finished campaign again now (a refresh: it reports what is new)."""
    campaign = campaign_service.campaign_or_404(session, campaign_id)
    return campaign_out(campaign_service.start_run(session, campaign))


@router.post("/campaigns/{campaign_id}/pause", response_model=schemas.CampaignOut)
def pause_campaign(campaign_id: uuid.UUID, principal: Writer, session: DbSession) -> schemas.CampaignOut:
    """Pause a running campaign; prospects not yet enriched wait."""
    campaign = campaign_service.campaign_or_404(session, campaign_id)
    return campaign_out(campaign_service.pause(session, campaign))


@router.post("/campaigns/{campaign_id}/resume", response_model=schemas.CampaignOut)
def resume_campaign(campaign_id: uuid.UUID, principal: Writer, session: DbSession) -> schemas.CampaignOut:
    """Resume a paused or failed campaign where it stopped."""
    campaign = campaign_service.campaign_or_404(session, campaign_id)
    return campaign_out(campaign_service.resume(session, campaign))


@router.delete("/campaigns/{campaign_id}", status_code=204)
def delete_campaign(campaign_id: uuid.UUID, principal: Writer, session: DbSession) -> Response:
    """Delete the campaign and its prospects (leads already sent to the board stay)."""
    campaign_service.delete_campaign(session, campaign_service.campaign_or_404(session, campaign_id))
    return Response(status_code=204)


LIST_PATH = "/api/v1/campaigns/[^/]+/list"
# Lists are up to 10 MB, past the global 1 MiB body limit; attach_list enforces its own.
allow_large_body(LIST_PATH, lists.MAX_BYTES + ENVELOPE_BYTES)


@router.put(
    "/campaigns/{campaign_id}/list",
    response_model=schemas.CampaignListOut,
    openapi_extra=multipart_upload(),
)
async def upload_list(
    campaign_id: uuid.UUID, request: Request, principal: Writer, session: DbSession
) -> schemas.CampaignListOut:
    """Attach a CSV or JSON list of businesses (up to 10 MB) as the campaign's "file" source."""
    campaign = await run_in_threadpool(campaign_service.campaign_or_404, session, campaign_id)
    form = await request.form(max_files=1, max_fields=5)
    file = form.get("file")
    if not isinstance(file, UploadFile):
        raise ValidationFailed("Attach a CSV or JSON file.", field="file")
    count = await run_in_threadpool(lists.attach_list, campaign, file.filename or "", file.file)
    out = await run_in_threadpool(campaign_out, campaign)
    return schemas.CampaignListOut(campaign=out, filename=campaign.list_name or "", businesses=count)


@router.get("/campaigns/{campaign_id}/prospects", response_model=PageOut[schemas.ProspectOut])
def list_prospects(
    campaign_id: uuid.UUID,
    principal: Viewer,
    session: DbSession,
    tier: TierFilter = None,
    limit: Limit = 50,
    cursor: Cursor = None,
) -> PageOut[schemas.ProspectOut]:
    """The campaign's prospects in the order found (cursor-paged); ``tier`` filters."""
    campaign = campaign_service.campaign_or_404(session, campaign_id)
    stmt = ProspectRepository(session).in_campaign(campaign.id)
    if tier:
        stmt = stmt.where(Prospect.tier == tier)
    page = paginate(session, stmt, Prospect.id, limit=limit, cursor=cursor)
    items = [schemas.ProspectOut.model_validate(p) for p in page.items]
    return PageOut(items=items, next_cursor=page.next_cursor)


@router.get("/campaigns/{campaign_id}/prospects/{prospect_id}", response_model=schemas.ProspectDetailOut)
def get_prospect(
    campaign_id: uuid.UUID, prospect_id: uuid.UUID, principal: Viewer, session: DbSession
) -> schemas.ProspectDetailOut:
    """Everything found about one prospect, its score breakdown and tier reason."""
    campaign = campaign_service.campaign_or_404(session, campaign_id)
    return prospect_detail(session, campaign_service.prospect_or_404(session, campaign, prospect_id))


@router.post("/campaigns/{campaign_id}/send-to-board", response_model=schemas.SendToBoardOut)
def send_to_board(
    campaign_id: uuid.UUID, body: schemas.SendToBoardIn, principal: Writer, session: DbSession
) -> schemas.SendToBoardOut:
    """Make leads of the given prospects, or of every qualified prospect of the given tiers."""
    campaign = campaign_service.campaign_or_404(session, campaign_id)
    sent = handoff.send_chosen(session, principal, campaign, ids=body.ids, tiers=body.tiers)
    return schemas.SendToBoardOut(created=sent.created, lead_ids=sent.lead_ids, skipped=sent.skipped)
