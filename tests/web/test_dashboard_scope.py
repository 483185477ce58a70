"""The dashboard's headline figures count every pipeline, as the lead list does; only the stage card is one
pipeline's, and it says which."""

from __future__ import annotations

import html
import re
import uuid
from decimal import Decimal
from typing import Any

from salesos.db.session import unit_of_work
from salesos.leads.repository import LeadRepository
from salesos.leads.service import leads as lead_service
from salesos.leads.service.pipelines import create_pipeline, list_pipelines
from tests.conftest import both_databases
from tests.support.world import Person
from tests.web.test_board import browser, make_leads, sign_in  # noqa: F401  (browser: fixture)


def _stages(person: Person) -> dict[str, dict[str, tuple[uuid.UUID, str]]]:
    """Pipeline name → stage name → (id, kind)."""
    with unit_of_work(org_id=person.org_id, user_id=person.user_id) as session:
        return {p.name: {s.name: (s.id, s.kind) for s in p.stages} for p in list_pipelines(session)}


def _partners(person: Person) -> None:
    with unit_of_work(org_id=person.org_id, user_id=person.user_id) as session:
        create_pipeline(session, "Partners", [("Intro", "open"), ("Pilot", "open"), ("Signed", "won")])


def _win(person: Person, lead_ids: list[uuid.UUID], stage_id: uuid.UUID) -> None:
    with unit_of_work(org_id=person.org_id, user_id=person.user_id) as session:
        for lead_id in lead_ids:
            lead = LeadRepository(session).get(lead_id)
            assert lead is not None
            lead_service.move_stage(session, lead, stage_id, actor_id=person.user_id, notify=False)


def _list_count(b: Any, **params: str) -> int:
    page = b.get("/leads/list", params=params)
    match = re.search(r'id="list-count">(\d+) leads?<', page.text)
    assert match, "the list says how many leads match"
    return int(match.group(1))


def _stat(page: str, label: str) -> int:
    match = re.search(rf'stat-value">(\d+)</span>\s*<span class="stat-label">{label}', page)
    assert match, label
    return int(match.group(1))


@both_databases
def test_headline_figures_agree_with_the_list_across_pipelines(client, browser, world):  # noqa: F811
    alice = world.alice
    _partners(alice)
    stages = _stages(alice)
    sales, partners = stages["Sales"], stages["Partners"]
    make_leads(alice, 3, "Sales Co", stage_id=sales["Qualified"][0], value=Decimal(1000))
    sales_won = make_leads(alice, 2, "Sales Won Co", stage_id=sales["Proposal"][0])
    make_leads(alice, 4, "Partner Co", stage_id=partners["Pilot"][0], value=Decimal(500))
    partner_won = make_leads(alice, 1, "Partner Won Co", stage_id=partners["Intro"][0])
    _win(alice, sales_won, sales["Won"][0])
    _win(alice, partner_won, partners["Signed"][0])

    b = browser()
    sign_in(b, alice)
    page = html.unescape(b.get("/").text)
    open_in_list = sum(
        _list_count(b, stage=str(stage_id))
        for pipeline in stages.values()
        for stage_id, kind in pipeline.values()
        if kind == "open"
    )
    won_in_list = sum(
        _list_count(b, stage=str(stage_id))
        for pipeline in stages.values()
        for stage_id, kind in pipeline.values()
        if kind == "won"
    )
    assert _stat(page, "Open leads") == open_in_list
    assert open_in_list >= 3 + 4  # both pipelines' open leads, and the world's own
    assert _stat(page, "Won this month") == won_in_list == 3
    assert _stat(page, "Added in the last 7 days") == _list_count(b, added="7d")
    assert "5,000 USD" in page  # open value: 3 leads of 1,000 in Sales, 4 of 500 in Partners

    # The stage card is the default pipeline's, says so, and opens that pipeline's board.
    sales_id = _stages_pipeline_id(alice, "Sales")
    assert "Sales pipeline at a glance</h2>" in page
    assert f'<a href="/leads?pipeline={sales_id}">Open the Sales board</a>' in page
    assert f'href="/leads/list?stage={partners["Pilot"][0]}"' not in page


def _stages_pipeline_id(person: Person, name: str) -> uuid.UUID:
    with unit_of_work(write=False, org_id=person.org_id, user_id=person.user_id) as session:
        return next(p.id for p in list_pipelines(session) if p.name == name)


def test_leads_on_another_pipeline_count_as_leads(client, browser, world):  # noqa: F811
    carol = world.carol  # alone in org B, no leads yet
    _partners(carol)
    b = browser()
    sign_in(b, carol)
    assert "Add your first leads</a>" in b.get("/").text
    make_leads(carol, 1, "Partner Co", stage_id=_stages(carol)["Partners"]["Intro"][0])
    page = b.get("/").text
    assert "Add your first leads <span" in page  # done
    assert _stat(page, "Open lead") == 1
