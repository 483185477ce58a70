"""Campaign fixtures: the loopback prospecting world, and settings pointing at it."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from salesos.config import Settings, get_settings
from tests.campaigns.fakes import ProspectingWorld, prospecting_world


@pytest.fixture
def fakes() -> Iterator[ProspectingWorld]:
    """Five dentists in Austin on OpenStreetMap, each with a website."""
    with prospecting_world(5) as world:
        yield world


@pytest.fixture
def prospecting(
    settings: Settings, fakes: ProspectingWorld, monkeypatch: pytest.MonkeyPatch
) -> Iterator[Settings]:
    """The test's settings, pointed at the fakes (same database)."""
    for key, value in fakes.settings_env.items():
        monkeypatch.setenv(f"SALESOS_{key.upper()}", value)
    get_settings.cache_clear()
    yield get_settings()
    get_settings.cache_clear()
