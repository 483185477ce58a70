"""The lead page's Details card: follow-up, source, tags, the company's details and custom fields."""

from __future__ import annotations

import re
from datetime import UTC, datetime

from salesos.auth.principal import Principal
from salesos.db.session import unit_of_work
from salesos.leads.schemas import CompanyIn, LeadCreateIn
from salesos.leads.service import leads as lead_service
from salesos.orgs.models import Role
from tests.web import test_board
from tests.web.test_board import sign_in

browser = test_board.browser  # the fixture, shared with the board tests


def _details(page: str) -> dict[str, str]:
    """The card's terms and their text (markup stripped)."""
    card = page.split('id="live-details"', 1)[1].split("</dl>", 1)[0]
    pairs = re.findall(r"<dt>(.*?)</dt><dd>(.*?)</dd>", card, re.S)
    return {term: re.sub(r"<[^>]+>", "", value).strip() for term, value in pairs}


def _follow_up(page: str) -> str:
    """The next follow-up as the Owner and follow-up card shows it (markup stripped)."""
    shown = page.split('id="live-follow-up" data-live-region>', 1)[1].split("</span></p>", 1)[0]
    return re.sub(r"<[^>]+>", "", shown).strip()


def test_details_card_shows_what_the_lead_carries(client, browser, world):
    person = world.alice
    with unit_of_work(org_id=person.org_id, user_id=person.user_id) as session:
        principal = Principal(org_id=person.org_id, role=Role.OWNER, kind="token", user_id=person.user_id)
        data = LeadCreateIn(
            company=CompanyIn(
                name="Detail Dairy", industry="Food", phone="+12125550142", website="https://dairy.example"
            ),
            source="trade fair",
            tags=["vip", "north & south"],
            next_follow_up_at=datetime(2031, 3, 4, 15, 30, tzinfo=UTC),
            custom_fields={"Rating": 4.5, "Reviews": 120, "Has shop": True, "Note <b>": "<script>x</script>"},
        )
        lead_id = lead_service.create_lead(session, principal, data).id
    b = browser()
    sign_in(b, person)
    page = b.get(f"/leads/{lead_id}").text
    details = _details(page)
    # A writer sees the follow-up in the Owner and follow-up card, where it is set (the org's zone is UTC).
    assert "Next follow-up" not in details and _follow_up(page) == "4 Mar 2031, 15:30"
    assert details["Source"] == "trade fair"
    assert details["Industry"] == "Food" and details["Company phone"] == "+12125550142"
    assert details["Domain"] == "dairy.example"
    assert (details["Rating"], details["Reviews"], details["Has shop"]) == ("4.5", "120", "Yes")
    # Custom fields come from outside (intake, imports, the API): shown as text, never as markup.
    assert "<script>x</script>" not in page and "&lt;script&gt;x&lt;/script&gt;" in page
    assert details["Note &lt;b&gt;"] == "&lt;script&gt;x&lt;/script&gt;"
    # Each tag links to the list filtered by it.
    assert 'href="/leads/list?tag=north%20%26%20south"' in page and 'href="/leads/list?tag=vip"' in page


def test_details_card_says_what_is_missing(client, browser, world):
    person = world.alice
    with unit_of_work(org_id=person.org_id, user_id=person.user_id) as session:
        principal = Principal(org_id=person.org_id, role=Role.OWNER, kind="token", user_id=person.user_id)
        lead_id = lead_service.create_lead(
            session, principal, LeadCreateIn(company=CompanyIn(name="Bare Co"))
        ).id
    b = browser()
    sign_in(b, person)
    page = b.get(f"/leads/{lead_id}").text
    details = _details(page)
    assert (_follow_up(page), details["Source"], details["Tags"]) == ("None planned", "—", "—")
    assert "Industry" not in details and "Score" not in details
