"""Sending prospects to the board: each becomes a lead (or joins the org's lead for the same business)
with its score, tier, best contact, and a note carrying the analysis and where each finding came from."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

from sqlalchemy.orm import Session

from salesos.auth.principal import Principal
from salesos.campaigns.models import Campaign, Prospect
from salesos.campaigns.repository import ProspectRepository
from salesos.campaigns.service import campaigns as campaign_service
from salesos.campaigns.service.contacts import rank
from salesos.errors import ValidationFailed
from salesos.leads import normalize
from salesos.leads.models import Lead
from salesos.leads.schemas import CompanyIn, ContactIn, LeadCreateIn
from salesos.leads.service import dedup
from salesos.leads.service import leads as lead_service
from salesos.leads.service.work import add_note

SOURCE = "campaign"
TIERS: dict[str, Literal["A", "B", "C"]] = {"A": "A", "B": "B", "C": "C"}


@dataclass
class Sent:
    """Leads made (or joined) from prospects, and prospects left alone (already sent, or unusable)."""

    lead_ids: list[Any] = field(default_factory=list)
    created: int = 0
    skipped: int = 0
    # The prospects that were chosen (found in the campaign), sent or not.
    chosen: list[Any] = field(default_factory=list)


def _contact(prospect: Prospect) -> ContactIn | None:
    people = sorted(prospect.contacts or [], key=rank)
    best = next((c for c in people if c.get("email") and c.get("status") != "invalid"), None)
    if best is None:
        return None
    return ContactIn(
        first_name=best.get("first_name"), last_name=best.get("last_name"), title=best.get("title"),
        email=best["email"], is_decision_maker=bool(best.get("decision_maker")),
    )  # fmt: skip


def lead_input(campaign: Campaign, prospect: Prospect) -> LeadCreateIn:
    """The lead a prospect becomes: company from the listing, best contact, tier and campaign tag."""
    company = CompanyIn(
        # A listing's link that is no web address is left out; the lead is still made.
        name=prospect.name, website=normalize.web_address_or_none(prospect.website), domain=prospect.domain,
        phone=prospect.phone,
        address=prospect.street, city=prospect.city, region=prospect.region, postal_code=prospect.postcode,
        country=prospect.country, lat=prospect.lat, lon=prospect.lon, industry=prospect.category,
        source=SOURCE,
    )  # fmt: skip
    tag = f"campaign:{campaign.name}"[:40]
    return LeadCreateIn(company=company, contact=_contact(prospect), source=SOURCE, tags=[tag],
                        tier=TIERS.get(prospect.tier or ""))  # fmt: skip


def note_body(campaign: Campaign, prospect: Prospect) -> str:
    """Markdown: why the prospect scored as it did, and the analysis with each finding's source."""
    analysis = prospect.analysis or {}
    lines = [f"**From campaign “{campaign.name}”** — score {prospect.score}, tier {prospect.tier}.", ""]
    if prospect.tier_reason:
        lines += [prospect.tier_reason, ""]
    if analysis.get("summary"):
        lines += [analysis["summary"], ""]
    for heading, key in (("Pain points", "pain_points"), ("Openers", "hooks")):
        if analysis.get(key):
            lines.append(f"**{heading}**")
            lines += [f"- {item['text']} ([source]({item['source_url']}))" for item in analysis[key]]
            lines.append("")
    return "\n".join(lines).strip()


def _one(session: Session, principal: Principal, campaign: Campaign, prospect: Prospect) -> tuple[Lead, bool]:
    data = lead_input(campaign, prospect)
    keys = dedup.match_keys(session, data)
    existing = dedup.find_existing_lead(session, email=keys.email, phone=keys.phone, domain=keys.domain)
    if existing is not None:
        dedup.merge_into(session, existing, data, actor_id=principal.user_id)
        return existing, False
    lead = lead_service.create_lead(session, principal, data)
    return lead, True


def send_to_board(
    session: Session, principal: Principal, campaign: Campaign, prospects: Sequence[Prospect]
) -> Sent:
    """Make leads of *prospects* not yet on the board; an existing lead for the business is reused."""
    sent = Sent()
    for prospect in prospects:
        if prospect.lead_id is not None or prospect.score is None:
            sent.skipped += 1
            continue
        try:
            # A savepoint: a refused prospect must not leave half a company behind.
            with session.begin_nested():
                lead, created = _one(session, principal, campaign, prospect)
        except ValidationFailed:
            # A listing value the lead rules refuse (say, a malformed phone) skips this prospect only.
            sent.skipped += 1
            continue
        if lead.score is None or (prospect.score or 0) > lead.score:
            lead.score, lead.tier = prospect.score, prospect.tier
        add_note(session, principal, lead, note_body(campaign, prospect))
        prospect.lead_id = lead.id
        sent.lead_ids.append(lead.id)
        sent.created += int(created)
    session.flush()
    return sent


def send_chosen(
    session: Session,
    principal: Principal,
    campaign: Campaign,
    *,
    ids: Sequence[uuid.UUID] | None,
    tiers: Sequence[str] | None,
) -> Sent:
    """Send these prospects (unknown ids count as skipped), or every qualified one of *tiers*."""
    if (ids is None) == (tiers is None):
        raise ValidationFailed("Give either ids or tiers.", field="ids")
    prospects = ProspectRepository(session)
    chosen = (
        prospects.by_ids(campaign.id, ids)
        if ids is not None
        else prospects.sendable(campaign.id, tiers or [])
    )
    sent = send_to_board(session, principal, campaign, chosen)
    sent.skipped += len(ids) - len(chosen) if ids is not None else 0
    sent.chosen = [p.id for p in chosen]
    campaign_service.refresh_counters(session, campaign)
    campaign_service.publish_progress(session, campaign)
    return sent
