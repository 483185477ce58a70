"""Sorting the lead list: every key both ways, keyset pages without gaps or repeats, empty values last."""

from __future__ import annotations

import base64
import csv
import io
import json
import uuid
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import event, update
from sqlalchemy.engine import Engine

from salesos.db.engine import get_engine
from salesos.db.session import unit_of_work
from salesos.leads.models import Lead
from tests.conftest import both_databases

API = "/api/v1/leads"
BASE = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
# name, value, score, follow-up offset in days; repeats and gaps on purpose (ties and nulls).
ROWS = [
    ("beta", "100", 50, 3),
    ("Alpha", None, 50, None),
    ("gamma", "100", None, 1),
    ("Delta", "5.50", 90, 3),
    ("epsilon", None, None, None),
    ("Zeta", "2500", 10, 2),
    ("éclair", "100", 50, None),
]


def _seed(client: Any, world: Any) -> None:
    for name, value, score, days in ROWS:
        body: dict[str, Any] = {"company": {"name": name}, "tags": ["s"]}
        if value is not None:
            body["value"] = value
        if days is not None:
            body["next_follow_up_at"] = (BASE + timedelta(days=days)).isoformat()
        r = client.post(API, json=body, headers=world.alice.headers)
        assert r.status_code == 201, r.text
        if score is not None:
            with unit_of_work(org_id=world.alice.org_id) as session:
                lead_id = uuid.UUID(r.json()["id"])
                session.execute(update(Lead).where(Lead.id == lead_id).values(score=score))


def _all_pages(client: Any, world: Any, sort: str, limit: int, tag: str = "s") -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = []
    cursor = None
    for _ in range(50):
        query = f"sort={sort}&limit={limit}&tag={tag}" + (f"&cursor={cursor}" if cursor else "")
        r = client.get(f"{API}?{query}", headers=world.alice.headers)
        assert r.status_code == 200, r.text
        items += r.json()["items"]
        cursor = r.json()["next_cursor"]
        if cursor is None:
            return items
    raise AssertionError("paging never ended")


def _key(item: dict[str, Any], key: str) -> Any:
    value = item[key]
    if key == "company_name":
        return value.lower() if value.isascii() else value  # SQLite's lower() folds ASCII only
    if key == "value" and value is not None:
        return Decimal(value)
    return value


def _expected(items: list[dict[str, Any]], sort: str) -> list[str]:
    key, descending = sort.removeprefix("-"), sort.startswith("-")
    filled = [i for i in items if i[key] is not None]
    empty = [i for i in items if i[key] is None]
    filled.sort(key=lambda i: i["id"], reverse=descending)
    if key == "company_name":  # equal names: each company's leads together, in company id order
        filled.sort(key=lambda i: i["company_id"], reverse=descending)
    filled.sort(key=lambda i: _key(i, key), reverse=descending)
    empty.sort(key=lambda i: i["id"], reverse=descending)
    return [i["id"] for i in filled + empty]


SORTS = ["value", "-value", "score", "-score", "next_follow_up_at", "-next_follow_up_at"]
SORTS += ["company_name", "-company_name", "updated_at", "-updated_at", "created_at", "-created_at"]


@both_databases
def test_every_sort_pages_without_gaps_or_repeats(client, world):
    _seed(client, world)
    everything = _all_pages(client, world, "-created_at", 200)
    assert len(everything) == len(ROWS)
    for sort in SORTS:
        for limit in (1, 2, 3):
            seen = [i["id"] for i in _all_pages(client, world, sort, limit)]
            assert seen == _expected(everything, sort), (sort, limit)


@both_databases
def test_company_sort_keeps_each_company_together(client, world):
    """Two companies with the same name: each one's leads stay together, on every page size."""

    def add(body: dict[str, Any]) -> dict[str, Any]:
        r = client.post(API, json={**body, "tags": ["twins"]}, headers=world.alice.headers)
        assert r.status_code == 201, r.text
        return r.json()

    first = add({"company": {"name": "Twin"}})
    other = add({"company": {"name": "TWIN"}})  # same name to the sort, another company
    again = add({"company_id": first["company"]["id"]})  # created after the other company's lead
    add({"company": {"name": "Aardvark"}})
    everything = _all_pages(client, world, "-created_at", 200, tag="twins")
    for sort in ("company_name", "-company_name"):
        expected = _expected(everything, sort)
        twin_ids = {first["id"], other["id"], again["id"]}
        twins = [i for i in expected if i in twin_ids]
        listed = [i for i in everything if i["id"] in twin_ids]
        by_company = sorted(listed, key=lambda i: (i["company_id"], i["id"]))
        if sort.startswith("-"):
            by_company.reverse()
        assert twins == [i["id"] for i in by_company]
        for limit in (1, 2, 3):
            assert [i["id"] for i in _all_pages(client, world, sort, limit, tag="twins")] == expected, sort


