"""The pinned transport: connects only to pinned addresses, reuses a site's connection, lets idle sites go."""

from __future__ import annotations

import asyncio
import ipaddress

import httpx
import pytest

from salesos.integrations.enrich.ssrf import Target
from salesos.integrations.enrich.transport import PinnedTransport, Pins
from tests.integrations.enrich.conftest import make_fetcher
from tests.integrations.enrich.fake_web import FakeWeb


def _pin(pins: Pins, host: str, site: FakeWeb) -> None:
    url = httpx.URL(f"http://{host}:{site.port}/")
    pins.pin(Target(url=url, host=host, port=site.port, address=ipaddress.ip_address(site.host)))


def test_unpinned_host_is_never_dialled(site: FakeWeb) -> None:
    async def run() -> None:
        async with httpx.AsyncClient(transport=PinnedTransport(Pins(), per_origin=1)) as client:
            await client.get(site.origin + "/")

    with pytest.raises(httpx.ConnectError, match="not vetted"):
        asyncio.run(run())
    assert site.connections == 0


def test_pinned_name_is_dialled_at_its_address_with_its_host_header(site: FakeWeb) -> None:
    site.page("/", "hello", host="shop.example")
    pins = Pins()
    _pin(pins, "shop.example", site)

    async def run() -> str:
        async with httpx.AsyncClient(transport=PinnedTransport(pins, per_origin=1)) as client:
            return (await client.get(f"http://shop.example:{site.port}/")).text

    assert asyncio.run(run()) == "hello"
    assert site.requests == [("shop.example", "/")]


def test_a_site_reuses_its_connection(site: FakeWeb) -> None:
    for path in ("/robots.txt", "/", "/contact", "/about"):
        site.page(path, "page")

    async def run() -> None:
        async with make_fetcher(site) as fetcher:
            for path in ("/", "/contact", "/about"):
                await fetcher.fetch(site.origin + path)

    asyncio.run(run())
    assert len(site.requests) == 4
    assert site.connections == 1


def test_idle_origins_beyond_the_limit_are_closed(site: FakeWeb) -> None:
    pins = Pins()
    hosts = [f"site{n}.example" for n in range(6)]
    for host in hosts:
        site.page("/", host, host=host)
        _pin(pins, host, site)
    transport = PinnedTransport(pins, per_origin=1, idle_origins=2)

    async def run() -> int:
        async with httpx.AsyncClient(transport=transport) as client:
            for host in hosts:
                assert (await client.get(f"http://{host}:{site.port}/")).text == host
            return transport.open_origins()

    assert asyncio.run(run()) == 2
