"""Fixtures for contact finder tests: the loopback Hunter, plus the discovery tests' quick retry policy
and usage recorder."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.integrations.contacts.fake_hunter import FakeHunter
from tests.integrations.search.conftest import quick_retries, usage  # noqa: F401  (fixtures used by name)
from tests.integrations.search.fake_http import serve


@pytest.fixture
def hunter() -> Iterator[FakeHunter]:
    with serve(FakeHunter()) as fake:
        yield fake
