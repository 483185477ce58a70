"""Fixtures: an allowlisted loopback site, an "internal" loopback server that must never be reached, and a
resolver that knows only the names a test gives it."""

from __future__ import annotations

import ipaddress
from collections.abc import Iterator

import pytest

from salesos.integrations.enrich.fetch import FetchPolicy, SafeFetcher
from salesos.integrations.enrich.ssrf import IPAddress
from tests.integrations.enrich.fake_web import FakeWeb, fake_web


class FakeResolver:
    """Answers from a fixed table; any other name is unknown (like NXDOMAIN)."""

    def __init__(self, table: dict[str, list[str]] | None = None) -> None:
        self.table = dict(table or {})
        self.queries: list[str] = []

    async def __call__(self, host: str, port: int) -> list[IPAddress]:
        self.queries.append(host)
        if host not in self.table:
            raise OSError(f"unknown host {host}")
        return [ipaddress.ip_address(a) for a in self.table[host]]


@pytest.fixture
def site() -> Iterator[FakeWeb]:
    with fake_web() as web:
        yield web


@pytest.fixture
def internal() -> Iterator[FakeWeb]:
    with fake_web() as web:
        yield web


@pytest.fixture
def resolver() -> FakeResolver:
    return FakeResolver()


def make_fetcher(site: FakeWeb, resolver: FakeResolver | None = None, **policy: object) -> SafeFetcher:
    """A fetcher that lets only *site*'s (ip, port) through the private-address rule."""
    defaults: dict[str, object] = {"per_host_interval": 0.0}
    defaults.update(policy)
    return SafeFetcher(
        FetchPolicy(**defaults),  # type: ignore[arg-type]
        resolver=resolver or FakeResolver(),
        allow=[(site.host, site.port)],
    )
