"""The lead List page: table, sort headers, filters, Load more, bulk actions, saved views, roles."""

from __future__ import annotations

import re
import uuid
from typing import Any

from sqlalchemy import select

from salesos.db.session import unit_of_work
from salesos.leads.models import Lead, SavedView
from tests.web.test_board import CSRF_META, HTMX, browser, make_leads, sign_in  # noqa: F401

PAGE = "/leads/list"


def _stages(person: Any) -> dict[str, uuid.UUID]:
    from salesos.leads.service.pipelines import ensure_default_pipeline

    with unit_of_work(org_id=person.org_id, user_id=person.user_id) as session:
        return {s.name: s.id for s in ensure_default_pipeline(session).stages}


def _lead(person: Any, lead_id: uuid.UUID) -> Lead:
    with unit_of_work(write=False, org_id=person.org_id) as session:
        lead = session.scalars(select(Lead).where(Lead.id == lead_id)).one()
        session.expunge(lead)
        return lead


def _companies(html: str) -> list[str]:
    return re.findall(r'<td><a href="/leads/[0-9a-f-]+">([^<]+)</a>', html)


def _after_bulk(b: Any, response: Any) -> str:
    """A bulk action redirects back to the list (post/redirect/get); the list page it lands on."""
    assert response.status_code == 303, response.text
    assert response.headers["location"].startswith(f"{PAGE}?")
    landed = b.get(response.headers["location"])
    assert landed.status_code == 200
    return str(landed.text)


def test_list_shows_sorted_table_with_aria_sort_and_toggle(client, browser, world):  # noqa: F811
    make_leads(world.alice, 1, name="Zulu Co")
    make_leads(world.alice, 1, name="alpha co")
    b = browser()
    sign_in(b, world.alice)
    page = b.get(PAGE)
    assert page.status_code == 200
    assert 'aria-current="page">List</a>' in page.text and 'href="/leads"' in page.text
    assert 'aria-sort="descending"><a href="/leads/list?sort=created_at"' in page.text
    assert _companies(page.text)[:2] == ["alpha co 0", "Zulu Co 0"]
    by_name = b.get(f"{PAGE}?sort=company_name")
    assert 'aria-sort="ascending"><a href="/leads/list?sort=-company_name"' in by_name.text
    names = _companies(by_name.text)
    assert names.index("alpha co 0") < names.index("Zulu Co 0")
    assert 'aria-current="page">Board</a>' in b.get("/leads").text
    assert "<script>" not in page.text and "onclick" not in page.text


def test_filters_and_load_more(client, browser, world):  # noqa: F811
    make_leads(world.alice, 55, name="Paged Co", tags=["paged"])
    make_leads(world.alice, 2, name="Other Co")
    b = browser()
    sign_in(b, world.alice)
    page = b.get(f"{PAGE}?tag=paged&sort=company_name")
    assert "55 leads" in page.text and len(_companies(page.text)) == 50
    assert "Other Co" not in page.text
    more = re.search(r'hx-get="(/leads/list/rows\?[^"]+)"', page.text)
    assert more
    rest = b.get(more.group(1).replace("&amp;", "&"), headers=HTMX)
    assert rest.status_code == 200 and len(_companies(rest.text)) == 5
    assert 'id="list-more"' not in rest.text
    assert "Umbrella" not in b.get(f"{PAGE}?q=umbrella").text
    assert b.get(f"{PAGE}?sort=bogus&stage=not-a-uuid").status_code == 200


def test_bulk_move_needs_lost_reason_then_moves(client, browser, world):  # noqa: F811
    ids = make_leads(world.alice, 3, name="Bulk Co")
    stages = _stages(world.alice)
    lost = next(s for name, s in stages.items() if name.lower() == "lost")
    b = browser()
    token = sign_in(b, world.alice)
    form = {"csrf_token": token, "action": "stage", "stage_id": str(lost), "ids": [str(i) for i in ids[:2]]}
    refused = b.post(f"{PAGE}/bulk", data=form)
    assert refused.status_code == 422 and "Say why the leads were lost." in refused.text
    assert _lead(world.alice, ids[0]).stage_id != lost
    done = b.post(f"{PAGE}/bulk", data={**form, "lost_reason": "No budget"})
    assert "Updated 2 of 2 leads." in _after_bulk(b, done)
    assert (
        _lead(world.alice, ids[0]).lost_reason == "No budget" and _lead(world.alice, ids[2]).stage_id != lost
    )


