"""Duplicates in the browser: the suggestion on the lead page, the confirmation, merge, dismiss, roles."""

from __future__ import annotations

import uuid

from salesos.auth.principal import Principal
from salesos.db.session import unit_of_work
from salesos.leads.models import MergeSuggestion, Note
from salesos.leads.schemas import CompanyIn, LeadCreateIn
from salesos.leads.service import duplicates
from salesos.leads.service import leads as lead_service
from salesos.orgs.models import Role
from tests.support.world import Person
from tests.web import test_board
from tests.web.test_board import count_rows, sign_in
from tests.web.test_lead_actions import make_viewer

browser = test_board.browser  # the fixture, shared with the board tests


def alike_pair(person: Person) -> tuple[uuid.UUID, uuid.UUID]:
    """Two leads named alike in one city, with the merge suggestion a scan stores for them."""
    principal = Principal(org_id=person.org_id, role=Role.OWNER, kind="token", user_id=person.user_id)
    with unit_of_work(org_id=person.org_id, user_id=person.user_id) as session:
        ids = [
            lead_service.create_lead(
                session, principal, LeadCreateIn(company=CompanyIn(name=name, city="Austin"))
            ).id
            for name in ("Joe's Pizza", "Joes Pizza LLC")
        ]
    # A scan reads committed leads (in a read session of its own, as its job does).
    with unit_of_work(org_id=person.org_id, user_id=person.user_id) as session:
        assert duplicates.scan(session) >= 1
    return ids[0], ids[1]


def test_merge_from_the_lead_page_through_the_confirmation(client, browser, world):
    keep, other = alike_pair(world.alice)
    b = browser()
    token = sign_in(b, world.alice)
    note = b.post(f"/leads/{other}/notes", data={"body": "Other's note", "csrf_token": token})
    assert note.status_code == 303
    page = b.get(f"/leads/{keep}").text
    assert "Possible duplicates" in page and "Joes Pizza LLC" in page
    assert f'href="/leads/{keep}/merge/{other}"' in page
    confirm = b.get(f"/leads/{keep}/merge/{other}")
    assert confirm.status_code == 200 and "Merge into Joe&#39;s Pizza?" in confirm.text
    merged = b.post(f"/leads/{keep}/merge/{other}", data={"csrf_token": token})
    assert merged.status_code == 303 and merged.headers["location"] == f"/leads/{keep}?done=merged"
    page = b.get(f"/leads/{keep}?done=merged").text
    assert "Leads merged." in page and "Other's note" in page
    assert "Merged the duplicate lead Joes Pizza LLC into this one" in page
    assert "Possible duplicates" not in page
    assert b.get(f"/leads/{other}").status_code == 404
    assert count_rows(world.alice, Note, lead_id=keep) == 1


def test_dismiss_returns_to_the_lead_and_the_pair_is_gone(client, browser, world):
    keep, other = alike_pair(world.alice)
    b = browser()
    token = sign_in(b, world.alice)
    listing = b.get("/leads/duplicates").text
    assert "Joe&#39;s Pizza" in listing and "Joes Pizza LLC" in listing
    with unit_of_work(org_id=world.alice.org_id) as session:
        suggestion = session.query(MergeSuggestion).filter_by(lead_id=min(keep, other)).one()
        suggestion_id = suggestion.id
    # "back" only ever leads to one of the pair's leads, never elsewhere.
    outside = b.post(
        f"/leads/duplicates/{suggestion_id}/dismiss", data={"back": "//evil.example", "csrf_token": token}
    )
    assert outside.headers["location"] == "/leads/duplicates?done=dismissed"
    assert "Possible duplicates" not in b.get(f"/leads/{keep}").text
    scan = b.post("/leads/duplicates/scan", data={"csrf_token": token})
    assert scan.status_code == 303 and scan.headers["location"] == "/leads/duplicates?done=scan"


def test_viewers_see_suggestions_but_cannot_act_and_other_orgs_see_nothing(client, browser, world):
    keep, other = alike_pair(world.alice)
    make_viewer(world)
    viewer = browser()
    token = sign_in(viewer, world.bob)
    page = viewer.get(f"/leads/{keep}").text
    assert "Possible duplicates" in page and "Merge into this lead" not in page
    assert viewer.post(f"/leads/{keep}/merge/{other}", data={"csrf_token": token}).status_code == 403
    carol = browser()
    token = sign_in(carol, world.carol)
    assert carol.get(f"/leads/{keep}/merge/{other}").status_code == 404
    assert carol.post(f"/leads/{keep}/merge/{other}", data={"csrf_token": token}).status_code == 404
    assert "Joe&#39;s Pizza" not in carol.get("/leads/duplicates").text


def test_notes_render_markdown_without_html_or_script_links(client, browser, world):
    keep, _ = alike_pair(world.alice)
    b = browser()
    token = sign_in(b, world.alice)
    body = "**Budget** approved\n\n- call Monday\n- [site](https://joes.example) [x](javascript:alert(1))"
    assert b.post(f"/leads/{keep}/notes", data={"body": body, "csrf_token": token}).status_code == 303
    page = b.get(f"/leads/{keep}").text
    assert "<strong>Budget</strong> approved" in page and "<li>call Monday</li>" in page
    assert '<a href="https://joes.example" rel="noopener noreferrer nofollow">site</a>' in page
    assert 'href="javascript' not in page and "[x](javascript:alert(1))" in page  # left as text
