"""Campaign pages through a real app: list, new-campaign form, campaign and prospect pages, roles."""

from __future__ import annotations

import re
import uuid
from typing import Any

from sqlalchemy import func, select

from salesos.auth.principal import Principal
from salesos.campaigns.models import Campaign, CampaignStatus, Prospect
from salesos.campaigns.repository import ProspectRepository
from salesos.campaigns.schemas import CampaignCreateIn
from salesos.campaigns.service import campaigns as campaign_service
from salesos.campaigns.service.scoring import Criteria, ScoreInputs, ScoringConfig, score_prospect
from salesos.db.session import unit_of_work
from salesos.orgs.models import Membership, Role
from tests.support.world import Person
from tests.web.test_board import browser, sign_in  # noqa: F401

BAD_SITE_AUDIT = {
    "url": "http://old-dental.example/",
    "reachable": True,
    "final_url": "http://old-dental.example/",
    "https": False,
    "certificate_valid": None,
    "response_time": 0.42,
    "page_weight": 20480,
    "viewport": False,
    "title": "Old Dental",
    "description": "",
    "technologies": [{"name": "jQuery", "category": "javascript", "version": "1.12.4"}],
    "socials": {"facebook": "https://facebook.com/olddental", "evil": "javascript:alert(1)"},
    "copyright_year": 2015,
    "hiring": False,
    "score": {
        "score": 10,
        "factors": [{"code": "no_https", "weight": 20, "reason": "The site is not served over HTTPS."}],
    },
}


def _principal(person: Person) -> Principal:
    return Principal(org_id=person.org_id, role=Role.OWNER, kind="token", user_id=person.user_id)


def make_campaign(person: Person, name: str = "Austin dentists") -> uuid.UUID:
    """A draft campaign of *person*'s org."""
    data = CampaignCreateIn(name=name, business_type="dentists", location="Austin, TX", start=False)
    with unit_of_work(org_id=person.org_id, user_id=person.user_id) as session:
        return campaign_service.create_campaign(session, _principal(person), data).id


def make_scored_prospect(person: Person, campaign_id: uuid.UUID, name: str = "Old Dental") -> uuid.UUID:
    """A prospect enriched and scored as the pipeline would store it (no reviews: OSM)."""
    contacts = [{"email": "jane@old-dental.example", "name": "Dr. Jane Smith", "title": "Owner",
                 "decision_maker": True, "role_address": False, "status": "unknown",
                 "status_reason": "no answer from DNS", "source": "website"}]  # fmt: skip
    inputs = ScoreInputs(website_score=10, reachable=True, rating=None, review_count=None, contacts=contacts,
                         has_phone=True, copyright_year=2015, hiring=False, category="dentist")  # fmt: skip
    result = score_prospect(inputs, ScoringConfig(), Criteria())
    with unit_of_work(org_id=person.org_id, user_id=person.user_id) as session:
        prospect = Prospect(
            campaign_id=campaign_id, name=name, website="http://old-dental.example/",
            domain="old-dental.example", phone="+15125550100", city="Austin", category="dentist",
            enrichment_status="done",
            audit=BAD_SITE_AUDIT, website_score=10, contacts=contacts,
            analysis={"summary": "An old site with no HTTPS.", "provider": "offline",
                      "pain_points": [{"text": "No HTTPS", "source_url": "http://old-dental.example/"}],
                      "hooks": [{"text": "Mobile visitors bounce", "source_url": "http://old-dental.example/"}]},
            score=result.score, tier=result.tier, tier_reason=result.tier_reason, qualified=result.qualified,
            score_breakdown=[f.as_dict() for f in result.breakdown],
        )  # fmt: skip
        ProspectRepository(session).add(prospect)
        campaign = session.get(Campaign, campaign_id)
        assert campaign is not None
        campaign_service.refresh_counters(session, campaign)
        return prospect.id


def _campaigns(person: Person) -> int:
    with unit_of_work(write=False, org_id=person.org_id) as session:
        return int(
            session.scalar(select(func.count()).select_from(Campaign).where(Campaign.org_id == person.org_id))
            or 0
        )