def test_bulk_all_matching_owner_and_tags(client, browser, world):  # noqa: F811
    ids = make_leads(world.alice, 3, name="Match Co", tags=["m"])
    other = make_leads(world.alice, 1, name="Else Co")
    b = browser()
    token = sign_in(b, world.alice)
    base = {"csrf_token": token, "all_matching": "1", "tag": "m"}
    r = b.post(f"{PAGE}/bulk", data={**base, "action": "owner", "owner_id": str(world.bob.user_id)})
    assert "Updated 3 of 3 leads." in _after_bulk(b, r)
    assert all(_lead(world.alice, i).owner_id == world.bob.user_id for i in ids)
    assert _lead(world.alice, other[0]).owner_id is None
    r = b.post(f"{PAGE}/bulk", data={**base, "action": "add_tag", "bulk_tag": "vip"})
    assert _lead(world.alice, ids[1]).tags == ["m", "vip"]
    r = b.post(f"{PAGE}/bulk", data={**base, "action": "add_tag", "bulk_tag": ""})
    assert r.status_code == 422 and "Enter a tag." in r.text
    r = b.post(f"{PAGE}/bulk", data={"csrf_token": token, "action": "add_tag", "bulk_tag": "x"})
    assert r.status_code == 422 and "Tick at least one lead." in r.text


def test_viewer_gets_a_read_only_list(client, browser, world):  # noqa: F811
    ids = make_leads(world.alice, 1, name="Viewed Co")
    client.patch(
        f"/api/v1/members/{world.bob.member_id}", json={"role": "viewer"}, headers=world.alice.headers
    )
    b = browser()
    token = sign_in(b, world.bob)
    page = b.get(PAGE)
    assert page.status_code == 200 and "Viewed Co" in page.text
    assert 'id="bulk-form"' not in page.text and "row-check" not in page.text
    assert 'name="shared"' not in page.text
    r = b.post(
        f"{PAGE}/bulk", data={"csrf_token": token, "action": "add_tag", "bulk_tag": "x", "ids": str(ids[0])}
    )
    assert r.status_code == 403
    assert _lead(world.alice, ids[0]).tags == []


def test_save_open_and_delete_a_view(client, browser, world):  # noqa: F811
    make_leads(world.alice, 1, name="Hot Co", tags=["hot"])
    make_leads(world.alice, 1, name="Cold Co", tags=["cold"])
    b = browser()
    token = sign_in(b, world.alice)
    data = {"csrf_token": token, "name": "Hot ones", "tag": "hot", "sort": "-value", "shared": "1"}
    saved = b.post(f"{PAGE}/views", data=data)
    assert saved.status_code == 303
    opened = b.get(saved.headers["location"])
    assert "View saved." in opened.text and "Hot Co" in opened.text and "Cold Co" not in opened.text
    assert 'aria-sort="descending"><a href="/leads/list?tag=hot&amp;sort=value"' in opened.text
    with unit_of_work(write=False, org_id=world.alice.org_id) as session:
        view = session.scalars(select(SavedView).where(SavedView.name == "Hot ones")).one()
        assert view.filters == {"tag": "hot"} and view.sort == "-value" and view.shared
    again = b.post(f"{PAGE}/views", data=data)
    assert again.status_code == 422 and "You already have a view with this name." in again.text
    # Bob sees Alice's shared view but may not delete it; Carol can't reach it at all.
    bob = browser()
    bob_token = sign_in(bob, world.bob)
    assert "Hot ones (shared)" in bob.get(PAGE).text
    assert bob.post(f"{PAGE}/views/{view.id}/delete", data={"csrf_token": bob_token}).status_code == 403
    carol = browser()
    carol_token = sign_in(carol, world.carol)
    assert "Hot ones" not in carol.get(f"{PAGE}?view={view.id}").text
    assert carol.post(f"{PAGE}/views/{view.id}/delete", data={"csrf_token": carol_token}).status_code == 404
    gone = b.post(f"{PAGE}/views/{view.id}/delete", data={"csrf_token": token})
    assert gone.status_code == 303 and "View deleted." in b.get(gone.headers["location"]).text