@both_databases
def test_empty_values_come_last_both_ways(client, world):
    _seed(client, world)
    for sort in ("score", "-score", "value", "-value"):
        values = [i[sort.removeprefix("-")] for i in _all_pages(client, world, sort, 2)]
        first_empty = values.index(None)
        assert all(v is None for v in values[first_empty:]), sort
    names = [i["company_name"] for i in _all_pages(client, world, "-score", 3)]
    assert names[:4] == ["Delta", "éclair", "Alpha", "beta"]  # 90, then the 50s newest first


# name, tier, score: ties, empty scores, untiered leads, and B and untiered scores above every A's.
TIERED = [
    ("a-90", "A", 90),
    ("a-20", "A", 20),
    ("b-95", "B", 95),
    ("a-none", "A", None),
    ("b-50-first", "B", 50),
    ("none-99", None, 99),
    ("c-70", "C", 70),
    ("b-50-second", "B", 50),
    ("none-none", None, None),
    ("c-none", "C", None),
    ("a-90-later", "A", 90),
]
# A, B, C, then untiered; each tier's best score first (ties newest first), its leads without a score last.
BY_TIER = ["a-90-later", "a-90", "a-20", "a-none", "b-95", "b-50-second", "b-50-first", "c-70", "c-none"]
BY_TIER += ["none-99", "none-none"]
# The other way round, except that the leads without a tier or a score stay last.
BY_TIER_REVERSED = ["c-70", "c-none", "b-50-first", "b-50-second", "b-95", "a-20", "a-90", "a-90-later"]
BY_TIER_REVERSED += ["a-none", "none-99", "none-none"]


def _seed_tiered(client: Any, world: Any) -> None:
    for name, tier, score in TIERED:
        body: dict[str, Any] = {"company": {"name": name}, "tags": ["tiers"]}
        if tier is not None:
            body["tier"] = tier
        r = client.post(API, json=body, headers=world.alice.headers)
        assert r.status_code == 201, r.text
        if score is not None:
            with unit_of_work(org_id=world.alice.org_id) as session:
                lead_id = uuid.UUID(r.json()["id"])
                session.execute(update(Lead).where(Lead.id == lead_id).values(score=score))


@both_databases
def test_tier_sort_is_tier_then_score_on_every_page_size(client, world):
    _seed_tiered(client, world)
    for sort, expected in (("tier", BY_TIER), ("-tier", BY_TIER_REVERSED)):
        whole = [i["company_name"] for i in _all_pages(client, world, sort, 200, tag="tiers")]
        assert whole == expected, sort
        for limit in (1, 2, 3, 4):
            paged = [i["company_name"] for i in _all_pages(client, world, sort, limit, tag="tiers")]
            assert paged == expected, (sort, limit)


def test_tier_cursor_names_a_tier_and_its_own_sort(client, world):
    _seed_tiered(client, world)
    first = client.get(f"{API}?sort=tier&limit=2&tag=tiers", headers=world.alice.headers).json()
    cursor = first["next_cursor"]
    data = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
    assert data["t"] == "A" and data["v"] == 90
    forged = base64.urlsafe_b64encode(json.dumps({**data, "t": "Z"}).encode()).decode().rstrip("=")
    for query in (f"sort=-tier&cursor={cursor}", f"sort=score&cursor={cursor}", f"sort=tier&cursor={forged}"):
        r = client.get(f"{API}?{query}", headers=world.alice.headers)
        assert r.status_code == 422 and r.json()["errors"][0]["field"] == "cursor", query