def _make_viewer(world: Any) -> None:
    with unit_of_work(org_id=world.alice.org_id, user_id=world.alice.user_id) as session:
        membership = session.get(Membership, world.bob.member_id)
        assert membership is not None
        membership.role = Role.VIEWER.value


def _form(token: str, **overrides: Any) -> dict[str, Any]:
    form = {"csrf_token": token, "name": "Austin dentists", "business_type": "dentists",
            "location": "Austin, TX", "radius_km": "", "sources": ["osm"], "max_prospects": "100",
            "min_reviews": "", "max_website_score": "", "industries": "", "weight_website": "40",
            "weight_reviews": "20", "weight_contact": "25", "weight_timing": "15", "tier_a": "70",
            "tier_b": "45", "auto_send_tiers": "", "refresh_hours": "6", "start": "0"}  # fmt: skip
    return {**form, **overrides}


def test_pages_render_for_a_member(client, browser, world):  # noqa: F811
    carol = browser()
    sign_in(carol, world.carol)  # org B has no campaign yet
    empty = carol.get("/campaigns")
    assert empty.status_code == 200 and "No campaigns yet" in empty.text
    assert 'aria-current="page"' in empty.text and "lead credits used this month" in empty.text
    b = browser()
    sign_in(b, world.alice)
    campaign_id = make_campaign(world.alice)
    prospect_id = make_scored_prospect(world.alice, campaign_id)
    listing = b.get("/campaigns")
    assert "Austin dentists" in listing.text and 'role="progressbar"' in listing.text
    assert "New campaign" in listing.text
    form = b.get("/campaigns/new")
    assert form.status_code == 200 and '<datalist id="business-types">' in form.text
    assert 'value="osm"' in form.text and "needs an API key" in form.text
    page = b.get(f"/campaigns/{campaign_id}")
    assert page.status_code == 200 and 'aria-valuenow="' in page.text
    assert f"/campaigns/{campaign_id}/prospects/{prospect_id}" in page.text and "Old Dental" in page.text
    assert "Send all A" in page.text and "Delete" in page.text
    live = b.get(f"/campaigns/{campaign_id}/live?tier=A", headers={"HX-Request": "true"})
    assert live.status_code == 200 and 'id="campaign-live"' in live.text and "<html" not in live.text
    assert "Old Dental" in b.get(f"/campaigns/{campaign_id}?tier=A").text
    assert "Old Dental" not in b.get(f"/campaigns/{campaign_id}?tier=C").text
    assert "<script>" not in page.text and "onclick" not in page.text


def test_prospect_page_shows_breakdown_bars_and_tier_reason(client, browser, world):  # noqa: F811
    campaign_id = make_campaign(world.alice)
    prospect_id = make_scored_prospect(world.alice, campaign_id)
    b = browser()
    sign_in(b, world.alice)
    page = b.get(f"/campaigns/{campaign_id}/prospects/{prospect_id}")
    assert page.status_code == 200
    assert len(re.findall(r'data-testid="breakdown-bar"', page.text)) == 4
    assert len(re.findall(r'class="breakdown-bar" style="width: \d+%"', page.text)) == 3
    assert "not counted" in page.text and "Review strength" in page.text
    assert 'data-testid="tier-reason"' in page.text and "website opportunity 90" in page.text
    assert "jQuery 1.12.4" in page.text and "The site is not served over HTTPS." in page.text
    assert "jane@old-dental.example" in page.text and "No HTTPS" in page.text
    assert "javascript:alert" not in page.text  # a listing's link is shown only if it is http(s)
    assert "Send to board" in page.text


