"""The SSRF battery: every private, loopback, link-local or odd-scheme target is refused before any
connection, including after a redirect, and the "internal" server never sees a connection."""

from __future__ import annotations

import asyncio
import ipaddress

import pytest

from salesos.integrations.enrich import errors
from salesos.integrations.enrich.errors import FetchError
from salesos.integrations.enrich.ssrf import Vetter, forbidden_reason, parse_numeric_host
from tests.integrations.enrich.conftest import FakeResolver, make_fetcher
from tests.integrations.enrich.fake_web import FakeWeb


def _refusal(site: FakeWeb, url: str, resolver: FakeResolver | None = None) -> FetchError:
    async def run() -> FetchError:
        async with make_fetcher(site, resolver) as fetcher:
            with pytest.raises(FetchError) as caught:
                await fetcher.fetch(url)
            return caught.value

    return asyncio.run(run())


@pytest.mark.parametrize(
    "host",
    [
        "127.0.0.1",
        "[::1]",
        "0x7f000001",
        "2130706433",
        "0177.0.0.1",
        "127.1",
        "[::ffff:127.0.0.1]",
        "169.254.169.254",
        "10.0.0.1",
        "192.168.1.1",
        "172.16.0.1",
        "100.64.0.1",
        "0.0.0.0",
        "224.0.0.1",
        "[fe80::1]",
        "[fc00::1]",
        "[64:ff9b::a9fe:a9fe]",
    ],
)
def test_private_and_numeric_hosts_are_refused(site: FakeWeb, internal: FakeWeb, host: str) -> None:
    exc = _refusal(site, f"http://{host}:{internal.port}/")
    assert exc.reason == errors.REFUSED_PRIVATE
    assert exc.permanent
    assert internal.connections == 0


@pytest.mark.parametrize("url", ["file:///etc/passwd", "gopher://127.0.0.1:70/_x", "ftp://example.com/"])
def test_other_schemes_are_refused(site: FakeWeb, url: str) -> None:
    assert _refusal(site, url).reason == errors.REFUSED_SCHEME


def test_redirect_from_allowed_site_to_internal_address_is_refused(site: FakeWeb, internal: FakeWeb) -> None:
    site.redirect("/", f"http://127.0.0.1:{internal.port}/admin")
    site.page("/robots.txt", "")
    exc = _refusal(site, site.origin + "/")
    assert exc.reason == errors.REFUSED_PRIVATE
    assert ("127.0.0.1", "/") in site.requests
    assert internal.connections == 0


def test_redirect_to_metadata_service_is_refused(site: FakeWeb) -> None:
    site.redirect("/", "http://169.254.169.254/latest/meta-data/", status=301)
    assert _refusal(site, site.origin + "/").reason == errors.REFUSED_PRIVATE


def test_hostname_resolving_to_loopback_is_refused(site: FakeWeb, internal: FakeWeb) -> None:
    resolver = FakeResolver({"evil.example": ["127.0.0.1"]})
    exc = _refusal(site, f"http://evil.example:{internal.port}/", resolver)
    assert exc.reason == errors.REFUSED_PRIVATE
    assert resolver.queries == ["evil.example"]
    assert internal.connections == 0


def test_hostname_with_any_private_address_is_refused(site: FakeWeb, internal: FakeWeb) -> None:
    # A public first answer must not hide a private second one (DNS rebinding across retries).
    resolver = FakeResolver({"mixed.example": ["93.184.216.34", "10.1.2.3"]})
    assert _refusal(site, f"http://mixed.example:{internal.port}/", resolver).reason == errors.REFUSED_PRIVATE
    assert internal.connections == 0


def test_allowlist_is_per_address_and_port(site: FakeWeb, internal: FakeWeb) -> None:
    site.page("/", "<title>ok</title>")

    async def run() -> int:
        async with make_fetcher(site) as fetcher:
            return (await fetcher.fetch(site.origin + "/")).status

    assert asyncio.run(run()) == 200
    assert _refusal(site, internal.origin + "/").reason == errors.REFUSED_PRIVATE
    assert internal.connections == 0


def test_vetted_name_connects_to_the_vetted_address_without_a_second_lookup(site: FakeWeb) -> None:
    site.page("/", "<title>named</title>", host="shop.example")
    resolver = FakeResolver({"shop.example": [site.host]})

    async def run() -> str:
        async with make_fetcher(site, resolver) as fetcher:
            return (await fetcher.fetch(f"http://shop.example:{site.port}/")).text

    assert "named" in asyncio.run(run())
    # One lookup for robots.txt's hop and one for the page's: each hop is resolved once, by us.
    assert resolver.queries == ["shop.example", "shop.example"]
    assert ("shop.example", "/") in site.requests


def test_unknown_host_is_unresolvable(site: FakeWeb) -> None:
    exc = _refusal(site, "http://nowhere.invalid/")
    assert exc.reason == errors.UNRESOLVABLE


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("0x7f000001", "127.0.0.1"),
        ("2130706433", "127.0.0.1"),
        ("0177.0.0.1", "127.0.0.1"),
        ("127.1", "127.0.0.1"),
        ("10.1", "10.0.0.1"),
        ("0x0a.0x00.0x00.0x01", "10.0.0.1"),
        ("[::1]", "::1"),
        ("example.com", None),
        ("1.2.3.4.5", None),
        ("256.1.1.1", None),
    ],
)
def test_parse_numeric_host(text: str, expected: str | None) -> None:
    parsed = parse_numeric_host(text)
    assert (str(parsed) if parsed else None) == expected


@pytest.mark.parametrize(
    "address",
    [
        "::ffff:10.0.0.1",
        "2002:7f00:1::",
        "2001:0:4136:e378:8000:63bf:80ff:fffe",
        "64:ff9b::7f00:1",
        "fe80::1",
    ],
)
def test_ipv6_forms_carrying_private_ipv4_are_forbidden(address: str) -> None:
    assert forbidden_reason(ipaddress.ip_address(address)) is not None


def test_public_addresses_pass() -> None:
    for address in ["93.184.216.34", "2606:2800:220:1:248:1893:25c8:1946", "64:ff9b::5db8:d822"]:
        assert forbidden_reason(ipaddress.ip_address(address)) is None


def test_vetter_refuses_urls_without_host() -> None:
    with pytest.raises(FetchError) as caught:
        asyncio.run(Vetter(FakeResolver()).vet("http:///path"))
    assert caught.value.reason == errors.REFUSED_INVALID
