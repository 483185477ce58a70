"""Sorting the lead list: which keys exist, and keyset pages on (sort value, id) with empty values last."""

from __future__ import annotations

import base64
import json
import uuid
from collections import namedtuple
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any, Literal, get_args

from sqlalchemy import Integer, and_, bindparam, func, or_, tuple_
from sqlalchemy.orm import Session

from salesos.db.pagination import MAX_LIMIT, Page
from salesos.db.shaped import ShapedSelect
from salesos.errors import ValidationFailed
from salesos.leads.models import Company, Lead
from salesos.leads.schemas import LeadSort

__all__ = ["DEFAULT_SORT", "SORT_KEYS", "LeadSort", "SortSpec", "sorted_page"]

SortKey = Literal["created_at", "updated_at", "value", "company_name", "next_follow_up_at", "score", "tier"]
SORT_KEYS: tuple[str, ...] = get_args(SortKey)
DEFAULT_SORT = "-created_at"
# Keys whose value may be empty; those rows come after the rest, whichever the direction.
NULLABLE_KEYS = frozenset({"value", "next_follow_up_at", "score"})
# A lead's tiers, best first (the schemas accept no other value).
TIERS = ("A", "B", "C")


@dataclass(frozen=True)
class SortSpec:
    """A parsed ``sort=``: the key, its direction, and the SQL expression it orders by."""

    key: str
    descending: bool

    @classmethod
    def parse(cls, sort: str | None) -> SortSpec:
        """``"-score"`` → score, descending; an unknown key is a 422 on ``sort``."""
        raw = sort or DEFAULT_SORT
        key = raw.removeprefix("-")
        if key not in SORT_KEYS:
            raise ValidationFailed(
                f"Sort by one of {', '.join(SORT_KEYS)} (prefix - for descending).", field="sort"
            )
        return cls(key, raw.startswith("-"))

    @property
    def value(self) -> str:
        return f"-{self.key}" if self.descending else self.key

    @property
    def by_id(self) -> bool:
        # Ids are UUIDv7 minted at creation: creation order is id order, on the (org_id, id) index.
        return self.key == "created_at"

    def expression(self) -> Any:
        if self.key == "company_name":
            return func.lower(Company.name)
        return getattr(Lead, self.key)

    @property
    def by_tier(self) -> bool:
        # "tier": A, B, C, then leads without a tier; within a tier the best score first ("-score"),
        # and "-tier" the other way round (C first, lowest score first), untiered leads still last.
        return self.key == "tier"

    @property
    def by_company(self) -> bool:
        # Ordered by (lower(name), company id, lead id): the order of the companies' (org_id, lower(name),
        # id) index, so a page walks that index and each company's leads. Ties on the name alone would
        # interleave the leads of same-named companies, and no index gives that order: SQLite then sorted
        # every lead of the org for each page (53 ms a page at 10,000 leads; 2.6 ms now).
        return self.key == "company_name"