def test_send_to_board_from_the_campaign_page(client, browser, world):  # noqa: F811
    campaign_id = make_campaign(world.alice)
    prospect_id = make_scored_prospect(world.alice, campaign_id)
    b = browser()
    token = sign_in(b, world.alice)
    nothing = b.post(f"/campaigns/{campaign_id}/send", data={"csrf_token": token})
    assert nothing.status_code == 422 and "Tick at least one prospect." in nothing.text
    sent = b.post(f"/campaigns/{campaign_id}/send", data={"csrf_token": token, "tiers": "A"})
    assert sent.status_code == 303 and "sent=1" in sent.headers["location"]
    page = b.get(sent.headers["location"])
    assert "Sent 1 prospect to the board." in page.text
    with unit_of_work(write=False, org_id=world.alice.org_id) as session:
        prospect = session.get(Prospect, prospect_id)
        assert prospect is not None and prospect.lead_id is not None
        lead_id = prospect.lead_id
    assert f'href="/leads/{lead_id}"' in b.get(f"/campaigns/{campaign_id}/prospects/{prospect_id}").text


def test_new_campaign_validation_errors_rerender_and_write_nothing(client, browser, world):  # noqa: F811
    b = browser()
    token = sign_in(b, world.alice)
    before = _campaigns(world.alice)
    bad = b.post("/campaigns/new", data=_form(token, name="", tier_a="40", tier_b="60", radius_km="500"))
    assert bad.status_code == 422
    assert 'id="f-name-error"' in bad.text and "This field is required." in bad.text
    assert 'id="f-radius_km-error"' in bad.text and 'id="f-scoring-error"' in bad.text
    assert "must be below “Tier A from”" in bad.text and '<details class="scoring-section" open' in bad.text
    assert 'value="Austin, TX"' in bad.text  # what was typed is kept
    unknown = b.post("/campaigns/new", data=_form(token, business_type="zzzz unknown"))
    assert unknown.status_code == 422 and 'id="f-business_type-error"' in unknown.text
    assert "OpenStreetMap has no category" in unknown.text
    no_source = b.post("/campaigns/new", data=_form(token, sources=[]))
    assert no_source.status_code == 422 and 'id="f-sources-error"' in no_source.text
    keyed = b.post("/campaigns/new", data=_form(token, sources=["osm", "yelp"]))
    assert keyed.status_code == 422 and "Yelp needs an API key" in keyed.text
    assert _campaigns(world.alice) == before
    created = b.post(
        "/campaigns/new", data=_form(token, name="Form-made", industries="dentist, orthodontist")
    )
    assert created.status_code == 303
    assert _campaigns(world.alice) == before + 1
    with unit_of_work(write=False, org_id=world.alice.org_id) as session:
        campaign = session.scalars(select(Campaign).where(Campaign.name == "Form-made")).one()
        assert campaign.status == CampaignStatus.DRAFT.value and campaign.refresh_hours == 6
        assert campaign.criteria["industries"] == ["dentist", "orthodontist"]
    assert created.headers["location"] == f"/campaigns/{campaign.id}"


def test_start_pause_resume_delete(client, browser, world):  # noqa: F811
    campaign_id = make_campaign(world.alice)
    b = browser()
    token = sign_in(b, world.alice)
    paused_draft = b.post(f"/campaigns/{campaign_id}/pause", data={"csrf_token": token})
    assert paused_draft.status_code == 409 and "Only a running campaign can be paused." in paused_draft.text
    started = b.post(f"/campaigns/{campaign_id}/start", data={"csrf_token": token})
    assert started.status_code == 303
    page = b.get(started.headers["location"])
    assert "Run started" in page.text and 'hx-trigger="campaign-progress, every 2s"' in page.text
    assert b.post(f"/campaigns/{campaign_id}/pause", data={"csrf_token": token}).status_code == 303
    assert ">Resume</button>" in b.get(f"/campaigns/{campaign_id}").text
    assert b.post(f"/campaigns/{campaign_id}/resume", data={"csrf_token": token}).status_code == 303
    before = _campaigns(world.alice)
    deleted = b.post(f"/campaigns/{campaign_id}/delete", data={"csrf_token": token})
    assert deleted.status_code == 303 and deleted.headers["location"] == "/campaigns?done=deleted"
    assert _campaigns(world.alice) == before - 1
    assert b.get(f"/campaigns/{campaign_id}").status_code == 404


