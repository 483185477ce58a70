"""The board's column heads on their own (how a board catches up with a lead deleted elsewhere)."""

from __future__ import annotations

import re

from salesos.db.session import unit_of_work
from salesos.leads.service import leads as lead_service
from tests.web import test_board
from tests.web.test_board import HTMX, make_leads, sign_in, stages_of

browser = test_board.browser  # the fixture, shared with the board tests


def count_in(fragment: str, stage_id: object) -> int:
    """The count a column head in *fragment* shows."""
    head = re.search(rf'id="head-{stage_id}".*?class="column-count"[^>]*>(\d+)<', fragment, re.S)
    assert head, fragment
    return int(head.group(1))


def test_heads_follow_a_deletion_under_the_boards_filters(client, browser, world):
    first, _second = make_leads(world.alice, 2, name="Cedar")
    new = stages_of(world.alice)["New"]
    b = browser()
    sign_in(b, world.alice)
    heads = b.get("/leads/board/heads", params={"q": "Cedar"}, headers=HTMX)
    assert heads.status_code == 200 and 'class="lead-card"' not in heads.text
    assert count_in(heads.text, new) == 2
    with unit_of_work(org_id=world.alice.org_id, user_id=world.alice.user_id) as session:
        lead_service.delete_lead(session, lead_service.lead_or_404(session, first))
    assert count_in(b.get("/leads/board/heads", params={"q": "Cedar"}, headers=HTMX).text, new) == 1


def test_another_orgs_pipeline_shows_ones_own_heads(client, browser, world):
    """Carol naming org A's pipeline gets her own default board's heads, nothing of org A."""
    b = browser()
    sign_in(b, world.carol)
    response = b.get("/leads/board/heads", params={"pipeline": str(world.ids["pipeline_id"])}, headers=HTMX)
    assert response.status_code == 200
    assert all(marker not in response.text for marker in world.markers_a)
    assert ">New<" in response.text  # her own default pipeline's first column
