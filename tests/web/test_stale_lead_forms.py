"""Stage and owner forms shown before another user's change: refused with a message naming the change,
nothing written, the page showing the lead as it is now (not the form's stale choice)."""

from __future__ import annotations

import html
import re
import uuid

from salesos.leads.models import Lead, LeadStatusHistory
from tests.web import test_board
from tests.web.test_board import HTMX, count_rows, make_leads, sign_in, stages_of

browser = test_board.browser  # the fixture, shared with the board tests


def hidden(page: str, name: str) -> str:
    """The value of the page's hidden input *name*."""
    match = re.search(rf'<input type="hidden" name="{name}" value="([^"]*)">', page)
    assert match, f"no hidden {name}"
    return match.group(1)


def selected(page: str, select_id: str) -> str:
    """The value of the option marked selected in the select with id *select_id*."""
    select = re.search(rf'<select id="{select_id}"[^>]*>(.*?)</select>', page, re.S)
    assert select
    option = re.search(r'<option value="([^"]*)"[^>]*\sselected', select.group(1))
    return option.group(1) if option else ""


def test_a_stage_change_against_a_stage_left_since_is_refused(client, browser, world):
    (lead_id,) = make_leads(world.alice, 1, name="Maple")
    stage = stages_of(world.alice)
    alice, bob = browser(), browser()
    alice_token, bob_token = sign_in(alice, world.alice), sign_in(bob, world.bob)
    shown = alice.get(f"/leads/{lead_id}").text
    assert hidden(shown, "expected_stage_id") == str(stage["New"])

    # Bob moves the lead on; Alice's Stage form still says New and she presses "Change stage" as it is.
    moved = bob.post(
        f"/leads/{lead_id}/stage", data={"stage_id": str(stage["Proposal"]), "csrf_token": bob_token}
    )
    assert moved.status_code == 303
    moves = count_rows(world.alice, LeadStatusHistory, lead_id=lead_id)
    stale = {"stage_id": str(stage["New"]), "expected_stage_id": str(stage["New"]), "csrf_token": alice_token}
    refused = alice.post(f"/leads/{lead_id}/stage", data=stale)

    assert refused.status_code == 409
    text = html.unescape(refused.text)
    assert "Bob Brooks moved this lead to Proposal meanwhile; look again before changing it." in text
    assert "Stage changed." not in text
    assert count_rows(world.alice, Lead, id=lead_id, stage_id=stage["Proposal"]) == 1
    assert count_rows(world.alice, LeadStatusHistory, lead_id=lead_id) == moves
    # The page shows the lead as it is now: the select on Proposal, the form expecting Proposal.
    assert selected(refused.text, "f-stage_id") == str(stage["Proposal"])
    assert hidden(refused.text, "expected_stage_id") == str(stage["Proposal"])
    assert 'id="f-stage_id-error"' in refused.text

    # The board's move (an HTMX request) is refused the same way, with the message as its fragment.
    board_move = dict(stale, stage_id=str(stage["Contacted"]))
    from_board = alice.post(f"/leads/{lead_id}/stage", data=board_move, headers=HTMX)
    assert from_board.status_code == 409
    assert "Bob Brooks moved this lead to Proposal meanwhile" in html.unescape(from_board.text)
    assert count_rows(world.alice, Lead, id=lead_id, stage_id=stage["Proposal"]) == 1

    # Looking again (the form now expects Proposal), the change goes through.
    fresh = dict(stale, stage_id=str(stage["Qualified"]), expected_stage_id=str(stage["Proposal"]))
    assert alice.post(f"/leads/{lead_id}/stage", data=fresh).status_code == 303
    assert count_rows(world.alice, Lead, id=lead_id, stage_id=stage["Qualified"]) == 1


