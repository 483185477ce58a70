"""The lead list with filters naming what is gone: a deleted stage is dropped and said so, an owner who left
is shown by name; and the bulk Assign offers only members who can own leads."""

from __future__ import annotations

import html
import re
import uuid
from typing import Any

from salesos.db.session import unit_of_work
from salesos.leads.models import SavedView
from salesos.leads.repository import SavedViewRepository
from salesos.leads.service import pipelines as pipeline_service
from salesos.orgs.models import Membership, Role
from tests.conftest import both_databases
from tests.support.world import Person
from tests.web.test_board import browser, make_leads, sign_in, stages_of  # noqa: F401  (browser: fixture)
from tests.web.test_list import PAGE


def _view(person: Person, name: str, filters: dict[str, Any]) -> uuid.UUID:
    with unit_of_work(org_id=person.org_id, user_id=person.user_id) as session:
        view = SavedView(user_id=person.user_id, name=name, filters=filters)
        return SavedViewRepository(session).add(view).id


def _delete_empty_stage(person: Person, name: str) -> uuid.UUID:
    """Delete a stage of the default pipeline that holds no lead (so no stage receives its leads)."""
    with unit_of_work(org_id=person.org_id, user_id=person.user_id) as session:
        pipeline = pipeline_service.ensure_default_pipeline(session)
        stage = next(s for s in pipeline.stages if s.name == name)
        pipeline_service.delete_stage(session, pipeline, stage, move_to=None, actor_id=person.user_id)
        return stage.id


def _count(page: str) -> int:
    match = re.search(r'id="list-count">(\d+) leads?<', page)
    assert match
    return int(match.group(1))


def _select(page: str, select_id: str) -> str:
    match = re.search(rf'<select id="{select_id}".*?</select>', page, re.S)
    assert match, select_id
    return match.group(0)


def _selected(select: str) -> list[str]:
    return re.findall(r"<option [^>]*selected[^>]*>([^<]+)</option>", select)


@both_databases
def test_a_view_on_a_deleted_stage_says_so_and_filters_on_no_stage(client, browser, world):  # noqa: F811
    alice = world.alice
    make_leads(alice, 2, "Listed Co")
    view = _view(alice, "Contacted ones", {"stage_id": str(stages_of(alice)["Contacted"])})
    gone = _delete_empty_stage(alice, "Contacted")
    b = browser()
    sign_in(b, alice)
    everything = _count(b.get(PAGE).text)

    page = html.unescape(b.get(PAGE, params={"view": str(view)}).text)
    assert "This view's stage was deleted, so it now shows leads in any stage." in page
    assert _count(page) == everything > 0
    assert _selected(_select(page, "f-stage")) == []
    assert f'value="{gone}"' not in page  # "all matching" and "Save view" carry no stage either

    linked = html.unescape(b.get(PAGE, params={"stage": str(gone)}).text)
    assert "The stage this list was filtered on was deleted" in linked and _count(linked) == everything


def test_a_view_on_a_stage_deleted_with_its_leads_moved_shows_them(client, browser, world):  # noqa: F811
    alice = world.alice
    stages = stages_of(alice)
    make_leads(alice, 3, "Proposed Co", stage_id=stages["Proposal"])
    view = _view(alice, "Proposals", {"stage_id": str(stages["Proposal"])})
    with unit_of_work(org_id=alice.org_id, user_id=alice.user_id) as session:
        pipeline = pipeline_service.ensure_default_pipeline(session)
        stage = pipeline_service.stage_of_or_404(session, pipeline, stages["Proposal"])
        pipeline_service.delete_stage(session, pipeline, stage, move_to=stages["Qualified"], actor_id=None)
    b = browser()
    sign_in(b, alice)
    page = html.unescape(b.get(PAGE, params={"view": str(view)}).text)
    assert "was deleted" not in page
    assert _selected(_select(page, "f-stage")) == ["Qualified"] and _count(page) == 3


@both_databases
def test_an_owner_who_left_is_named_not_anyone(client, browser, world):  # noqa: F811
    alice, bob = world.alice, world.bob
    make_leads(alice, 2, "Bobs Co", owner_id=bob.user_id)
    view = _view(alice, "Bob's leads", {"owner_id": str(bob.user_id)})
    with unit_of_work(org_id=alice.org_id) as session:
        session.delete(session.get_one(Membership, bob.member_id))
    b = browser()
    sign_in(b, alice)

    page = html.unescape(b.get(PAGE, params={"view": str(view)}).text)
    assert "This view shows the leads of Bob Brooks, who is no longer a member of the team." in page
    assert _selected(_select(page, "f-owner")) == ["Bob Brooks (left)"]
    assert _count(page) == 2 and page.count("<td>Bob Brooks (left)</td>") == 2
    assert "Bob Brooks" not in _select(page, "bulk-owner")

    linked = html.unescape(b.get(PAGE, params={"owner": str(bob.user_id)}).text)
    assert _selected(_select(linked, "f-owner")) == ["Bob Brooks (left)"] and _count(linked) == 2

    # Someone who never owned a lead here (another org's person, say) is not named.
    stranger = html.unescape(b.get(PAGE, params={"owner": str(world.carol.user_id)}).text)
    assert _selected(_select(stranger, "f-owner")) == ["Former member (left)"]
    assert world.carol.name not in stranger


def test_bulk_assign_offers_only_members_who_can_own_leads(client, browser, world):  # noqa: F811
    alice, bob = world.alice, world.bob
    bob.set_role(Role.VIEWER)
    make_leads(alice, 1, "Viewed Co", owner_id=alice.user_id)
    b = browser()
    sign_in(b, alice)
    page = html.unescape(b.get(PAGE).text)
    assign = _select(page, "bulk-owner")
    assert alice.name in assign and bob.name not in assign
    assert bob.name in _select(page, "f-owner")  # filtering on a viewer is still possible
