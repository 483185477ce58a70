"""The lead page's composer: a refused form comes back with its own tab open, and without JS every form
is on the page under its own heading."""

from __future__ import annotations

import re
import uuid

from salesos.auth.principal import Principal
from salesos.db.session import unit_of_work
from salesos.leads.schemas import CompanyIn, ContactIn, LeadCreateIn
from salesos.leads.service import leads as lead_service
from salesos.orgs.models import Role
from tests.support.world import Person
from tests.web import test_board
from tests.web.test_board import sign_in, stages_of

browser = test_board.browser  # the fixture, shared with the board tests


def _open_tab(page: str) -> tuple[str, list[str]]:
    """The selected tab's key and the keys of the panels marked open (there must be exactly one)."""
    selected = re.findall(r'data-tab="(\w+)" aria-controls="panel-\w+" aria-selected="true"', page)
    panels = re.findall(r'class="tab-panel is-active" id="panel-(\w+)"', page)
    assert len(selected) == 1, selected
    return selected[0], panels


def _lead_with_phone(person: Person) -> uuid.UUID:
    principal = Principal(org_id=person.org_id, role=Role.OWNER, kind="token", user_id=person.user_id)
    contact = ContactIn(first_name="Tia", phone="+12125550199")
    data = LeadCreateIn(company=CompanyIn(name="Tab Co"), contact=contact)
    with unit_of_work(org_id=person.org_id, user_id=person.user_id) as session:
        return lead_service.create_lead(session, principal, data).id


def test_each_refused_form_opens_its_tab(client, browser, world):
    lead_id = _lead_with_phone(world.alice)
    b = browser()
    token = sign_in(b, world.alice)

    page = b.get(f"/leads/{lead_id}").text
    assert _open_tab(page) == ("note", ["note"])
    for title in ("Note", "Log a call", "New task", "Schedule a call", "Change stage"):
        assert f'<h2 class="panel-title">{title}</h2>' in page, title

    refusals = {
        "task": ("tasks", {"title": "  "}),
        "call": ("actions/call", {"outcome": "connected", "duration_minutes": "many"}),
        "schedule": ("actions/schedule-call", {"call_at": "", "duration_minutes": "15"}),
        "stage": ("stage", {"stage_id": str(stages_of(world.alice)["Lost"]), "lost_reason": ""}),
    }
    for tab, (path, data) in refusals.items():
        refused = b.post(f"/leads/{lead_id}/{path}", data={**data, "csrf_token": token})
        assert refused.status_code == 422, (tab, refused.status_code)
        assert _open_tab(refused.text) == (tab, [tab]), tab
        assert 'aria-invalid="true"' in refused.text.split(f'id="panel-{tab}"', 1)[1].split("</form>", 1)[0]
