"""Declarative base and the mixins every table is made of."""

from __future__ import annotations

import operator
import os
import threading
import time
import uuid
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import DateTime, Dialect, ForeignKey, MetaData, String, Uuid, func
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.orm import DeclarativeBase, Mapped, declared_attr, mapped_column
from sqlalchemy.sql.functions import FunctionElement
from sqlalchemy.types import TypeDecorator

# Named constraints keep Alembic's batch mode (SQLite) and PostgreSQL migrations identical.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


_uuid_lock = threading.Lock()
_uuid_state = {"ms": 0, "seq": 0}


def uuid7() -> uuid.UUID:
    """A time-ordered UUID (RFC 9562 v7, method 1 counter): ids sort by creation, within a process
    even inside one millisecond, so they make stable cursors and append-friendly index keys."""
    with _uuid_lock:
        ms = time.time_ns() // 1_000_000
        if ms <= _uuid_state["ms"]:
            _uuid_state["seq"] += 1
            if _uuid_state["seq"] > 0xFFF:  # counter exhausted: borrow the next millisecond
                _uuid_state["ms"] += 1
                _uuid_state["seq"] = 0
            ms = _uuid_state["ms"]
        else:
            _uuid_state["ms"], _uuid_state["seq"] = ms, int.from_bytes(os.urandom(1), "big")
        seq = _uuid_state["seq"]
    value = (ms & 0xFFFF_FFFF_FFFF) << 80 | 0x7 << 76 | seq << 64 | 0b10 << 62
    value |= int.from_bytes(os.urandom(8), "big") & ((1 << 62) - 1)
    return uuid.UUID(int=value)


def uuid7_floor(at: datetime) -> uuid.UUID:
    """The smallest UUIDv7 of *at*'s millisecond: ``id >= uuid7_floor(t)`` bounds a scan of the (org_id, id)
    index to rows inserted since *t*. Pair it with the row's own time column, which imports may backdate."""
    ms = int(at.timestamp() * 1000)
    return uuid.UUID(int=(ms & 0xFFFF_FFFF_FFFF) << 80 | 0x7 << 76 | 0b10 << 62)


def uuid7_at(at: datetime) -> uuid.UUID:
    """A random UUIDv7 of *at*'s millisecond: the id a row created at *at* would have been given. For rows
    written with a past creation time (backdated demo data), so that id order stays creation order."""
    ms = int(at.timestamp() * 1000)
    rand_a = int.from_bytes(os.urandom(2), "big") & 0xFFF
    rand_b = int.from_bytes(os.urandom(8), "big") & ((1 << 62) - 1)
    return uuid.UUID(int=(ms & 0xFFFF_FFFF_FFFF) << 80 | 0x7 << 76 | rand_a << 64 | 0b10 << 62 | rand_b)


# The five groups of a UUID's 32 hex digits, sliced in one C call.
_UUID_GROUPS = operator.itemgetter(slice(0, 8), slice(8, 12), slice(12, 16), slice(16, 20), slice(20, 32))


class UuidText(TypeDecorator[str]):
    """The result type of ``uuid_text``: a UUID's canonical text, whatever form the database sends."""

    impl = String
    cache_ok = True

    def result_processor(self, dialect: Dialect, coltype: object) -> Callable[[Any], str | None] | None:
        # Per database, one call per value instead of TypeDecorator's two: a list page reads 100+ ids.
        if dialect.name == "postgresql":
            return None  # CAST(... AS TEXT) already gives the canonical text
        if dialect.name == "sqlite":
            general = self.process_result_value

            def dashed(value: Any) -> str | None:
                if isinstance(value, str) and len(value) == 32:  # SQLite keeps 32 hex digits
                    return "-".join(_UUID_GROUPS(value))
                return general(value, dialect)

            return dashed
        return super().result_processor(dialect, coltype)

    def process_result_value(self, value: Any, dialect: object) -> str | None:
        if value is None:
            return None
        if isinstance(value, str) and len(value) == 36:
            return value.lower()  # PostgreSQL's own text form (already lower case)
        if isinstance(value, str) and len(value) == 32:  # SQLite keeps 32 hex digits
            return "-".join(_UUID_GROUPS(value))
        return str(value if isinstance(value, uuid.UUID) else uuid.UUID(value))


