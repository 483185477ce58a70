"""https through the pinned transport: the name is kept for SNI and certificate checks, the address is
the vetted one, and a certificate that does not verify is reported as such."""

from __future__ import annotations

import asyncio
import ssl
from collections.abc import Iterator

import pytest

from salesos.integrations.enrich import errors
from salesos.integrations.enrich.audit import WebsiteAudit, WebsiteAuditor
from salesos.integrations.enrich.errors import FetchError
from salesos.integrations.enrich.fetch import FetchPolicy, FetchResult, SafeFetcher
from tests.integrations.enrich.conftest import FakeResolver
from tests.integrations.enrich.fake_web import FakeWeb, fake_web
from tests.integrations.enrich.tls import SelfSignedCertificate, make_certificate

HOST = "secure.example"


@pytest.fixture(scope="module")
def certificate() -> SelfSignedCertificate:
    return make_certificate(HOST)


@pytest.fixture
def secure_site(certificate: SelfSignedCertificate) -> Iterator[FakeWeb]:
    with fake_web(tls=certificate.server_context()) as web:
        web.page("/", "<title>secure</title>")
        yield web


def _fetcher(site: FakeWeb, verify: ssl.SSLContext | bool) -> SafeFetcher:
    return SafeFetcher(
        FetchPolicy(per_host_interval=0.0),
        resolver=FakeResolver({HOST: [site.host]}),
        allow=[(site.host, site.port)],
        verify=verify,
    )


def test_https_by_name_verifies_the_certificate_for_that_name(
    secure_site: FakeWeb, certificate: SelfSignedCertificate
) -> None:
    async def run() -> FetchResult:
        async with _fetcher(secure_site, certificate.client_context()) as fetcher:
            return await fetcher.fetch(f"https://{HOST}:{secure_site.port}/")

    result = asyncio.run(run())
    assert result.https and "secure" in result.text
    assert result.certificate_expires is not None
    assert abs((result.certificate_expires - certificate.not_after).total_seconds()) < 1
    assert (HOST, "/") in secure_site.requests


def test_untrusted_certificate_is_reported(secure_site: FakeWeb) -> None:
    async def run() -> None:
        async with _fetcher(secure_site, True) as fetcher:
            await fetcher.fetch(f"https://{HOST}:{secure_site.port}/")

    with pytest.raises(FetchError) as caught:
        asyncio.run(run())
    assert caught.value.reason == errors.TLS_INVALID


def test_certificate_for_another_name_is_refused(
    secure_site: FakeWeb, certificate: SelfSignedCertificate
) -> None:
    # The numeric address is pinned just the same, but the certificate names secure.example only.
    async def run() -> None:
        async with _fetcher(secure_site, certificate.client_context()) as fetcher:
            await fetcher.fetch(f"https://127.0.0.1:{secure_site.port}/")

    with pytest.raises(FetchError) as caught:
        asyncio.run(run())
    assert caught.value.reason == errors.TLS_INVALID


def test_audit_records_certificate_validity_and_expiry(
    secure_site: FakeWeb, certificate: SelfSignedCertificate
) -> None:
    async def run(verify: ssl.SSLContext | bool) -> WebsiteAudit:
        async with _fetcher(secure_site, verify) as fetcher:
            return await WebsiteAuditor(fetcher).audit(f"https://{HOST}:{secure_site.port}/")

    good = asyncio.run(run(certificate.client_context()))
    assert good.https and good.certificate_valid and good.certificate_expires is not None
    bad = asyncio.run(run(True))
    assert (bad.reachable, bad.error, bad.certificate_valid) == (False, errors.TLS_INVALID, False)
