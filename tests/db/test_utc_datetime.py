"""``UtcDateTime``: every datetime read back is aware and in UTC, whatever form the database holds it in."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest
from sqlalchemy import literal_column, select, type_coerce

from salesos.db.base import UtcDateTime
from salesos.db.session import unit_of_work
from salesos.orgs.models import Membership
from tests.conftest import both_databases


@both_databases
def test_stored_times_come_back_aware_and_equal(settings, world) -> None:
    with unit_of_work(write=False, org_id=world.alice.org_id) as session:
        member = session.get(Membership, world.alice.member_id)
        assert member is not None
        stored = member.created_at
        row = session.execute(select(Membership.created_at).where(Membership.id == member.id)).one()
    assert stored.tzinfo is not None and row.created_at.tzinfo is not None
    assert row.created_at == stored
    assert abs(row.created_at - datetime.now(UTC)) < timedelta(minutes=5)


@pytest.mark.parametrize(
    ("stored", "expected"),
    [
        ("2026-12-05 11:13:29.123456", datetime(2026, 12, 5, 11, 13, 29, 123456, tzinfo=UTC)),
        ("2026-12-05 11:13:29", datetime(2026, 12, 5, 11, 13, 29, tzinfo=UTC)),
        ("2026-12-05", datetime(2026, 12, 5, tzinfo=UTC)),
        ("2026-12-05 12:13:29+01:00", datetime(2026, 12, 5, 12, 13, 29, tzinfo=timezone(timedelta(hours=1)))),
    ],
)
def test_sqlite_text_forms(settings, stored: str, expected: datetime) -> None:
    """SQLite keeps naive UTC text; a date alone or text with its own offset is read correctly too."""
    with unit_of_work(write=False) as session:
        got = session.execute(select(type_coerce(literal_column(f"'{stored}'"), UtcDateTime()))).scalar()
    assert got == expected and got.utcoffset() == expected.utcoffset()


def test_null_stays_null(settings) -> None:
    with unit_of_work(write=False) as session:
        assert session.execute(select(type_coerce(literal_column("NULL"), UtcDateTime()))).scalar() is None
