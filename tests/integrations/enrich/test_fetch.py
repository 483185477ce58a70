"""The safe fetcher against loopback fake sites: redirects, limits, timeouts, robots.txt, politeness."""

from __future__ import annotations

import asyncio
import time
from typing import Any

import pytest

from salesos.integrations.enrich import errors
from salesos.integrations.enrich.errors import FetchError
from salesos.integrations.enrich.fetch import FetchResult
from tests.integrations.enrich.conftest import make_fetcher
from tests.integrations.enrich.fake_web import FakeWeb, Route


def _fetch(site: FakeWeb, path: str = "/", **policy: Any) -> FetchResult:
    async def run() -> FetchResult:
        async with make_fetcher(site, **policy) as fetcher:
            return await fetcher.fetch(site.origin + path)

    return asyncio.run(run())


def _error(site: FakeWeb, path: str = "/", **policy: Any) -> FetchError:
    with pytest.raises(FetchError) as caught:
        _fetch(site, path, **policy)
    return caught.value


def test_follows_a_redirect_chain_and_reports_each_hop(site: FakeWeb) -> None:
    for hop in range(1, 5):
        site.redirect(f"/r{hop}", f"/r{hop + 1}")
    site.redirect("/", "/r1", status=301)
    site.page("/r5", "<title>end</title>")
    result = _fetch(site)
    assert result.status == 200
    assert result.final_url == site.origin + "/r5"
    assert len(result.redirects) == 5
    assert not result.https
    assert result.address == "127.0.0.1"


def test_a_redirect_loop_stops_after_five_hops(site: FakeWeb) -> None:
    site.redirect("/a", "/b")
    site.redirect("/b", "/a")
    exc = _error(site, "/a")
    assert exc.reason == errors.TOO_MANY_REDIRECTS
    assert sum(1 for _, path in site.requests if path in {"/a", "/b"}) == 6


def test_a_slow_site_times_out(site: FakeWeb) -> None:
    site.page("/", "late", delay=1.5)
    started = time.monotonic()
    exc = _error(site, timeout=0.3)
    assert exc.reason == errors.TIMEOUT
    assert not exc.permanent
    assert time.monotonic() - started < 1.2


def test_an_endless_body_is_cut_at_the_cap(site: FakeWeb) -> None:
    site.route("/", Route(stream_bytes=50 * 1024 * 1024))
    started = time.monotonic()
    exc = _error(site, max_body=1024 * 1024)
    assert exc.reason == errors.BODY_TOO_LARGE
    assert time.monotonic() - started < 5


def test_a_declared_oversized_body_is_refused_before_reading(site: FakeWeb) -> None:
    site.page("/", "x" * 5000)
    assert _error(site, max_body=1000).reason == errors.BODY_TOO_LARGE


def test_robots_disallow_is_respected(site: FakeWeb) -> None:
    site.page("/robots.txt", "User-agent: *\nDisallow: /private\n", content_type="text/plain")
    site.page("/private/x", "secret")
    site.page("/public", "fine")
    assert _error(site, "/private/x").reason == errors.ROBOTS_DISALLOWED
    assert ("127.0.0.1", "/private/x") not in site.requests
    assert _fetch(site, "/public").status == 200


def test_robots_rules_for_our_agent_apply(site: FakeWeb) -> None:
    site.page("/robots.txt", "User-agent: SalesOS-Audit\nDisallow: /\n", content_type="text/plain")
    assert _error(site).reason == errors.ROBOTS_DISALLOWED


def test_robots_server_error_means_disallow_and_missing_means_allow(site: FakeWeb) -> None:
    site.route("/robots.txt", Route(status=503))
    site.page("/", "home")
    assert _error(site).reason == errors.ROBOTS_DISALLOWED
    site.route("/robots.txt", Route(status=404))
    assert _fetch(site).status == 200


def test_robots_is_fetched_once_per_origin(site: FakeWeb) -> None:
    site.page("/robots.txt", "User-agent: *\nAllow: /\n", content_type="text/plain")
    for path in ("/", "/a", "/b"):
        site.page(path, "page")

    async def run() -> None:
        async with make_fetcher(site) as fetcher:
            await asyncio.gather(*(fetcher.fetch(site.origin + p) for p in ("/", "/a", "/b")))

    asyncio.run(run())
    assert site.requests.count(("127.0.0.1", "/robots.txt")) == 1


def test_per_host_politeness_spaces_requests(site: FakeWeb) -> None:
    for n in range(4):
        site.page(f"/{n}", "page")

    async def run() -> float:
        async with make_fetcher(
            site, per_host_concurrency=1, per_host_interval=0.2, respect_robots=False
        ) as f:
            started = time.monotonic()
            await asyncio.gather(*(f.fetch(f"{site.origin}/{n}") for n in range(4)))
            return time.monotonic() - started

    assert asyncio.run(run()) >= 0.6


def test_global_concurrency_is_bounded(site: FakeWeb) -> None:
    site.page("/", "slow", delay=0.3)

    async def run() -> float:
        async with make_fetcher(
            site, max_concurrency=2, per_host_concurrency=10, respect_robots=False
        ) as fetcher:
            started = time.monotonic()
            await asyncio.gather(*(fetcher.fetch(site.origin + "/") for _ in range(4)))
            return time.monotonic() - started

    # Four 0.3 s requests two at a time take two rounds.
    assert asyncio.run(run()) >= 0.55


def test_fetch_result_decodes_declared_charset(site: FakeWeb) -> None:
    site.route("/", Route(body="café".encode("latin-1"), content_type="text/html; charset=iso-8859-1"))
    result = _fetch(site)
    assert result.text == "café"
    assert result.transfer_bytes == 4
    assert result.response_time >= 0


def test_host_state_is_forgotten_after_its_spacing(site: FakeWeb) -> None:
    site.page("/", "page")

    async def run() -> tuple[int, int]:
        async with make_fetcher(site, per_host_interval=0.05, respect_robots=False) as fetcher:
            await fetcher.fetch(site.origin + "/")
            during = fetcher.gate.tracked_hosts()
            await asyncio.sleep(0.15)
            return during, fetcher.gate.tracked_hosts()

    assert asyncio.run(run()) == (1, 0)
