"""Website score 0-100: 100 is a modern, fast, well-kept site; every flaw found subtracts its weight.

Factors and weights (a site that cannot be reached, or answers an error, scores 0):

=====================  ======  =====================================================================
factor                 weight  when it applies
=====================  ======  =====================================================================
no_https               20      the home page was finally served over plain http
bad_certificate        10      https was offered but its certificate failed verification
expiring_certificate   5       the certificate expires within 14 days
very_slow              15      the home page took more than 3 s to answer (headers)
slow                   8       ... more than 1.5 s (not counted together with very_slow)
no_viewport            15      no ``<meta name="viewport" content="width=device-width…">``: not mobile-ready
stale_copyright        10      the newest © year is 3 or more years old
no_title               8       no ``<title>``
no_description         5       no meta description
heavy_page             5       the home page HTML alone is over 1 MB
outdated_jquery        7       jQuery older than 3.0 (unsupported, known XSS issues)
no_analytics           5       no Google Analytics, Tag Manager, Meta Pixel, Hotjar or Clarity
no_contact             5       no email address and no phone number on the pages audited
=====================  ======  =====================================================================

A low score means a weak web presence, which the prospect scorer reads as a sales opportunity.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from salesos.integrations.enrich.audit import WebsiteAudit

WEIGHTS = {
    "no_https": 20,
    "bad_certificate": 10,
    "expiring_certificate": 5,
    "very_slow": 15,
    "slow": 8,
    "no_viewport": 15,
    "stale_copyright": 10,
    "no_title": 8,
    "no_description": 5,
    "heavy_page": 5,
    "outdated_jquery": 7,
    "no_analytics": 5,
    "no_contact": 5,
}
SLOW_SECONDS = 1.5
VERY_SLOW_SECONDS = 3.0
STALE_YEARS = 3
HEAVY_BYTES = 1024 * 1024
EXPIRING = dt.timedelta(days=14)
ANALYTICS = {"Google Analytics", "Google Tag Manager", "Meta Pixel", "Hotjar", "Microsoft Clarity"}


@dataclass(frozen=True)
class Factor:
    """One reason the score dropped: its code, the points it cost, and a sentence for people."""

    code: str
    weight: int
    reason: str


@dataclass(frozen=True)
class WebsiteScore:
    """The score and the factors that produced it, heaviest first."""

    score: int
    factors: list[Factor] = field(default_factory=list)

    @property
    def reasons(self) -> list[str]:
        """Human-readable reasons, heaviest first."""
        return [f.reason for f in self.factors]


def _version_below(version: str | None, major: int) -> bool:
    if not version:
        return False
    head = version.split(".", 1)[0]
    return head.isdigit() and int(head) < major


def _factors(audit: WebsiteAudit, today: dt.date) -> list[Factor]:
    found: list[Factor] = []

    def add(code: str, reason: str) -> None:
        found.append(Factor(code, WEIGHTS[code], reason))

    if not audit.https:
        add("no_https", "The site is not served over HTTPS.")
    if audit.certificate_valid is False:
        add("bad_certificate", "The HTTPS certificate is invalid: browsers show a security warning.")
    expires = audit.certificate_expires
    if expires is not None and expires - dt.datetime.combine(today, dt.time(), dt.UTC) < EXPIRING:
        add("expiring_certificate", f"The HTTPS certificate expires on {expires:%Y-%m-%d}.")
    if audit.response_time > VERY_SLOW_SECONDS:
        add("very_slow", f"The home page took {audit.response_time:.1f} s to respond.")
    elif audit.response_time > SLOW_SECONDS:
        add("slow", f"The home page took {audit.response_time:.1f} s to respond.")
    if not audit.viewport:
        add("no_viewport", "No mobile viewport: the site is not mobile-friendly.")
    if audit.copyright_year is not None and today.year - audit.copyright_year >= STALE_YEARS:
        add(
            "stale_copyright",
            f"The copyright notice says {audit.copyright_year}: the site looks unmaintained.",
        )
    if not audit.title:
        add("no_title", "The home page has no title.")
    if not audit.description:
        add("no_description", "The home page has no meta description.")
    if audit.page_weight > HEAVY_BYTES:
        add("heavy_page", f"The home page HTML weighs {audit.page_weight / 1024 / 1024:.1f} MB.")
    jquery = next((t for t in audit.technologies if t.name == "jQuery"), None)
    if jquery is not None and _version_below(jquery.version, 3):
        add("outdated_jquery", f"It runs jQuery {jquery.version}, which is out of support.")
    if not ANALYTICS & {t.name for t in audit.technologies}:
        add("no_analytics", "No analytics: the owner cannot see how the site performs.")
    if not audit.emails and not audit.phones:
        add("no_contact", "No email address or phone number on the site.")
    return found


def score_website(audit: WebsiteAudit, *, today: dt.date | None = None) -> WebsiteScore:
    """Score an audit; an unreachable site or an error page scores 0 with that as the only reason."""
    if not audit.reachable:
        return WebsiteScore(0, [Factor("unreachable", 100, f"The site could not be loaded ({audit.error}).")])
    if audit.status >= 400:
        return WebsiteScore(0, [Factor("error_page", 100, f"The home page answers HTTP {audit.status}.")])
    factors = sorted(_factors(audit, today or dt.date.today()), key=lambda f: -f.weight)
    return WebsiteScore(max(0, 100 - sum(f.weight for f in factors)), factors)
