"""The offline analyst: pain points and hooks derived from audit facts by fixed rules (no model, no key)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from salesos.integrations.llm.base import Analysis, Finding, LLMProvider

SLOW_MS = 3000
HEAVY_BYTES = 3 * 1024 * 1024
CERT_WARNING_DAYS = 30
STALE_YEARS = 3
STRONG_RATING, STRONG_REVIEWS = 4.5, 50


def _pain_points(site: dict[str, Any], year: int) -> list[str]:
    if site.get("reachable") is False:
        return ["The website did not load when we checked it: visitors may be turned away."]
    found: list[str] = []
    if site.get("https") is False:
        found.append("Visitors see 'Not secure' next to the address: the site has no HTTPS.")
    elif site.get("cert_valid") is False:
        found.append("Browsers show a certificate warning before the site opens.")
    days = site.get("cert_days_left")
    if site.get("cert_valid") and isinstance(days, int) and days < CERT_WARNING_DAYS:
        found.append(f"The site's security certificate expires in {days} days.")
    if site.get("mobile_viewport") is False:
        found.append("The site is not built for phones: it renders as a shrunken desktop page.")
    ms = site.get("response_ms")
    if isinstance(ms, int | float) and ms > SLOW_MS:
        found.append(f"The home page took {ms / 1000:.1f} s to respond; many visitors leave after 3.")
    size = site.get("page_bytes")
    if isinstance(size, int) and size > HEAVY_BYTES:
        found.append(f"The home page weighs {size / 1024 / 1024:.1f} MB, slow on mobile data.")
    copyright_year = site.get("copyright_year")
    if isinstance(copyright_year, int) and copyright_year <= year - STALE_YEARS:
        found.append(f"The footer still says © {copyright_year}: the site looks unmaintained.")
    if site.get("analytics") is False:
        found.append("No analytics on the site: no way to tell which visits become customers.")
    if site.get("booking") is False:
        found.append("No online booking: every appointment needs a phone call in opening hours.")
    if "description" in site and not site.get("description"):
        found.append("No meta description: search results show whatever text Google picks.")
    return found


def _hooks(facts: dict[str, Any]) -> list[Finding]:
    found: list[Finding] = []
    reviews = facts.get("reviews") or {}
    rating, count, reviews_url = reviews.get("rating"), reviews.get("count"), reviews.get("source_url")
    if reviews_url and isinstance(rating, int | float) and isinstance(count, int):
        if rating >= STRONG_RATING and count >= STRONG_REVIEWS:
            found.append(Finding(f"Customers rate them {rating:g}/5 across {count} reviews.", reviews_url))
        elif count:
            found.append(Finding(f"{count} reviews averaging {rating:g}/5.", reviews_url))
    site = facts.get("website") or {}
    url = site.get("final_url") or site.get("source_url")
    if url and site.get("tech"):
        found.append(Finding(f"Their site runs on {', '.join(site['tech'][:3])}.", url))
    for network, link in sorted((site.get("social") or {}).items()):
        found.append(Finding(f"Active on {network.capitalize()}.", link))
    return found


def _summary(facts: dict[str, Any]) -> str:
    company = facts.get("company") or {}
    name = company.get("name") or "This business"
    what = company.get("category") or "business"
    where = f" in {company['city']}" if company.get("city") else ""
    site = facts.get("website") or {}
    reviews = facts.get("reviews") or {}
    parts = [f"{name} is a {what.replace('_', ' ')}{where}"]
    if reviews.get("count"):
        parts.append(f"rated {reviews.get('rating'):g}/5 from {reviews['count']} reviews")
    parts.append(
        f"with a website at {site['source_url']}" if site.get("source_url") else "with no website found"
    )
    return ", ".join(parts) + "."


class RulesLLMProvider(LLMProvider):
    """Deterministic and free: the embedded mode's analyst, and the fallback when a model misbehaves."""

    name = "rules"

    def __init__(self, now: datetime | None = None) -> None:
        self.now = now

    def analyse(self, facts: dict[str, Any]) -> Analysis:
        """Apply the rules to the website, review and company facts."""
        year = (self.now or datetime.now(UTC)).year
        site = facts.get("website") or {}
        url = site.get("final_url") or site.get("source_url")
        company_url = (facts.get("company") or {}).get("source_url")
        if url:
            pain_points = [Finding(text, url) for text in _pain_points(site, year)]
        elif company_url:
            pain_points = [
                Finding("No website found: customers searching online can't learn about them.", company_url)
            ]
        else:
            pain_points = []
        return Analysis(_summary(facts), pain_points, _hooks(facts), self.name)