def test_viewer_reads_but_cannot_post(client, browser, world):  # noqa: F811
    campaign_id = make_campaign(world.alice)
    prospect_id = make_scored_prospect(world.alice, campaign_id)
    _make_viewer(world)
    before = _campaigns(world.alice)
    b = browser()
    token = sign_in(b, world.bob)
    listing = b.get("/campaigns")
    assert listing.status_code == 200 and "New campaign" not in listing.text
    page = b.get(f"/campaigns/{campaign_id}")
    assert page.status_code == 200 and "Send all A" not in page.text and ">Pause<" not in page.text
    assert b.get(f"/campaigns/{campaign_id}/prospects/{prospect_id}").status_code == 200
    assert b.get("/campaigns/new").status_code == 403
    assert b.post("/campaigns/new", data=_form(token)).status_code == 403
    for action in ("start", "pause", "resume", "delete"):
        assert b.post(f"/campaigns/{campaign_id}/{action}", data={"csrf_token": token}).status_code == 403
    sent = b.post(f"/campaigns/{campaign_id}/send", data={"csrf_token": token, "tiers": "A"})
    assert sent.status_code == 403
    assert _campaigns(world.alice) == before


def test_another_orgs_campaign_and_prospect_are_not_found(client, browser, world):  # noqa: F811
    campaign_id = make_campaign(world.alice, name="Acme Alpha secret")
    prospect_id = make_scored_prospect(world.alice, campaign_id)
    own_campaign = make_campaign(world.carol, name="Carol's")
    before = _campaigns(world.alice)
    b = browser()
    token = sign_in(b, world.carol)
    assert "Acme Alpha secret" not in b.get("/campaigns").text
    for path in (f"/campaigns/{campaign_id}", f"/campaigns/{campaign_id}/live",
                 f"/campaigns/{campaign_id}/prospects/{prospect_id}",
                 f"/campaigns/{own_campaign}/prospects/{prospect_id}"):  # fmt: skip
        response = b.get(path)
        assert response.status_code == 404, path
        assert "Acme Alpha" not in response.text and "Old Dental" not in response.text
    for action in ("start", "pause", "resume", "delete"):
        assert b.post(f"/campaigns/{campaign_id}/{action}", data={"csrf_token": token}).status_code == 404
    sent = b.post(f"/campaigns/{campaign_id}/send", data={"csrf_token": token, "ids": [str(prospect_id)]})
    assert sent.status_code == 404
    # Alice's prospect id sent through Carol's own campaign is just unknown: nothing is sent.
    foreign = b.post(f"/campaigns/{own_campaign}/send", data={"csrf_token": token, "ids": [str(prospect_id)]})
    assert foreign.status_code == 303 and "sent=0&skipped=1" in foreign.headers["location"]
    assert _campaigns(world.alice) == before
    with unit_of_work(write=False, org_id=world.alice.org_id) as session:
        prospect = session.get(Prospect, prospect_id)
        assert prospect is not None and prospect.lead_id is None


def test_new_campaign_with_an_uploaded_list(client, browser, world):  # noqa: F811
    b = browser()
    token = sign_in(b, world.alice)
    before = _campaigns(world.alice)
    bad = b.post("/campaigns/new", data=_form(token, sources=[]),
                 files={"list_file": ("list.csv", b"Website\nhttp://a.example\n", "text/csv")})  # fmt: skip
    assert bad.status_code == 422 and 'id="f-list_file-error"' in bad.text and "business name" in bad.text
    assert _campaigns(world.alice) == before
    rows = b"Name,City\nSmile Co,Austin\nTooth Inc,Austin\n"
    good = b.post("/campaigns/new", data=_form(token, name="From my list", sources=[]),
                  files={"list_file": ("austin.csv", rows, "text/csv")})  # fmt: skip
    assert good.status_code == 303, good.text
    with unit_of_work(write=False, org_id=world.alice.org_id) as session:
        campaign = session.scalars(select(Campaign).where(Campaign.name == "From my list")).one()
        assert (campaign.sources, campaign.list_name, campaign.status) == (["file"], "austin.csv", "draft")
