"""An httpx transport that connects only to addresses the vetter pinned, never resolving names itself.

URLs keep their host names, so the Host header, TLS SNI, certificate checks and connection pooling all work
as usual; only the TCP connect is redirected to the pinned address. A host with no pin is refused, so a code
path that forgot to vet cannot reach the network.
"""

from __future__ import annotations

import ssl
import typing
from collections import OrderedDict
from collections.abc import AsyncIterator

import httpcore
import httpx

from salesos.integrations.enrich.ssrf import Target

# Pins are tiny, but an auditor may see millions of hosts over a process lifetime.
MAX_PINS = 10_000


class Pins:
    """(host, port) → vetted address, most recently pinned kept when full."""

    def __init__(self) -> None:
        self._pins: OrderedDict[tuple[str, int], str] = OrderedDict()

    def pin(self, target: Target) -> None:
        """Record that *target*'s host may be connected to at its vetted address."""
        key = (target.host, target.port)
        self._pins[key] = str(target.address)
        self._pins.move_to_end(key)
        while len(self._pins) > MAX_PINS:
            self._pins.popitem(last=False)

    def address(self, host: str, port: int) -> str | None:
        """The vetted address for *host*:*port*, if any."""
        return self._pins.get((host, port))


class PinnedBackend(httpcore.AsyncNetworkBackend):
    """Connects TCP to the pinned address of the requested host; unix sockets are not offered."""

    def __init__(self, pins: Pins) -> None:
        self.pins = pins
        self.inner = httpcore.AnyIOBackend()

    async def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: typing.Iterable[httpcore.SOCKET_OPTION] | None = None,
    ) -> httpcore.AsyncNetworkStream:
        """Open a TCP stream to the vetted address of *host*, or refuse."""
        address = self.pins.address(host, port)
        if address is None:
            raise httpcore.ConnectError(f"{host}:{port} was not vetted")
        return await self.inner.connect_tcp(
            address, port, timeout=timeout, local_address=local_address, socket_options=socket_options
        )

    async def connect_unix_socket(
        self,
        path: str,
        timeout: float | None = None,
        socket_options: typing.Iterable[httpcore.SOCKET_OPTION] | None = None,
    ) -> httpcore.AsyncNetworkStream:
        """Refused: the fetcher only speaks TCP."""
        raise httpcore.ConnectError("unix sockets are not allowed")

    async def sleep(self, seconds: float) -> None:
        """Delegate to anyio."""
        await self.inner.sleep(seconds)


class _OriginTransport(httpx.AsyncHTTPTransport):
    """httpx's own transport for one origin, its pool swapped for one dialling through the PinnedBackend."""

    def __init__(self, backend: PinnedBackend, ssl_context: ssl.SSLContext, connections: int) -> None:
        # trust_env=False: an HTTP(S)_PROXY from the environment would resolve names on our behalf.
        super().__init__(verify=ssl_context, trust_env=False)
        self._pool = httpcore.AsyncConnectionPool(
            ssl_context=ssl_context,
            max_connections=connections,
            max_keepalive_connections=connections,
            network_backend=backend,
        )


class _CountedStream(httpx.AsyncByteStream):
    """A response body that tells its origin when it is closed, so idle origins can be let go."""

    def __init__(
        self, inner: httpx.AsyncByteStream, done: typing.Callable[[], typing.Awaitable[None]]
    ) -> None:
        self.inner = inner
        self.done = done
        self.closed = False

    async def __aiter__(self) -> AsyncIterator[bytes]:
        async for chunk in self.inner:
            yield chunk

    async def aclose(self) -> None:
        """Close the body and release the origin once."""
        try:
            await self.inner.aclose()
        finally:
            if not self.closed:
                self.closed = True
                await self.done()


class _Origin:
    def __init__(self, transport: _OriginTransport) -> None:
        self.transport = transport
        self.active = 0


class PinnedTransport(httpx.AsyncBaseTransport):
    """One small connection pool per origin, all dialling pinned addresses.

    Per origin because an audit talks to one site a few times in a row and then never again: a shared
    pool of hundreds of connections to finished sites is scanned on every request (httpcore's pool is
    linear per request in its size) and evicts the one connection the next page could have reused.
    """

    def __init__(
        self, pins: Pins, *, verify: ssl.SSLContext | bool = True, per_origin: int, idle_origins: int = 32
    ) -> None:
        # One context for every pool (building one loads the CA bundle, ~50 ms).
        self.ssl_context = httpx.create_ssl_context(verify=verify, trust_env=False)
        self.backend = PinnedBackend(pins)
        self.per_origin = per_origin
        self.idle_origins = idle_origins
        self._origins: OrderedDict[tuple[str, bytes, int | None], _Origin] = OrderedDict()

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        """Send *request* through its origin's pool."""
        key = (request.url.scheme, request.url.raw_host, request.url.port)
        origin = self._origins.get(key)
        if origin is None:
            origin = _Origin(_OriginTransport(self.backend, self.ssl_context, self.per_origin))
            self._origins[key] = origin
        self._origins.move_to_end(key)
        origin.active += 1
        try:
            response = await origin.transport.handle_async_request(request)
        except BaseException:
            await self._release(origin)
            raise
        assert isinstance(response.stream, httpx.AsyncByteStream)
        response.stream = _CountedStream(response.stream, lambda: self._release(origin))
        return response

    async def _release(self, origin: _Origin) -> None:
        origin.active -= 1
        idle = [key for key, o in self._origins.items() if o.active == 0]
        # Oldest idle origins first; their kept-alive connections are closed with them.
        for key in idle[: max(0, len(idle) - self.idle_origins)]:
            await self._origins.pop(key).transport.aclose()

    def open_origins(self) -> int:
        """How many origins have a pool right now (for memory checks)."""
        return len(self._origins)

    async def aclose(self) -> None:
        """Close every origin's connections."""
        while self._origins:
            _, origin = self._origins.popitem()
            await origin.transport.aclose()
