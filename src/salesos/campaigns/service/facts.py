"""Turning a website audit into stored JSON and into the grounded facts the analyst reads."""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
from typing import Any

from salesos.campaigns.models import Prospect
from salesos.integrations.enrich import WebsiteAudit
from salesos.integrations.enrich.score import ANALYTICS

# A careers page, or a page saying so, is a hiring signal: growing businesses buy.
HIRING = re.compile(r"career|/jobs\b|hiring|join-(our|the)-team", re.IGNORECASE)


def _plain(value: Any) -> Any:
    if isinstance(value, dt.datetime):
        return value.isoformat()
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    return value


def audit_json(audit: WebsiteAudit) -> dict[str, Any]:
    """The audit as JSON, with the website score's factors and the hiring signal spelled out."""
    data = _plain(dataclasses.asdict(audit))
    data["score_reasons"] = audit.score.reasons if audit.score else []
    data["hiring"] = is_hiring(audit)
    return dict(data)


def is_hiring(audit: WebsiteAudit) -> bool:
    """True when a careers page was linked or the site says it is hiring."""
    texts = [*audit.pages, audit.title, audit.description]
    return any(HIRING.search(text or "") for text in texts)


def _website_facts(audit: dict[str, Any], today: dt.date) -> dict[str, Any]:
    tech = audit.get("technologies") or []
    categories = {t.get("category") for t in tech}
    expires = audit.get("certificate_expires")
    days_left = (dt.datetime.fromisoformat(expires).date() - today).days if expires else None
    return {
        "source_url": audit.get("url"),
        "final_url": audit.get("final_url") or None,
        "reachable": bool(audit.get("reachable")),
        "https": audit.get("https"),
        "cert_valid": audit.get("certificate_valid"),
        "cert_days_left": days_left,
        "mobile_viewport": audit.get("viewport"),
        "response_ms": round((audit.get("response_time") or 0) * 1000),
        "page_bytes": audit.get("page_weight"),
        "title": audit.get("title"),
        "description": audit.get("description") or "",
        "tech": [t["name"] for t in tech],
        "copyright_year": audit.get("copyright_year"),
        "analytics": bool({t["name"] for t in tech} & ANALYTICS),
        "booking": "booking" in categories,
        "social": audit.get("socials") or {},
    }


def analysis_facts(prospect: Prospect, audit: dict[str, Any] | None, today: dt.date) -> dict[str, Any]:
    """What the analyst may use, each group carrying the URL it was read from."""
    facts: dict[str, Any] = {
        "company": {
            "name": prospect.name,
            "category": prospect.category,
            "city": prospect.city,
            "source_url": prospect.source_url,
        },
    }
    if audit and audit.get("url"):
        if audit.get("reachable"):
            facts["website"] = _website_facts(audit, today)
        else:
            facts["website"] = {"source_url": audit["url"], "reachable": False}
    if prospect.review_count is not None and prospect.source_url:
        facts["reviews"] = {"source_url": prospect.source_url, "rating": prospect.rating,
                            "count": prospect.review_count}  # fmt: skip
    return facts
