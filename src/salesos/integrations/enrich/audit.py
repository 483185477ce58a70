"""Website audit: fetch a prospect's home page (and its contact/about pages) safely and describe it."""

from __future__ import annotations

import asyncio
import datetime as dt
from dataclasses import dataclass, field

from salesos.integrations.contacts.base import FoundContact
from salesos.integrations.contacts.site import merge_people
from salesos.integrations.enrich import errors
from salesos.integrations.enrich.errors import FetchError
from salesos.integrations.enrich.extract import PageFacts, extract_page
from salesos.integrations.enrich.fetch import FetchResult, SafeFetcher
from salesos.integrations.enrich.schema_org import LocalBusiness
from salesos.integrations.enrich.score import WebsiteScore, score_website
from salesos.integrations.enrich.techstack import Detection, PageEvidence, detect

# Errors after which the plain-http twin of a bare domain is worth trying.
TRY_HTTP_AFTER = {errors.CONNECT_FAILED, errors.TLS_INVALID}


@dataclass
class WebsiteAudit:
    """What the audit found; ``error`` holds the fetch reason when the site was not reachable."""

    url: str
    reachable: bool = False
    error: str | None = None
    final_url: str = ""
    status: int = 0
    https: bool = False
    # None when no https was tried; False when https failed certificate verification.
    certificate_valid: bool | None = None
    certificate_expires: dt.datetime | None = None
    redirects: int = 0
    response_time: float = 0.0
    page_weight: int = 0
    viewport: bool = False
    title: str = ""
    description: str = ""
    technologies: list[Detection] = field(default_factory=list)
    socials: dict[str, str] = field(default_factory=dict)
    emails: list[str] = field(default_factory=list)
    phones: list[str] = field(default_factory=list)
    business: LocalBusiness | None = None
    copyright_year: int | None = None
    # Every page the facts came from, home first.
    pages: list[str] = field(default_factory=list)
    score: WebsiteScore | None = None
    # People named on the home/contact/about pages, one per name (see contacts.site.people_from_html).
    people: list[FoundContact] = field(default_factory=list)


def _cookie_names(result: FetchResult) -> list[str]:
    return [c.split("=", 1)[0].strip() for c in result.headers.get_list("set-cookie")]


def _candidates(url: str) -> list[str]:
    url = url.strip()
    if "://" in url:
        return [url]
    # A bare domain from a listing: prefer https, but many small-business sites still have none.
    return [f"https://{url}", f"http://{url}"]


def _merge(audit: WebsiteAudit, facts: PageFacts) -> None:
    audit.pages.append(facts.url)
    for email in facts.emails:
        if email not in audit.emails:
            audit.emails.append(email)
    for phone in facts.phones:
        if phone not in audit.phones:
            audit.phones.append(phone)
    for network, link in facts.socials.items():
        audit.socials.setdefault(network, link)
    audit.people = merge_people(audit.people, facts.people)
    audit.business = audit.business or facts.business
    if facts.copyright_year and (audit.copyright_year or 0) < facts.copyright_year:
        audit.copyright_year = facts.copyright_year


class WebsiteAuditor:
    """Audits websites through a SafeFetcher; *region* is the default country for phone numbers."""

    def __init__(self, fetcher: SafeFetcher, *, region: str = "US") -> None:
        self.fetcher = fetcher
        self.region = region

    async def _fetch_home(self, url: str, audit: WebsiteAudit) -> FetchResult:
        candidates = _candidates(url)
        for index, candidate in enumerate(candidates):
            try:
                return await self.fetcher.fetch(candidate)
            except FetchError as exc:
                if exc.reason == errors.TLS_INVALID:
                    audit.certificate_valid = False
                if exc.reason not in TRY_HTTP_AFTER or index == len(candidates) - 1:
                    raise
        raise AssertionError("unreachable: the loop returns or raises")

    async def _subpage(self, url: str) -> PageFacts | None:
        try:
            result = await self.fetcher.fetch(url)
        except FetchError:
            # A broken contact page does not make the site unreachable; the home page facts stand.
            return None
        if result.status >= 400:
            return None
        return extract_page(result.text, result.final_url, region=self.region)

    async def audit(self, url: str) -> WebsiteAudit:
        """Audit the site at *url* (a URL or a bare domain); never raises for site problems."""
        audit = WebsiteAudit(url=url)
        try:
            home = await self._fetch_home(url, audit)
        except FetchError as exc:
            audit.error = exc.reason
            audit.score = score_website(audit)
            return audit
        audit.reachable = True
        audit.final_url = home.final_url
        audit.status = home.status
        audit.https = home.https
        if home.https:
            audit.certificate_valid = True
            audit.certificate_expires = home.certificate_expires
        audit.redirects = len(home.redirects)
        audit.response_time = home.response_time
        audit.page_weight = len(home.body)
        facts = extract_page(home.text, home.final_url, region=self.region)
        audit.viewport = facts.viewport
        audit.title = facts.title
        audit.description = facts.description
        evidence = PageEvidence(
            html=home.text,
            scripts=tuple(facts.scripts),
            meta=facts.meta,
            headers={k.lower(): v for k, v in home.headers.items()},
            cookies=tuple(_cookie_names(home)),
        )
        audit.technologies = detect(evidence)
        _merge(audit, facts)
        if home.status < 400 and facts.related:
            # One visit per page: "/about-our-team" is both the about and the team page.
            links = dict.fromkeys(facts.related.values())
            subpages = await asyncio.gather(*(self._subpage(link) for link in links))
            for page in subpages:
                if page is not None:
                    _merge(audit, page)
        audit.score = score_website(audit)
        return audit