def test_other_orgs_leads_never_listed_or_bulk_updated(client, browser, world):  # noqa: F811
    a_ids = make_leads(world.alice, 1, name="Secret Alpha")
    carol = browser()
    token = sign_in(carol, world.carol)
    assert "Secret Alpha" not in carol.get(PAGE).text
    r = carol.post(
        f"{PAGE}/bulk", data={"csrf_token": token, "action": "add_tag", "bulk_tag": "x", "ids": str(a_ids[0])}
    )
    assert "Updated 0 of 0 leads (1 no longer exist)." in _after_bulk(carol, r)
    assert _lead(world.alice, a_ids[0]).tags == []


def test_all_matching_over_the_inline_limit_is_queued(client, browser, world, monkeypatch):  # noqa: F811
    from salesos.jobs.testing import drain
    from salesos.leads.service import bulk

    monkeypatch.setattr(bulk, "INLINE_LIMIT", 2)
    ids = make_leads(world.alice, 3, name="Queued Co", tags=["q"])
    b = browser()
    token = sign_in(b, world.alice)
    data = {"csrf_token": token, "all_matching": "1", "tag": "q", "action": "add_tag", "bulk_tag": "later"}
    r = b.post(f"{PAGE}/bulk", data=data)
    assert "Updating 3 leads in the background" in _after_bulk(b, r)
    drain()
    assert all(_lead(world.alice, i).tags == ["q", "later"] for i in ids)


def test_search_as_you_type_gets_just_the_results_and_the_lists_url(client, browser, world):  # noqa: F811
    make_leads(world.alice, 2, name="Umbrella Co", tags=["u"])
    make_leads(world.alice, 1, name="Other Co")
    b = browser()
    sign_in(b, world.alice)
    # A request may carry empty fields (app.js leaves them out, a form without it does not); the URL
    # pushed back is the list's own.
    fragment = b.get(
        PAGE, params={"q": "umbrella", "stage": "", "tag": "", "sort": "company_name"}, headers=HTMX
    )
    assert fragment.status_code == 200
    assert fragment.headers["hx-push-url"] == f"{PAGE}?q=umbrella&sort=company_name"
    assert "<html" not in fragment.text and 'id="list-results"' in fragment.text
    assert _companies(fragment.text) == ["Umbrella Co 0", "Umbrella Co 1"]
    assert (
        'data-query="q=umbrella&amp;sort=company_name"' in fragment.text
        and 'id="list-count">2 leads<' in fragment.text
    )
    # The bulk bar and "Save view" act on the filters of the rows shown: theirs travel with the rows.
    assert '<input type="hidden" form="bulk-form" name="q" value="umbrella">' in fragment.text
    assert '<input type="hidden" form="view-save" name="q" value="umbrella">' in fragment.text
    # Unfiltered, the URL is the bare list; Back (a history restore) gets the whole page.
    assert b.get(PAGE, params={"q": ""}, headers=HTMX).headers["hx-push-url"] == PAGE
    restore = b.get(PAGE, params={"q": "umbrella"}, headers={**HTMX, "HX-History-Restore-Request": "true"})
    assert "<html" in restore.text and 'id="list-filters"' in restore.text
    # Without JavaScript the same filters are a plain GET form with the page around them.
    page = b.get(PAGE, params={"q": "umbrella"})
    assert (
        'method="get" action="/leads/list" role="search"' in page.text
        and 'hx-trigger="change, input changed delay:300ms' in page.text
    )
    assert "<html" in page.text and _companies(page.text) == ["Umbrella Co 1", "Umbrella Co 0"]
    assert "hx-push-url" not in page.headers
    # ?focus=search (the "/" shortcut from other pages) is no filter.
    assert b.get(PAGE, params={"focus": "search"}).status_code == 200


def test_search_fragment_never_crosses_orgs(client, browser, world):  # noqa: F811
    make_leads(world.alice, 1, name="Secret Alpha")
    carol = browser()
    sign_in(carol, world.carol)
    fragment = carol.get(PAGE, params={"q": "secret"}, headers=HTMX)
    assert (
        fragment.status_code == 200 and "Secret Alpha" not in fragment.text and ">0 leads<" in fragment.text
    )
    assert all(marker not in fragment.text for marker in world.markers_a)


