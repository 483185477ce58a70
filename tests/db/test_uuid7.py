"""``uuid7_floor`` bounds time-ordered ids: every id minted at or after an instant sorts at or above it."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

from salesos.db.base import uuid7, uuid7_at, uuid7_floor


def test_ids_minted_after_an_instant_sort_above_its_floor_and_below_a_later_one() -> None:
    before = datetime.now(UTC)
    minted = [uuid7() for _ in range(500)]
    after = datetime.now(UTC) + timedelta(milliseconds=2)
    assert all(uuid7_floor(before - timedelta(milliseconds=1)) <= i < uuid7_floor(after) for i in minted)
    assert uuid7_floor(before).version == 7
    assert uuid7_floor(before - timedelta(days=1)) < uuid7_floor(before)


def test_uuid7_at_is_a_random_v7_of_that_millisecond() -> None:
    moment = datetime(2026, 10, 3, 9, 30, 15, 123456, tzinfo=UTC)
    minted = {uuid7_at(moment) for _ in range(200)}
    assert len(minted) == 200 and all(i.version == 7 and i.variant == uuid.RFC_4122 for i in minted)
    after = moment + timedelta(milliseconds=1)
    assert all(uuid7_floor(moment) <= i < uuid7_floor(after) for i in minted)
    assert max(minted) < uuid7_at(after) and max(minted) < uuid7()
