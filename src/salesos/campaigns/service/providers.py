"""The provider adapters a campaign uses, built from settings, with every call's usage collected.

Calls run outside any transaction (they are slow); the ``Meter`` keeps what they cost so the job can
record it in ``api_usage`` in the same transaction as the results, so a crash records neither.
"""

from __future__ import annotations

import ipaddress
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field

import dns.resolver
from sqlalchemy.orm import Session

from salesos.config import Settings
from salesos.integrations.enrich import FetchPolicy, SafeFetcher, WebsiteAuditor
from salesos.integrations.enrich.ssrf import IPAddress, Resolver, system_resolver
from salesos.integrations.llm import LLMProvider, get_llm_provider
from salesos.integrations.search import SearchProvider, Usage, get_search_provider
from salesos.integrations.search.file_source import FileSearchProvider
from salesos.integrations.usage import record_usage
from salesos.integrations.verify.dns import DNS_LIFETIME_SECONDS
from salesos.integrations.verify.verifier import DnsEmailVerifier

# Which settings a keyed source needs before a campaign may use it.
SOURCE_KEYS = {"google_places": "google_places_api_key", "yelp": "yelp_api_key"}
SOURCE_LABELS = {
    "osm": "OpenStreetMap",
    "google_places": "Google Places",
    "yelp": "Yelp",
    "file": "Your list",
}


@dataclass
class Meter:
    """Collects the usage of provider calls made outside a transaction, to record inside one."""

    calls: list[Usage] = field(default_factory=list)

    def __call__(self, usage: Usage) -> None:
        self.calls.append(usage)

    def record(self, session: Session) -> None:
        """Write every collected call to ``api_usage`` (in the caller's transaction) and forget them."""
        for usage in self.calls:
            record_usage(session, kind=usage.kind, provider=usage.service, operation=usage.endpoint,
                         units=usage.credits, cost=usage.cost)  # fmt: skip
        self.calls.clear()


def available_sources(settings: Settings) -> list[str]:
    """Sources this deployment can search: OpenStreetMap and an uploaded list always, the directories
    with keys once their key is set."""
    return ["osm", *(name for name, key in SOURCE_KEYS.items() if getattr(settings, key)), "file"]


def default_sources(settings: Settings) -> list[str]:
    """The configured default sources that are usable here (OpenStreetMap if none are)."""
    wanted = [s.strip() for s in settings.discovery_sources.split(",") if s.strip()]
    usable = [s for s in wanted if s in available_sources(settings)]
    return usable or ["osm"]


def search_providers(
    settings: Settings, sources: list[str], meter: Meter, *, list_path: str | None = None, region: str = "US"
) -> list[SearchProvider]:
    """One adapter per source of the campaign (the file source reads the campaign's uploaded list)."""
    found: list[SearchProvider] = []
    for name in sources:
        if name == "file":
            if list_path:
                found.append(FileSearchProvider(list_path, default_country=region))
            continue
        found.append(get_search_provider(name, settings, on_usage=meter))
    return found


def llm_provider(settings: Settings, meter: Meter) -> LLMProvider:
    """The configured analyst (offline rules by default)."""
    return get_llm_provider(settings, on_usage=meter)


def _split(value: str) -> Iterator[str]:
    return (item.strip() for item in value.split(",") if item.strip())


def _host_port(value: str, default_port: int) -> tuple[str, int]:
    host, _, port = value.rpartition(":") if value.count(":") == 1 else (value, "", "")
    return host, int(port) if port else default_port


def email_verifier(settings: Settings) -> DnsEmailVerifier:
    """The keyless verifier, asking the configured DNS servers (the system's by default)."""
    resolver = None
    if settings.email_verify_nameservers:
        resolver = dns.resolver.Resolver(configure=False)
        servers = [_host_port(item, 53) for item in _split(settings.email_verify_nameservers)]
        resolver.nameservers = [host for host, _ in servers]
        resolver.port = servers[0][1]
        resolver.lifetime = DNS_LIFETIME_SECONDS
    return DnsEmailVerifier.from_settings(settings, resolver)


def _test_resolver(table: dict[str, str]) -> Resolver:
    async def resolve(host: str, port: int) -> list[IPAddress]:
        address = table.get(host.lower()) or table.get("*")
        if address is None:
            return await system_resolver(host, port)
        return [ipaddress.ip_address(address)]

    return resolve


def _fetcher(settings: Settings) -> SafeFetcher:
    policy = FetchPolicy(max_concurrency=max(2, settings.enrich_concurrency * 2))
    if settings.env != "test":
        return SafeFetcher(policy)
    allow = [_host_port(item, 80) for item in _split(settings.enrich_test_allow)]
    table = dict(item.split("=", 1) for item in _split(settings.enrich_test_hosts) if "=" in item)
    return SafeFetcher(policy, resolver=_test_resolver({k.lower(): v for k, v in table.items()}), allow=allow)


@asynccontextmanager
async def website_auditor(settings: Settings, region: str) -> AsyncIterator[WebsiteAuditor]:
    """An auditor over an SSRF-safe fetcher, closed on exit."""
    async with _fetcher(settings) as fetcher:
        yield WebsiteAuditor(fetcher, region=region)
