"""The lead list's "added" filter (created in the last 7, 30 or 90 days, counted from now) on the API,
the List page, a saved view and the dashboard card that links to it; and misspelt filters refused."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

from salesos.db.session import unit_of_work
from salesos.leads.models import Lead, SavedView
from tests.conftest import both_databases
from tests.web import test_board
from tests.web.test_board import make_leads, sign_in

API = "/api/v1"
browser = test_board.browser  # the fixture, shared with the board tests


def _seed(world):  # type: ignore[no-untyped-def]
    """Leads made 2, 10 and 40 days ago (their creation time set back)."""
    now = datetime.now(UTC)
    for name, days in (("Fresh Co", 2), ("Tenday Co", 10), ("Old Co", 40)):
        (lead_id,) = make_leads(world.alice, 1, name=name)
        with unit_of_work(org_id=world.alice.org_id) as s:
            s.get_one(Lead, lead_id).created_at = now - timedelta(days=days)


def _names(client, person, query):  # type: ignore[no-untyped-def]
    r = client.get(f"{API}/leads?{query}", headers=person.headers)
    assert r.status_code == 200, r.text
    names = {row["company_name"].removesuffix(" 0") for row in r.json()["items"]}
    return names & {"Fresh Co", "Tenday Co", "Old Co"}  # the world's own lead is new too


@both_databases
def test_the_api_counts_back_from_now_and_refuses_what_it_does_not_read(client, world):
    _seed(world)
    assert _names(client, world.alice, "added=7d") == {"Fresh Co"}
    assert _names(client, world.alice, "added=30d") == {"Fresh Co", "Tenday Co"}
    assert _names(client, world.alice, "added=90d&sort=created_at") == {"Fresh Co", "Tenday Co", "Old Co"}
    bad = client.get(f"{API}/leads?added=week", headers=world.alice.headers)
    assert bad.status_code == 422 and bad.json()["errors"][0]["field"] == "added"
    # A misspelt filter would otherwise list (and export) everything.
    for query in ("tags=hot", "stage=x&limit=5", "owner=me"):
        for path in ("/leads", "/leads/export.csv"):
            r = client.get(f"{API}{path}?{query}", headers=world.alice.headers)
            assert r.status_code == 422, (path, query)
            assert r.json()["errors"][0]["message"] == "Unknown field."
    ok = client.get(f"{API}/leads?limit=1&added=7d", headers=world.alice.headers)
    assert ok.status_code == 200 and len(ok.json()["items"]) == 1 and ok.json()["next_cursor"]


def test_the_dashboard_card_opens_the_list_it_counts_and_a_view_keeps_it(client, browser, world):
    _seed(world)
    b = browser()
    token = sign_in(b, world.alice)
    dashboard = b.get("/").text
    card = re.search(
        r'<span class="stat-value">(\d+)</span>\s*<span class="stat-label">Added in the last 7 days',
        dashboard,
    )
    recent = client.get(f"{API}/leads?added=7d&limit=200", headers=world.alice.headers).json()["items"]
    assert (
        card
        and card.group(1) == str(len(recent))
        and '<a href="/leads/list?added=7d">See the list</a>' in dashboard
    )
    page = b.get("/leads/list?added=7d").text
    assert '<option value="7d" selected>Last 7 days</option>' in page
    assert "Fresh Co 0" in page and "Tenday Co" not in page and "Old Co" not in page

    saved = b.post("/leads/list/views", data={"name": "This month", "added": "30d", "csrf_token": token})
    assert saved.status_code == 303
    with unit_of_work(write=False, org_id=world.alice.org_id) as s:
        view = s.query(SavedView).filter(SavedView.name == "This month").one()
        assert view.filters == {"added": "30d"}  # relative: counted from when the view is opened
    shown = b.get(f"/leads/list?view={view.id}").text
    assert "Fresh Co 0" in shown and "Tenday Co 0" in shown and "Old Co" not in shown
