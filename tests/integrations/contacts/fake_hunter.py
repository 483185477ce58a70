"""A loopback fake of Hunter's v2 domain search, strict about auth, parameters and page limits."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from tests.integrations.search.fake_http import FakeService, Reply, Request

HUNTER_KEY = "h-key-789"
MAX_LIMIT = 100


def hunter_email(n: int, domain: str) -> dict[str, Any]:
    """One ``data.emails`` entry: the first is the CEO, every fifth a generic mailbox."""
    if n % 5 == 4:
        return {"value": f"frontoffice{n}@{domain}", "type": "generic", "confidence": 91, "first_name": None,
                "last_name": None, "position": None, "seniority": None, "department": None}  # fmt: skip
    return {
        "value": f"Person.{n}@{domain}",
        "type": "personal",
        "confidence": 80 + n % 20,
        "first_name": "Person",
        "last_name": f"Number{n}",
        "position": "CEO" if n == 0 else "Sales Associate",
        "seniority": "executive" if n == 0 else "junior",
        "department": "executive" if n == 0 else "sales",
        "sources": [{"domain": domain, "uri": f"https://{domain}/team"}],
    }


def _error(status: int, id_: str, details: str) -> Reply:
    return status, {}, {"errors": [{"id": id_, "code": status, "details": details}]}


@dataclass
class FakeHunter(FakeService):
    """``GET /v2/domain-search``: *totals* maps a domain to how many addresses Hunter knows there."""

    totals: dict[str, int] = field(default_factory=lambda: {"acme-dental.com": 23})

    def handle(self, request: Request) -> Reply:
        if request.path != "/v2/domain-search":
            return _error(404, "route_not_found", "The requested route was not found.")
        key = request.headers.get("x-api-key") or request.arg("api_key")
        if key != HUNTER_KEY:
            return _error(401, "authentication_failed", "No user found for the API key supplied")
        domain = request.arg("domain")
        if not domain:
            return _error(400, "wrong_params", "You are missing the domain parameter")
        limit, offset = int(request.arg("limit") or 10), int(request.arg("offset") or 0)
        if limit > MAX_LIMIT:
            return _error(400, "pagination_error", "The limit must be below 100")
        total = self.totals.get(domain, 0)
        emails = [hunter_email(n, domain) for n in range(offset, min(offset + limit, total))]
        data = {"domain": domain, "accept_all": False, "pattern": "{first}.{last}", "emails": emails}
        meta = {"results": total, "limit": limit, "offset": offset, "params": {"domain": domain}}
        return 200, {}, {"data": data, "meta": meta}
