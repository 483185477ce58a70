"""SafeFetcher: GET a public web page with SSRF vetting on every hop, caps, politeness and robots.txt."""

from __future__ import annotations

import asyncio
import datetime as dt
import ssl
import time
from collections.abc import Collection
from dataclasses import dataclass, field
from urllib.parse import urljoin

import httpx

from salesos.integrations.enrich import errors
from salesos.integrations.enrich.errors import FetchError
from salesos.integrations.enrich.politeness import HostGate
from salesos.integrations.enrich.robots import RobotsCache
from salesos.integrations.enrich.ssrf import Resolver, Target, Vetter, system_resolver
from salesos.integrations.enrich.transport import PinnedTransport, Pins

REDIRECT_STATUSES = {301, 302, 303, 307, 308}
USER_AGENT = "SalesOS-Audit/0.1 (+https://github.com/salesos/salesos)"
ROBOTS_AGENT = "SalesOS-Audit"


@dataclass(frozen=True)
class FetchPolicy:
    """Limits for one fetcher; the defaults are the issue's (10 s, 5 MB, 5 redirects)."""

    timeout: float = 10.0
    max_body: int = 5 * 1024 * 1024
    max_redirects: int = 5
    max_concurrency: int = 50
    per_host_concurrency: int = 2
    per_host_interval: float = 0.25
    respect_robots: bool = True
    user_agent: str = USER_AGENT


@dataclass(frozen=True)
class FetchResult:
    """A completed GET: where it ended, what came back and how long it took."""

    url: str
    final_url: str
    status: int
    headers: httpx.Headers
    body: bytes
    encoding: str
    address: str
    redirects: list[str] = field(default_factory=list)
    # Seconds from sending the last hop's request to its response headers.
    response_time: float = 0.0
    # Seconds for the whole fetch, redirects included.
    elapsed: float = 0.0
    # Bytes on the wire (before content decoding) of the final hop.
    transfer_bytes: int = 0
    # The verified server certificate's expiry, for https pages.
    certificate_expires: dt.datetime | None = None

    @property
    def text(self) -> str:
        """The body decoded with the declared charset (undecodable bytes replaced)."""
        try:
            return self.body.decode(self.encoding, errors="replace")
        except LookupError:
            return self.body.decode("utf-8", errors="replace")

    @property
    def https(self) -> bool:
        """True when the page finally came over https."""
        return self.final_url.startswith("https://")


@dataclass(frozen=True)
class _Hop:
    status: int
    headers: httpx.Headers
    body: bytes
    encoding: str
    response_time: float
    transfer_bytes: int
    certificate_expires: dt.datetime | None


def _caused_by(exc: BaseException, kind: type[BaseException]) -> bool:
    seen: BaseException | None = exc
    while seen is not None:
        if isinstance(seen, kind):
            return True
        seen = seen.__cause__ or seen.__context__
    return False


def _certificate_expiry(response: httpx.Response) -> dt.datetime | None:
    stream = response.extensions.get("network_stream")
    ssl_object = stream.get_extra_info("ssl_object") if stream is not None else None
    # getpeercert() is empty unless the certificate was verified, which is what an expiry is worth.
    cert = ssl_object.getpeercert() if isinstance(ssl_object, ssl.SSLObject) else None
    if not cert or "notAfter" not in cert:
        return None
    return dt.datetime.fromtimestamp(ssl.cert_time_to_seconds(str(cert["notAfter"])), dt.UTC)


