"""Hunter domain search: the addresses Hunter has seen published for a domain, with names and positions."""

from __future__ import annotations

import json
import re
from typing import Any

from salesos import __version__
from salesos.integrations.base import ProviderError
from salesos.integrations.contacts.base import ContactFinder, FoundContact
from salesos.integrations.search.http import ProviderHTTP, RetryPolicy, UsageSink, json_body, shared_limiter
from salesos.leads.normalize import domain_from_url

HUNTER_URL = "https://api.hunter.io/v2"
USER_AGENT = f"SalesOS/{__version__} (+https://github.com/salesos/salesos)"
# Every plan accepts 10 per call; larger pages need a paid plan and cost the same credits per email.
PAGE_SIZE = 10
MAX_EMAILS = 50
# Hunter allows 15 requests a second per key; stay under it across workers of one process.
REQUESTS_PER_SECOND = 10.0
_FAILURE = re.compile(r"^(?P<head>.*? answered \d{3}: )(?P<body>\{.*\})(?P<tail>.*)$", re.S)


def hunter_reason(message: str) -> str:
    """*message* with Hunter's ``{"errors": [{"id", "details"}]}`` body replaced by its details."""
    match = _FAILURE.match(message)
    if not match:
        return message
    try:
        errors = json.loads(match["body"]).get("errors") or []
    except (ValueError, AttributeError):
        return message
    details = "; ".join(
        f"{e.get('details') or e.get('id')} ({e.get('id')})" for e in errors if isinstance(e, dict)
    )
    return f"{match['head']}{details}{match['tail']}" if details else message


def contact_from_hunter(item: dict[str, Any]) -> FoundContact:
    """A FoundContact from one entry of ``data.emails``."""
    return FoundContact.build(
        item.get("value"),
        first_name=item.get("first_name") or None,
        last_name=item.get("last_name") or None,
        title=item.get("position") or None,
        source="hunter",
        confidence=item.get("confidence"),
        executive=item.get("seniority") == "executive",
        generic=item.get("type") == "generic",
    )


class HunterContactFinder(ContactFinder):
    """``GET /domain-search?domain=&limit=&offset=`` with the key in the X-API-KEY header."""

    name = "hunter"

    def __init__(
        self,
        api_key: str,
        *,
        base_url: str = HUNTER_URL,
        policy: RetryPolicy | None = None,
        on_usage: UsageSink | None = None,
        page_size: int = PAGE_SIZE,
        max_emails: int = MAX_EMAILS,
    ) -> None:
        if not api_key:
            raise ProviderError("Hunter needs SALESOS_HUNTER_API_KEY.", permanent=True, provider="hunter")
        self.url = base_url.rstrip("/") + "/domain-search"
        self.page_size = page_size
        self.max_emails = max_emails
        self.http = ProviderHTTP(
            "hunter",
            kind="contacts",
            policy=policy,
            on_usage=on_usage,
            limiter=shared_limiter("hunter", REQUESTS_PER_SECOND),
            headers={"X-API-KEY": api_key, "Accept": "application/json", "User-Agent": USER_AGENT},
        )

    @classmethod
    def from_settings(cls, settings: Any, on_usage: UsageSink | None = None) -> HunterContactFinder:
        """The finder configured by SALESOS_HUNTER_* settings."""
        return cls(
            settings.hunter_api_key,
            base_url=getattr(settings, "hunter_api_url", HUNTER_URL) or HUNTER_URL,
            policy=RetryPolicy.from_settings(settings),
            on_usage=on_usage,
        )

    def _page(self, domain: str, offset: int, limit: int) -> dict[str, Any]:
        params: dict[str, str | int] = {"domain": domain, "limit": limit, "offset": offset}
        try:
            response = self.http.request("GET", self.url, endpoint="domain-search", params=params)
        except ProviderError as exc:
            raise ProviderError(hunter_reason(str(exc)), permanent=exc.permanent, provider=self.name) from exc
        data = json_body(response, self.name)
        return data if isinstance(data, dict) else {}

    def find(self, domain: str) -> list[FoundContact]:
        """Up to ``max_emails`` contacts Hunter knows at *domain* (a domain or a site URL)."""
        host = domain_from_url(domain)
        if not host:
            raise ProviderError(f"hunter: {domain!r} is not a domain.", permanent=True, provider=self.name)
        found: list[FoundContact] = []
        seen: set[str] = set()
        offset = 0
        while len(found) < self.max_emails:
            body = self._page(host, offset, min(self.page_size, self.max_emails - len(found)))
            items = (body.get("data") or {}).get("emails") or []
            for item in items:
                contact = contact_from_hunter(item)
                if contact.email and contact.email not in seen and len(found) < self.max_emails:
                    seen.add(contact.email)
                    found.append(contact)
            offset += len(items)
            total = int((body.get("meta") or {}).get("results") or 0)
            if not items or offset >= total:
                break
        return found
