"""Fixtures for discovery provider tests: loopback fakes, a quick retry policy and a usage recorder."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from salesos.integrations.search.http import RetryPolicy, Usage
from tests.integrations.search.fake_http import serve
from tests.integrations.search.fakes import FakeGooglePlaces, FakeNominatim, FakeOverpass, FakeYelp


@pytest.fixture
def quick_retries() -> RetryPolicy:
    """Three attempts with millisecond backoff; Retry-After honoured up to 2 s."""
    return RetryPolicy(
        attempts=3, backoff_seconds=0.01, backoff_max_seconds=0.05, retry_after_cap_seconds=2.0
    )


@pytest.fixture
def usage() -> list[Usage]:
    return []


@pytest.fixture
def nominatim() -> Iterator[FakeNominatim]:
    with serve(FakeNominatim()) as fake:
        yield fake


@pytest.fixture
def overpass() -> Iterator[FakeOverpass]:
    with serve(FakeOverpass()) as fake:
        yield fake


@pytest.fixture
def google() -> Iterator[FakeGooglePlaces]:
    with serve(FakeGooglePlaces()) as fake:
        yield fake


@pytest.fixture
def yelp() -> Iterator[FakeYelp]:
    with serve(FakeYelp()) as fake:
        yield fake
