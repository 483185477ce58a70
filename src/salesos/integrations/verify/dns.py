"""Where a domain's mail goes: MX records, else A/AAAA as the implicit MX (RFC 5321 5.1), via dnspython."""

from __future__ import annotations

from dataclasses import dataclass

import dns.exception
import dns.resolver

DNS_LIFETIME_SECONDS = 5.0


class DnsUnavailable(Exception):
    """The lookup could not be completed (timeout, no answering server): the answer is unknown."""


@dataclass(frozen=True)
class MailRoute:
    """The hosts that take mail for a domain (best first); empty with a reason when none do."""

    hosts: tuple[str, ...]
    reason: str


def default_resolver() -> dns.resolver.Resolver:
    """The system's resolver with a bounded lifetime, so one slow domain can't stall a job."""
    resolver = dns.resolver.Resolver()
    resolver.lifetime = DNS_LIFETIME_SECONDS
    return resolver


def _query(resolver: dns.resolver.Resolver, name: str, rdtype: str) -> list[object] | None:
    """The records of *rdtype* at *name*: None for NXDOMAIN, [] for no records of that type."""
    try:
        return list(resolver.resolve(name, rdtype, search=False))
    except dns.resolver.NXDOMAIN:
        return None
    except dns.resolver.NoAnswer:
        return []
    except (dns.exception.Timeout, dns.resolver.NoNameservers, dns.resolver.LifetimeTimeout) as exc:
        raise DnsUnavailable(f"DNS lookup of {name} {rdtype} failed: {type(exc).__name__}") from exc


def host_addresses(resolver: dns.resolver.Resolver, host: str) -> list[str]:
    """IPv4 then IPv6 addresses of *host* ([] when it has none)."""
    found: list[str] = []
    for rdtype in ("A", "AAAA"):
        records = _query(resolver, host, rdtype)
        found.extend(record.to_text() for record in records or [])  # type: ignore[attr-defined]
    return found


def mail_route(resolver: dns.resolver.Resolver, domain: str) -> MailRoute:
    """Look up MX, then A/AAAA; raise ``DnsUnavailable`` when DNS gives no answer either way."""
    records = _query(resolver, domain, "MX")
    if records is None:
        return MailRoute((), "the domain does not exist")
    if records:
        ordered = sorted(records, key=lambda r: r.preference)  # type: ignore[attr-defined]
        hosts = tuple(r.exchange.to_text(omit_final_dot=True) for r in ordered)  # type: ignore[attr-defined]
        # RFC 7505 null MX ("0 ."): the domain states it receives no mail at all.
        if hosts in ((".",), ("",)):
            return MailRoute((), "the domain accepts no mail (null MX)")
        return MailRoute(tuple(h for h in hosts if h not in (".", "")), "MX")
    if host_addresses(resolver, domain):
        return MailRoute((domain,), "no MX; A/AAAA used as the implicit MX")
    return MailRoute((), "the domain has no MX and no address records")