def test_rows_are_one_line_with_short_dates_and_tier(client, browser, world):  # noqa: F811
    from datetime import UTC, datetime, timedelta

    now = datetime.now(UTC)
    make_leads(world.alice, 1, name="Tiered Co", tier="A", next_follow_up_at=now + timedelta(days=400))
    make_leads(world.alice, 1, name="Plain Co")
    b = browser()
    sign_in(b, world.alice)
    page = b.get(PAGE).text
    assert ">Tier / score<" in page
    # The column sorts by tier (A first) then score; its first click asks for that, and the rows follow.
    assert '<a href="/leads/list?sort=tier" class="sort-link">Tier / score</a>' in page
    by_tier = b.get(f"{PAGE}?sort=tier").text
    assert 'aria-sort="ascending"><a href="/leads/list?sort=-tier"' in by_tier
    assert _companies(by_tier)[0] == "Tiered Co 0"
    assert _companies(b.get(f"{PAGE}?sort=-tier").text)[0] == "Tiered Co 0"  # the untiered leads still last
    rows = re.findall(r'<tr id="row-[^"]+" data-lead-id="[^"]+">(.*?)</tr>', page, re.S)
    cells = next(r for r in rows if "Tiered Co 0" in r)
    assert '<span class="badge badge-tier badge-tier-a">A</span>' in cells
    # The day alone this year, with the year otherwise; the full time is the title, the instant the datetime.
    follow, _updated, created = re.findall(r'<time datetime="([^"]+)" title="([^"]+)">([^<]+)</time>', cells)
    assert re.fullmatch(r"\d{1,2} [A-Z][a-z]{2} \d{4}", follow[2])
    assert re.fullmatch(r"\d{1,2} [A-Z][a-z]{2}", created[2])
    assert re.fullmatch(r"\d{1,2} [A-Z][a-z]{2} \d{4}, \d\d:\d\d", created[1])
    assert datetime.fromisoformat(created[0]).tzinfo is not None
    # The contact sits on the company's line, not under it.
    assert '</a> <span class="muted">Pat Person0</span></td>' in cells


def test_live_rows_answer_the_asked_rows_that_still_match_wherever_they_are(client, browser, world):  # noqa: F811
    """The live refresh asks for the changed rows by id, under the list's filters: rows of any page come
    back, a row that no longer matches does not (it leaves the table), and nothing crosses orgs."""
    ids = make_leads(world.alice, 55, name="Live Co", tags=["live"])
    other = make_leads(world.alice, 1, name="Untagged Co")[0]
    foreign = make_leads(world.carol, 1, name="Carol Co")[0]
    oldest, newest = ids[0], ids[-1]
    b = browser()
    sign_in(b, world.alice)
    asked = [oldest, newest, other, foreign, uuid.uuid4()]
    query = "&".join(f"ids={i}" for i in asked)
    page = b.get(f"{PAGE}/live?tag=live&sort=company_name&{query}")
    assert page.status_code == 200
    found = re.findall(r'<tr id="row-([0-9a-f-]+)"', page.text)
    # The oldest is on the list's second page; the untagged lead does not match "tag=live".
    assert found == [str(oldest), str(newest)]
    assert "Live Co 0" in page.text and 'id="list-more"' not in page.text
    unfiltered = b.get(f"{PAGE}/live?{query}")
    assert re.findall(r'<tr id="row-([0-9a-f-]+)"', unfiltered.text) == [str(oldest), str(newest), str(other)]
    assert "Carol Co" not in unfiltered.text
    carol = browser()
    sign_in(carol, world.carol)
    theirs = carol.get(f"{PAGE}/live?{query}")
    assert theirs.status_code == 200
    assert re.findall(r'<tr id="row-([0-9a-f-]+)"', theirs.text) == [str(foreign)]
    assert "Live Co" not in theirs.text
    assert b.get(f"{PAGE}/live?ids=not-a-uuid").status_code == 422


def test_board_and_list_switch_carries_the_filters_both_pages_have(client, browser, world):  # noqa: F811
    b = browser()
    sign_in(b, world.alice)
    owner = world.alice.user_id
    board = b.get(f"/leads?q=acme&tag=vip&owner={owner}").text
    assert f'href="/leads/list?q=acme&amp;owner={owner}&amp;tag=vip" data-carry-filters>List</a>' in board
    stage = _stages(world.alice)["New"]
    listed = b.get(f"{PAGE}?q=acme&tag=vip&source=fair&stage={stage}&tier=A").text
    # The board has no source, stage or tier filter: those stay behind.
    assert 'href="/leads?q=acme&amp;tag=vip" data-carry-filters>Board</a>' in listed
    assert 'href="/leads" data-carry-filters aria-current="page">Board</a>' in b.get("/leads").text
    assert 'href="/leads/list" data-carry-filters>List</a>' in b.get("/leads/duplicates").text