def test_a_stale_form_asking_for_the_current_stage_changes_nothing_and_says_so(client, browser, world):
    (lead_id,) = make_leads(world.alice, 1, name="Oak")
    stage = stages_of(world.alice)
    alice, bob = browser(), browser()
    alice_token, bob_token = sign_in(alice, world.alice), sign_in(bob, world.bob)
    bob.post(f"/leads/{lead_id}/stage", data={"stage_id": str(stage["Proposal"]), "csrf_token": bob_token})
    # Alice chose Proposal too, on a form that still expected New: nothing to undo, nothing to refuse.
    data = {
        "stage_id": str(stage["Proposal"]),
        "expected_stage_id": str(stage["New"]),
        "csrf_token": alice_token,
    }
    same = alice.post(f"/leads/{lead_id}/stage", data=data)
    assert same.status_code == 303 and same.headers["location"].endswith("done=stage-same")
    assert "Nothing changed: the lead is already at that stage." in alice.get(same.headers["location"]).text
    # A form without the field (the stage path's buttons, older pages) is not checked.
    path = {"stage_id": str(stage["Won"]), "csrf_token": alice_token}
    assert alice.post(f"/leads/{lead_id}/stage", data=path).status_code == 303
    assert count_rows(world.alice, Lead, id=lead_id, stage_id=stage["Won"]) == 1


def test_an_owner_change_against_an_owner_changed_since_is_refused(client, browser, world):
    (lead_id,) = make_leads(world.alice, 1, name="Birch")
    alice, bob = browser(), browser()
    alice_token, bob_token = sign_in(alice, world.alice), sign_in(bob, world.bob)
    shown = alice.get(f"/leads/{lead_id}").text
    assert hidden(shown, "expected_owner_id") == "none"  # unassigned

    # Bob takes the lead; Alice's Owner select still says Unassigned and she presses "Assign owner".
    took = {"owner_id": str(world.bob.user_id), "expected_owner_id": "none", "csrf_token": bob_token}
    assert bob.post(f"/leads/{lead_id}/owner", data=took).status_code == 303
    for choice in ("", str(world.alice.user_id)):
        stale = {"owner_id": choice, "expected_owner_id": "none", "csrf_token": alice_token}
        refused = alice.post(f"/leads/{lead_id}/owner", data=stale)
        assert refused.status_code == 409
        text = html.unescape(refused.text)
        assert "Bob Brooks took this lead meanwhile; look again before changing it." in text
        assert 'id="f-owner_id-error"' in refused.text
        assert count_rows(world.alice, Lead, id=lead_id, owner_id=world.bob.user_id) == 1
        # The page shows the owner as it is now, and its form expects that owner.
        assert selected(refused.text, "f-owner_id") == str(world.bob.user_id)
        assert hidden(refused.text, "expected_owner_id") == str(world.bob.user_id)

    # Another user's hand-over names both; and from the refused page (expecting Bob) Alice can change it.
    gave = {
        "owner_id": str(world.alice.user_id),
        "expected_owner_id": str(world.bob.user_id),
        "csrf_token": bob_token,
    }
    assert bob.post(f"/leads/{lead_id}/owner", data=gave).status_code == 303
    stale = {"owner_id": "", "expected_owner_id": str(world.bob.user_id), "csrf_token": alice_token}
    refused = alice.post(f"/leads/{lead_id}/owner", data=stale)
    assert refused.status_code == 409
    assert "Bob Brooks gave this lead to you meanwhile" in html.unescape(refused.text)
    current = {"owner_id": "", "expected_owner_id": str(world.alice.user_id), "csrf_token": alice_token}
    assert alice.post(f"/leads/{lead_id}/owner", data=current).status_code == 303
    assert count_rows(world.alice, Lead, id=lead_id, owner_id=None) == 1


def test_an_unreadable_expected_value_is_not_a_check(client, browser, world):
    """Only a form that says what it showed is compared; garbage reads as "not said" (never a 500)."""
    (lead_id,) = make_leads(world.alice, 1, name="Elm")
    stage = stages_of(world.alice)
    alice = browser()
    token = sign_in(alice, world.alice)
    data = {"stage_id": str(stage["Contacted"]), "expected_stage_id": "not-an-id", "csrf_token": token}
    assert alice.post(f"/leads/{lead_id}/stage", data=data).status_code == 303
    owner = {
        "owner_id": str(world.bob.user_id),
        "expected_owner_id": str(uuid.uuid4())[:8],
        "csrf_token": token,
    }
    assert alice.post(f"/leads/{lead_id}/owner", data=owner).status_code == 303