class _UuidAsText(FunctionElement[str]):
    """SELECT a UUID column as text (see ``uuid_text``); compiled per database below."""

    type = UuidText()
    name = "uuid_as_text"
    inherit_cache = True


@compiles(_UuidAsText)
def _uuid_as_text(element: _UuidAsText, compiler: Any, **kw: Any) -> str:
    return str(compiler.process(element.clauses, **kw))  # SQLite: the stored text itself


@compiles(_UuidAsText, "postgresql")
def _uuid_as_text_postgresql(element: _UuidAsText, compiler: Any, **kw: Any) -> str:
    return f"CAST({compiler.process(element.clauses, **kw)} AS TEXT)"


def uuid_text(column: Any) -> Any:
    """*column*, a UUID column, selected as its canonical text under its own name.

    For projections that go straight to JSON: building a ``uuid.UUID`` per value (SQLite's hex text
    parsed, psycopg's bytes decoded) and printing it again was most of the cost of a list page's rows.
    Only the SELECT list uses it; filters and ordering keep the column's own type and indexes.
    """
    return _UuidAsText(column).label(column.key)


def utcnow() -> datetime:
    """Timezone-aware now in UTC."""
    return datetime.now(UTC)


class UtcDateTime(TypeDecorator[datetime]):
    """Timezone-aware datetimes on both databases (SQLite would hand back naive values)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: object) -> datetime | None:
        if value is not None and value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        return value.astimezone(UTC) if value is not None else None

    def result_processor(self, dialect: Dialect, coltype: object) -> Callable[[Any], datetime | None] | None:
        # Every datetime column of every row passes here. TypeDecorator's generic path costs two calls
        # and a ``replace(tzinfo=...)`` (~0.8 us, most of it keyword parsing) per value; these don't.
        if dialect.name == "postgresql":
            return None  # timestamptz columns (all of them): psycopg returns aware datetimes
        if dialect.name == "sqlite":
            general = super().result_processor(dialect, coltype)
            assert general is not None

            def utc(value: Any) -> datetime | None:
                if value is None:
                    return None
                # SQLite keeps naive UTC text ("2026-12-05 11:13:29.123456"); naming the offset in
                # the text makes fromisoformat build the aware value in one step.
                try:
                    parsed = datetime.fromisoformat(value + "+00:00")
                except (TypeError, ValueError):  # text that already has an offset
                    return general(value)
                # A date alone ("2026-12-05+00:00") parses with the offset dropped.
                return parsed if parsed.tzinfo is not None else parsed.replace(tzinfo=UTC)

            return utc
        return super().result_processor(dialect, coltype)

    def process_result_value(self, value: datetime | None, dialect: object) -> datetime | None:
        if value is not None and value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value


class Base(DeclarativeBase):
    """Base of every ORM model."""

    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    type_annotation_map = {datetime: UtcDateTime()}


class IdMixin:
    """A UUIDv7 primary key: unguessable across tenants, ordered in time."""

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid7)


class TimestampMixin:
    """created_at / updated_at maintained by the ORM."""

    created_at: Mapped[datetime] = mapped_column(default=utcnow, server_default=func.now())
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow, server_default=func.now())


class TenantMixin:
    """Marks a table as tenant-owned: org_id NOT NULL, indexed, and protected by RLS on PostgreSQL."""

    @declared_attr
    def org_id(cls) -> Mapped[uuid.UUID]:
        return mapped_column(
            Uuid, ForeignKey("organizations.id", ondelete="CASCADE"), nullable=False, index=True
        )
