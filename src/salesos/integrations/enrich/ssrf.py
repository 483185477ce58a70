"""SSRF vetting: which URLs may be fetched, and the one address each may be fetched from.

A website URL comes from a scraped listing or a user, so it may name anything: the metadata service, the
database next door, a loopback admin port. Every URL (and every redirect hop) is resolved here once, every
resolved address must be public, and the caller connects to the vetted address only.
"""

from __future__ import annotations

import asyncio
import ipaddress
import socket
from collections.abc import Awaitable, Callable, Collection
from dataclasses import dataclass
from urllib.parse import urlsplit, urlunsplit

import httpx

from salesos.integrations.enrich import errors
from salesos.integrations.enrich.errors import FetchError

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
# (host, port) -> every address the host resolves to.
Resolver = Callable[[str, int], Awaitable[list[IPAddress]]]

ALLOWED_SCHEMES = {"http": 80, "https": 443}
CGNAT = ipaddress.IPv4Network("100.64.0.0/10")
NAT64 = ipaddress.IPv6Network("64:ff9b::/96")


@dataclass(frozen=True)
class Target:
    """A vetted URL (normalised), its host as the HTTP client will name it, the port, the address to use."""

    url: httpx.URL
    host: str
    port: int
    address: IPAddress


def parse_numeric_host(host: str) -> IPAddress | None:
    """The address a numeric host denotes, accepting the inet_aton forms (0x7f000001, 2130706433, 0177.1)."""
    host = host.strip("[]")
    try:
        return ipaddress.ip_address(host)
    except ValueError:
        pass
    parts = host.split(".")
    if not 1 <= len(parts) <= 4:
        return None
    values: list[int] = []
    for part in parts:
        try:
            if part.lower().startswith("0x"):
                values.append(int(part[2:] or "0", 16))
            elif len(part) > 1 and part.startswith("0"):
                values.append(int(part, 8))
            else:
                values.append(int(part, 10))
        except ValueError:
            return None
    # inet_aton: the last part fills every byte the earlier (one-byte) parts left.
    *head, last = values
    if any(v > 255 for v in head) or last >= 256 ** (4 - len(head)):
        return None
    number = 0
    for v in head:
        number = number << 8 | v
    number = number << (8 * (4 - len(head))) | last
    return ipaddress.IPv4Address(number)


def forbidden_reason(address: IPAddress) -> str | None:
    """Why *address* must not be fetched from, or None when it is a public unicast address."""
    if isinstance(address, ipaddress.IPv6Address):
        # An IPv6 form that carries an IPv4 address is judged by the IPv4 address it reaches.
        embedded = address.ipv4_mapped or address.sixtofour
        if embedded is None and address.teredo is not None:
            embedded = address.teredo[1]
        if embedded is None and address in NAT64:
            embedded = ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)
        if embedded is not None:
            return forbidden_reason(embedded)
    checks = (
        ("loopback", address.is_loopback),
        ("unspecified", address.is_unspecified),
        ("link-local", address.is_link_local),
        ("multicast", address.is_multicast),
        ("private", address.is_private),
        ("reserved", address.is_reserved),
        ("shared (CGNAT)", isinstance(address, ipaddress.IPv4Address) and address in CGNAT),
        ("not global", not address.is_global),
    )
    return next((name for name, hit in checks if hit), None)


async def system_resolver(host: str, port: int) -> list[IPAddress]:
    """Resolve with the OS resolver (getaddrinfo in a thread), every address family."""
    loop = asyncio.get_running_loop()
    infos = await loop.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    # Scope ids ("fe80::1%eth0") are dropped: the address alone decides the verdict.
    return [ipaddress.ip_address(str(info[4][0]).split("%", 1)[0]) for info in infos]


class Vetter:
    """Resolves and checks URLs; *allow* lists (ip, port) pairs let through despite the rules (tests only)."""

    def __init__(self, resolver: Resolver = system_resolver, allow: Collection[tuple[str, int]] = ()) -> None:
        self.resolver = resolver
        self.allow = {(str(ipaddress.ip_address(ip)), port) for ip, port in allow}

    def _check(self, address: IPAddress, port: int, url: str) -> None:
        if (str(address), port) in self.allow:
            return
        reason = forbidden_reason(address)
        if reason is not None:
            raise FetchError(errors.REFUSED_PRIVATE, f"{reason} {address}", url=url)

    async def vet(self, url: str) -> Target:
        """Resolve *url*'s host and return the address to connect to; raise FetchError if any is refused."""
        try:
            parts = urlsplit(url.strip())
            port = parts.port
        except ValueError as exc:
            raise FetchError(errors.REFUSED_INVALID, str(exc), url=url) from exc
        scheme = parts.scheme.lower()
        if scheme not in ALLOWED_SCHEMES:
            raise FetchError(errors.REFUSED_SCHEME, scheme or "none", url=url)
        if not parts.hostname:
            raise FetchError(errors.REFUSED_INVALID, "no host", url=url)
        numeric = parse_numeric_host(parts.hostname)
        if numeric is not None:
            # Rewritten to the canonical form so the request names exactly the address that was judged.
            host_text = f"[{numeric}]" if numeric.version == 6 else str(numeric)
            netloc = host_text if parts.port is None else f"{host_text}:{parts.port}"
            parts = parts._replace(netloc=netloc)
        try:
            normalized = httpx.URL(urlunsplit(parts._replace(path=parts.path or "/", fragment="")))
        except httpx.InvalidURL as exc:
            raise FetchError(errors.REFUSED_INVALID, str(exc), url=url) from exc
        host = normalized.raw_host.decode("ascii")
        port = port or ALLOWED_SCHEMES[scheme]
        if numeric is not None:
            addresses = [numeric]
        else:
            try:
                addresses = await self.resolver(host.rstrip("."), port)
            except (OSError, UnicodeError) as exc:
                raise FetchError(errors.UNRESOLVABLE, host, permanent=False, url=url) from exc
            if not addresses:
                raise FetchError(errors.UNRESOLVABLE, host, permanent=False, url=url)
        # Every address is checked, not just the first: a resolver answering [public, 127.0.0.1] would
        # otherwise let a later retry or happy-eyeballs fallback reach the private one.
        for address in addresses:
            self._check(address, port, url)
        # IPv4 first: many small-business hosts publish AAAA records that do not actually answer.
        address = next((a for a in addresses if a.version == 4), addresses[0])
        return Target(url=normalized, host=host, port=port, address=address)