class SafeFetcher:
    """Fetches untrusted URLs; use as ``async with SafeFetcher() as fetcher``.

    *allow* is for tests only: (ip, port) pairs let through although private (the loopback fakes).
    """

    def __init__(
        self,
        policy: FetchPolicy | None = None,
        *,
        resolver: Resolver = system_resolver,
        allow: Collection[tuple[str, int]] = (),
        verify: ssl.SSLContext | bool = True,
    ) -> None:
        self.policy = policy or FetchPolicy()
        self.vetter = Vetter(resolver, allow)
        self.pins = Pins()
        self.gate = HostGate(
            total=self.policy.max_concurrency,
            per_host=self.policy.per_host_concurrency,
            interval=self.policy.per_host_interval,
        )
        self.transport = PinnedTransport(
            self.pins, verify=verify, per_origin=self.policy.per_host_concurrency
        )
        self.client = httpx.AsyncClient(
            transport=self.transport,
            follow_redirects=False,
            trust_env=False,
            timeout=self.policy.timeout,
            headers={"User-Agent": self.policy.user_agent},
        )
        # Requests go straight to the transport (see _stream); the client supplies httpx's usual headers.
        self._headers = self.client.headers
        self._timeouts = self.client.timeout.as_dict()
        self.robots = RobotsCache(self, ROBOTS_AGENT)

    async def __aenter__(self) -> SafeFetcher:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        """Close pooled connections."""
        await self.client.aclose()

    async def fetch(
        self, url: str, *, robots: bool | None = None, max_body: int | None = None
    ) -> FetchResult:
        """GET *url*, following at most ``max_redirects`` redirects, each hop vetted; raise FetchError."""
        check_robots = self.policy.respect_robots if robots is None else robots
        cap = self.policy.max_body if max_body is None else max_body
        started = time.monotonic()
        redirects: list[str] = []
        current = url
        for _ in range(self.policy.max_redirects + 1):
            target = await self._vet(current)
            if check_robots and not await self.robots.allowed(target.url):
                raise FetchError(errors.ROBOTS_DISALLOWED, str(target.url), url=url)
            hop = await self._get(target, cap, url)
            location = hop.headers.get("location")
            if hop.status in REDIRECT_STATUSES and location:
                redirects.append(str(target.url))
                current = urljoin(str(target.url), location.strip())
                continue
            return FetchResult(
                url=url,
                final_url=str(target.url),
                status=hop.status,
                headers=hop.headers,
                body=hop.body,
                encoding=hop.encoding,
                address=str(target.address),
                redirects=redirects,
                response_time=hop.response_time,
                elapsed=time.monotonic() - started,
                transfer_bytes=hop.transfer_bytes,
                certificate_expires=hop.certificate_expires,
            )
        raise FetchError(errors.TOO_MANY_REDIRECTS, f"more than {self.policy.max_redirects}", url=url)

    async def _vet(self, url: str) -> Target:
        try:
            async with asyncio.timeout(self.policy.timeout):
                return await self.vetter.vet(url)
        except TimeoutError as exc:
            raise FetchError(errors.TIMEOUT, "resolving", permanent=False, url=url) from exc

    async def _get(self, target: Target, cap: int, url: str) -> _Hop:
        async with self.gate.slot(target.host):
            # Pinned inside the slot, right before the request: the transport connects only to this address.
            self.pins.pin(target)
            try:
                async with asyncio.timeout(self.policy.timeout):
                    return await self._stream(target, cap, url)
            except TimeoutError as exc:
                raise FetchError(errors.TIMEOUT, str(target.url), permanent=False, url=url) from exc
            except httpx.TimeoutException as exc:
                raise FetchError(errors.TIMEOUT, str(target.url), permanent=False, url=url) from exc
            except httpx.ConnectError as exc:
                if _caused_by(exc, ssl.SSLCertVerificationError):
                    raise FetchError(errors.TLS_INVALID, str(exc), url=url) from exc
                raise FetchError(errors.CONNECT_FAILED, str(exc), permanent=False, url=url) from exc
            except httpx.HTTPError as exc:
                raise FetchError(errors.CONNECT_FAILED, type(exc).__name__, permanent=False, url=url) from exc

    async def _stream(self, target: Target, cap: int, url: str) -> _Hop:
        # Sent to the transport directly: the client's redirect, auth and event-hook machinery is unused
        # here, and its cookie jar would only collect every audited site's cookies for the process lifetime.
        request = httpx.Request(
            "GET", target.url, headers=self._headers, extensions={"timeout": self._timeouts}
        )
        sent = time.monotonic()
        response = await self.transport.handle_async_request(request)
        response.request = request
        try:
            response_time = time.monotonic() - sent
            certificate_expires = _certificate_expiry(response) if target.url.scheme == "https" else None
            if response.status_code in REDIRECT_STATUSES:
                body = b""
            else:
                declared = response.headers.get("content-length", "")
                if declared.isdigit() and int(declared) > cap:
                    raise FetchError(errors.BODY_TOO_LARGE, f"declared {declared} bytes", url=url)
                chunks: list[bytes] = []
                total = 0
                async for chunk in response.aiter_bytes():
                    total += len(chunk)
                    # Counted after decoding, so a small gzip bomb is stopped as surely as a big body.
                    if total > cap:
                        raise FetchError(errors.BODY_TOO_LARGE, f"over {cap} bytes", url=url)
                    chunks.append(chunk)
                body = b"".join(chunks)
            return _Hop(
                status=response.status_code,
                headers=response.headers,
                body=body,
                encoding=response.charset_encoding or "utf-8",
                response_time=response_time,
                transfer_bytes=response.num_bytes_downloaded,
                certificate_expires=certificate_expires,
            )
        finally:
            await response.aclose()