def test_default_order_is_newest_first_and_old_cursors_still_work(client, world):
    _seed(client, world)
    default = [i["id"] for i in _all_pages(client, world, "-created_at", 3)]
    r = client.get(f"{API}?limit=3&tag=s", headers=world.alice.headers).json()
    assert [i["id"] for i in r["items"]] == default[:3]
    again = client.get(f"{API}?limit=3&tag=s&cursor={r['next_cursor']}", headers=world.alice.headers).json()
    assert [i["id"] for i in again["items"]] == default[3:6]
    oldest_first = [i["id"] for i in _all_pages(client, world, "created_at", 3)]
    assert oldest_first == default[::-1]


def test_sort_respects_filters(client, world):
    _seed(client, world)
    # "e" is a prefix of "epsilon" and, accents folded, of "éclair"; empty values sort last.
    r = client.get(f"{API}?sort=-value&q=e&tag=s&limit=50", headers=world.alice.headers).json()
    names = [i["company_name"] for i in r["items"]]
    assert names == ["éclair", "epsilon"]


@pytest.mark.parametrize("sort", ["name", "-", "--value", "value,score", "owner_id"])
def test_unknown_sort_is_a_problem(client, world, sort):
    r = client.get(f"{API}?sort={sort}", headers=world.alice.headers)
    assert r.status_code == 422
    assert r.headers["content-type"].startswith("application/problem+json")
    assert any("sort" in e["field"] for e in r.json()["errors"])


def test_cursor_of_another_sort_or_tampered_is_refused(client, world):
    _seed(client, world)
    cursor = client.get(f"{API}?sort=score&limit=2", headers=world.alice.headers).json()["next_cursor"]
    for query in (f"sort=-score&cursor={cursor}", f"sort=value&cursor={cursor}", "sort=score&cursor=e30"):
        r = client.get(f"{API}?{query}", headers=world.alice.headers)
        assert r.status_code == 422 and r.json()["errors"][0]["field"] == "cursor", query
    # The creation orders carry only an id, yet their cursors name their sort as well.
    oldest = client.get(f"{API}?sort=created_at&limit=2", headers=world.alice.headers).json()["next_cursor"]
    newest = client.get(f"{API}?limit=2", headers=world.alice.headers).json()["next_cursor"]
    for query in (
        f"sort=-created_at&cursor={oldest}",
        f"cursor={oldest}",
        f"sort=created_at&cursor={newest}",
    ):
        r = client.get(f"{API}?{query}", headers=world.alice.headers)
        assert r.status_code == 422 and r.json()["errors"][0]["field"] == "cursor", query
    r = client.get(f"{API}?sort=-created_at&cursor={cursor}", headers=world.alice.headers)
    assert r.status_code == 422, "a cursor of a value sort continues no creation order"


def test_export_follows_the_sort(client, world):
    _seed(client, world)
    r = client.get(f"{API}/export.csv?sort=company_name&tag=s", headers=world.alice.headers)
    assert r.status_code == 200
    rows = list(csv.reader(io.StringIO(r.content.decode("utf-8-sig"))))
    names = [row[1] for row in rows[1:]]
    assert names[:3] == ["Alpha", "beta", "Delta"]
    assert names[-1] == "éclair"


def test_company_sort_walks_the_name_index_instead_of_sorting_the_org(client, world):
    """SQLite: a page comes from the companies' (org_id, lower(name), id) index, not a sort of every lead."""
    _seed(client, world)
    first = client.get(f"{API}?sort=company_name&limit=2", headers=world.alice.headers).json()
    seen: list[tuple[str, Any]] = []

    def record(_conn: Any, _cursor: Any, statement: str, parameters: Any, *_args: Any) -> None:
        seen.append((statement, parameters))

    deep = f"sort=company_name&cursor={first['next_cursor']}"
    for query in ("sort=company_name", "sort=-company_name", deep):
        seen.clear()
        event.listen(Engine, "before_cursor_execute", record)
        try:
            assert client.get(f"{API}?{query}&limit=2", headers=world.alice.headers).status_code == 200
        finally:
            event.remove(Engine, "before_cursor_execute", record)
        statement, parameters = next((s, p) for s, p in seen if "ORDER BY lower(companies.name)" in s)
        with get_engine().connect() as conn:
            plan = [row[-1] for row in conn.exec_driver_sql("EXPLAIN QUERY PLAN " + statement, parameters)]
        assert any("ix_companies_org_id_lower_name_id" in step for step in plan), (query, plan)
        # A sort of each company's few leads is fine; a sort of the whole result is what this prevents.
        assert "USE TEMP B-TREE FOR ORDER BY" not in plan, (query, plan)