def _encode_value(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    return value


def _decode_value(key: str, raw: Any) -> Any:
    if raw is None:
        return None
    if key in ("updated_at", "next_follow_up_at"):
        return datetime.fromisoformat(raw)
    if key == "value":
        return Decimal(raw)
    if key in ("score", "tier"):
        return int(raw)
    return str(raw)


@dataclass(frozen=True)
class SortPosition:
    """Where a sorted page ends: the last row's sort value (the score, for the tier sort), its company
    (company sort only), its tier (tier sort only) and id."""

    value: Any
    row_id: uuid.UUID
    company_id: uuid.UUID | None = None
    tier: str | None = None


def encode_sorted_cursor(spec: SortSpec, position: SortPosition) -> str:
    """Opaque cursor after *position* in a list sorted by *spec*.

    Every cursor names its sort, the id orders too: a cursor of one order sent with another would
    continue from the wrong place and end the walk early, so it is refused instead.
    """
    data: dict[str, Any] = {"id": str(position.row_id), "s": spec.value}
    if not spec.by_id:
        data["v"] = _encode_value(position.value)
    if spec.by_company:
        data["c"] = str(position.company_id)
    if spec.by_tier:
        data["t"] = position.tier
    return base64.urlsafe_b64encode(json.dumps(data, separators=(",", ":")).encode()).decode().rstrip("=")


def decode_sorted_cursor(spec: SortSpec, cursor: str) -> SortPosition:
    """The position a cursor continues after; a cursor of another sort (or tampered) is a 422."""
    try:
        data = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
        if data.get("s") != spec.value:
            raise ValueError("cursor of another sort")
        company_id = uuid.UUID(data["c"]) if spec.by_company else None
        tier = data["t"] if spec.by_tier else None
        if tier not in (*TIERS, None):
            raise ValueError("not a tier")
        value = None if spec.by_id else _decode_value(spec.key, data["v"])
        return SortPosition(value, uuid.UUID(data["id"]), company_id, tier)
    except (ValueError, KeyError, TypeError, AttributeError, ArithmeticError) as exc:
        raise ValidationFailed("Invalid cursor", field="cursor") from exc


def cursor_at(spec: SortSpec, row: Any) -> str:
    """The cursor of a page that ends with *row*: what follows it in *spec*'s order comes next.

    *row* is a list row (with ``sort_value``, the database's lower-cased name, for the company sort).
    """
    if spec.by_id:
        return encode_sorted_cursor(spec, SortPosition(None, uuid.UUID(str(row.id))))
    return encode_sorted_cursor(spec, _position(spec, row))


def sorted_page(
    session: Session, stmt: ShapedSelect, spec: SortSpec, *, limit: int, cursor: str | None
) -> Page[Any]:
    """One page of *stmt*'s rows (which carry an ``id``) in *spec*'s order, after *cursor*.

    Every step added here keys on the sort and on which side of the cursor it bounds, and binds the
    cursor's values by name: one statement per shape serves every page (see ``db.shaped``).
    """
    limit = max(1, min(limit, MAX_LIMIT))
    want = limit + 1
    # The statements select columns, not entities: Core rows, without the ORM's loading.
    after = decode_sorted_cursor(spec, cursor) if cursor else None
    if spec.by_id:
        if after is not None:
            stmt = _after_id(stmt, spec.descending, after.row_id)
        rows = _ordered(stmt, spec, ("id",), want).rows(session)
        more = len(rows) > limit
        return Page(items=rows[:limit], next_cursor=cursor_at(spec, rows[limit - 1]) if more else None)
    if spec.by_tier:
        found = _tier_rows(session, stmt, spec, after, want)
    else:
        # lower() of SQL and of Python disagree beyond ASCII: the cursor takes the database's own value.
        if spec.by_company:
            sort_value = spec.expression().label("sort_value")
            stmt = stmt.then("sort_value", lambda s: s.add_columns(sort_value))
        found = _keyset_rows(session, stmt, spec, after, want)
    items: list[Any] = found[:limit]
    next_cursor = encode_sorted_cursor(spec, _position(spec, items[-1])) if len(found) > limit else None
    if spec.by_company and items:
        # The sort value was only for the cursor: the rows answer the list's columns.
        shape = namedtuple("LeadRow", items[0]._fields[:-1])  # type: ignore[misc]
        items = [shape(*row[:-1]) for row in items]
    return Page(items=items, next_cursor=next_cursor)


def _keyset_rows(
    session: Session, stmt: ShapedSelect, spec: SortSpec, after: SortPosition | None, want: int
) -> list[Any]:
    """Up to *want* of *stmt*'s rows after *after* in *spec*'s order, those without a sort value last."""
    # The company sort breaks ties on the company first (see ``SortSpec.by_company``).
    keys = ("value", "company", "id") if spec.by_company else ("value", "id")
    # Two keyset scans instead of one ORDER BY "col IS NULL": that term would keep the database from
    # walking the (org_id, col, id) index and make it sort every lead of the org for each page.
    found: list[Any] = []
    if after is None or after.value is not None:
        filled = stmt.where(("has", spec.key), lambda: spec.expression().is_not(None))
        if after is not None:
            filled = _past(filled, spec, after)
        found = _ordered(filled, spec, keys, want).rows(session)
    if len(found) < want and spec.key in NULLABLE_KEYS:
        # Empty values come last in both directions, in id order.
        empty = stmt.where(("empty", spec.key), lambda: spec.expression().is_(None))
        if after is not None and after.value is None:
            empty = _after_id(empty, spec.descending, after.row_id)
        found += _ordered(empty, spec, ("id",), want - len(found)).rows(session)
    return found


def _tier_rows(
    session: Session, stmt: ShapedSelect, spec: SortSpec, after: SortPosition | None, want: int
) -> list[Any]:
    """Up to *want* rows after *after* in tier order: each tier (from the cursor's on) in the score sort.

    One score scan per tier, not one ORDER BY over a CASE of the tier: no index has the tier, so that
    would sort every matching lead on every page (465 ms a page at 100,000 leads on PostgreSQL). Each scan
    walks the (org_id, score, id) index keeping its tier's leads, and stops once the page is full: 12 ms.
    But a tier with few or no matching leads is walked to the index's end, once per such tier on the page
    that reaches it (up to 750 ms there when no lead has a tier). An index on (org_id, tier, score, id)
    would make every scan a range of that index.
    """
    by_score = SortSpec("score", descending=not spec.descending)
    tiers: list[str | None] = [*(reversed(TIERS) if spec.descending else TIERS), None]
    if after is not None:
        tiers = tiers[tiers.index(after.tier) :]
    found: list[Any] = []
    for tier in tiers:
        if tier is None:
            in_tier = stmt.where("untiered", lambda: Lead.tier.is_(None))
        else:
            in_tier = stmt.where("in_tier", lambda: Lead.tier == bindparam("in_tier"), in_tier=tier)
        start = after if after is not None and after.tier == tier else None
        found += _keyset_rows(session, in_tier, by_score, start, want - len(found))
        if len(found) == want:
            break
    return found


def _position(spec: SortSpec, row: Any) -> SortPosition:
    """Where a page that ends with *row* ends."""
    row_id = uuid.UUID(str(row.id))
    if spec.by_company:
        return SortPosition(row.sort_value, row_id, uuid.UUID(str(row.company_id)))
    if spec.by_tier:
        return SortPosition(row.score, row_id, tier=row.tier)
    return SortPosition(getattr(row, spec.key), row_id)


def _after_id(stmt: ShapedSelect, descending: bool, row_id: uuid.UUID) -> ShapedSelect:
    """Rows past *row_id* in id order."""
    if descending:
        return stmt.where("id_before", lambda: Lead.id < bindparam("after_id"), after_id=row_id)
    return stmt.where("id_after", lambda: Lead.id > bindparam("after_id"), after_id=row_id)


def _past(stmt: ShapedSelect, spec: SortSpec, after: SortPosition) -> ShapedSelect:
    """Rows after *after* in *spec*'s order (the keyset condition of the next page)."""
    column = spec.expression()
    value = bindparam("after_value", type_=column.type)
    row_id = bindparam("after_id", type_=Lead.id.type)
    params = {"after_value": after.value, "after_id": after.row_id}
    if not spec.by_company:
        key, past = tuple_(column, Lead.id), tuple_(value, row_id)
        return stmt.where(
            ("past", spec.value), lambda: key < past if spec.descending else key > past, **params
        )
    # One row comparison over both tables can't bound an index scan, so the company's (name, id) is
    # bounded on its own, then the lead id within the cursor's company. SQLite starts its index walk at
    # the cursor (3.5 ms mid-list at 10,000 leads, was 56 ms). PostgreSQL under row-level security may
    # only filter on it (``lower()`` is not leakproof), so its walk still passes the companies
    # before the cursor: 43 ms mid-list at 100,000 leads, was 243 ms.
    company = tuple_(column, Company.id)
    at = tuple_(value, bindparam("after_company", type_=Company.id.type))
    params["after_company"] = after.company_id
    if spec.descending:
        return stmt.where(
            ("past", spec.value), lambda: and_(company <= at, or_(company < at, Lead.id < row_id)), **params
        )
    return stmt.where(
        ("past", spec.value), lambda: and_(company >= at, or_(company > at, Lead.id > row_id)), **params
    )


def _ordered(stmt: ShapedSelect, spec: SortSpec, keys: tuple[str, ...], limit: int) -> ShapedSelect:
    """*stmt*'s first *limit* rows ordered by *keys* ("value": the sort's own; "company", "id"), all in
    the sort's direction, so one index walk serves it."""

    def order(select_: Any) -> Any:
        columns = {"value": spec.expression(), "company": Company.id, "id": Lead.id}
        ordered = (columns[k].desc() if spec.descending else columns[k].asc() for k in keys)
        return select_.order_by(*ordered).limit(bindparam("want", type_=Integer))

    return stmt.then(("order", spec.value, keys), order, want=limit)
