"""What one HTML page says about a business: head tags, links, social profiles, contacts, schema.org, ©."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from urllib.parse import unquote, urljoin, urlsplit

import phonenumbers
from selectolax.parser import HTMLParser

from salesos.integrations.contacts.base import FoundContact
from salesos.integrations.contacts.site import people_from_tree
from salesos.integrations.enrich.schema_org import LocalBusiness, find_local_business

# network -> host suffixes; the first profile link per network wins (headers and footers repeat them).
SOCIAL_HOSTS = {
    "facebook": ("facebook.com", "fb.com"),
    "instagram": ("instagram.com",),
    "linkedin": ("linkedin.com",),
    "x": ("x.com", "twitter.com"),
    "youtube": ("youtube.com", "youtu.be"),
    "tiktok": ("tiktok.com",),
}
# Share buttons and widgets point at the network, not at the business's profile.
SOCIAL_NOISE = re.compile(r"/(sharer|share|intent|plugins|dialog|embed|hashtag)(\.php)?([/?]|$)", re.I)
EMAIL = re.compile(r"\b[a-z0-9._%+-]+@[a-z0-9.-]+\.[a-z]{2,24}\b", re.I)
# "logo@2x.png" looks like an address to the pattern above.
NOT_EMAIL_SUFFIXES = (".png", ".jpg", ".jpeg", ".gif", ".webp", ".svg", ".css", ".js")
# Digit runs shaped like a phone number; phonenumbers then decides. (Its own PhoneNumberMatcher tries every
# number on the page, prices and years included, and costs ~50 ms on a text-heavy home page.)
PHONE_CANDIDATE = re.compile(r"(?<![\w+])\+?\(?\d[\d \t().\-/]{5,20}\d(?!\w)")
# "© 2009-2014 Name": the later year of a range is the one that dates the site.
COPYRIGHT = re.compile(
    r"(?:©|&copy;|\(c\)|copyright)\s*(?:\d{4}\s*[-\u2013\u2014]\s*)?((?:19|20)\d{2})", re.I
)
# The pages worth a visit besides the home page: how to reach them, who they are, and who works there
# (a practice's "Our doctors" page is where owners' names and titles are).
PAGE_HINTS = {
    "contact": re.compile(r"contact|kontakt|get[-_ ]in[-_ ]touch|reach[-_ ]us", re.I),
    "about": re.compile(r"about|our[-_ ]story|who[-_ ]we[-_ ]are", re.I),
    "team": re.compile(r"team|staff|our[-_ ]people|our[-_ ]doctors|meet[-_ ](the|our|us)|leadership", re.I),
}


@dataclass
class PageFacts:
    """Everything extracted from one page."""

    url: str
    title: str = ""
    description: str = ""
    viewport: bool = False
    generator: str = ""
    meta: dict[str, str] = field(default_factory=dict)
    scripts: list[str] = field(default_factory=list)
    links: list[str] = field(default_factory=list)
    # kind ("contact" / "about" / "team") -> first same-site link that looks like it.
    related: dict[str, str] = field(default_factory=dict)
    socials: dict[str, str] = field(default_factory=dict)
    emails: list[str] = field(default_factory=list)
    phones: list[str] = field(default_factory=list)
    business: LocalBusiness | None = None
    copyright_year: int | None = None
    # Named people (team cards, schema.org Person, named mailto links) with their titles and emails.
    people: list[FoundContact] = field(default_factory=list)


def _same_site(a: str, b: str) -> bool:
    def host(url: str) -> str:
        name = (urlsplit(url).hostname or "").lower()
        return name.removeprefix("www.")

    return host(a) == host(b)


def _social(url: str) -> str | None:
    parts = urlsplit(url)
    host = (parts.hostname or "").lower()
    if parts.scheme not in {"http", "https"} or SOCIAL_NOISE.search(parts.path):
        return None
    for network, suffixes in SOCIAL_HOSTS.items():
        if any(host == s or host.endswith("." + s) for s in suffixes) and parts.path.strip("/"):
            return network
    return None


def normalise_email(raw: str) -> str | None:
    """Lower-cased address without mailto:/query, or None when it is not plausibly an address."""
    address = unquote(raw).removeprefix("mailto:").split("?", 1)[0].strip().strip(".").lower()
    if not EMAIL.fullmatch(address) or address.endswith(NOT_EMAIL_SUFFIXES):
        return None
    return address


def normalise_phone(raw: str, region: str) -> str | None:
    """E.164 form of a possible phone number, or None when it does not parse as a valid number."""
    try:
        number = phonenumbers.parse(unquote(raw).removeprefix("tel:"), region)
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_valid_number(number):
        return None
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def _add(items: list[str], value: str | None) -> None:
    if value and value not in items:
        items.append(value)


def _copyright_year(text: str) -> int | None:
    ceiling = dt.date.today().year + 1
    years = [int(m.group(1)) for m in COPYRIGHT.finditer(text)]
    plausible = [y for y in years if 1990 <= y <= ceiling]
    return max(plausible) if plausible else None


def extract_page(html: str, url: str, *, region: str = "US") -> PageFacts:
    """Parse *html* fetched from *url*; *region* is the default country for national phone numbers."""
    tree = HTMLParser(html)
    facts = PageFacts(url=url)
    title = tree.css_first("title")
    facts.title = title.text(strip=True) if title else ""
    for meta in tree.css("meta"):
        name = (meta.attributes.get("name") or meta.attributes.get("property") or "").lower()
        content = (meta.attributes.get("content") or "").strip()
        if name and name not in facts.meta:
            facts.meta[name] = content
    facts.description = facts.meta.get("description", "") or facts.meta.get("og:description", "")
    facts.viewport = "width=device-width" in facts.meta.get("viewport", "").replace(" ", "").lower()
    facts.generator = facts.meta.get("generator", "")
    for script in tree.css("script[src]"):
        _add(facts.scripts, urljoin(url, (script.attributes.get("src") or "").strip()))
    for anchor in tree.css("a[href]"):
        href = (anchor.attributes.get("href") or "").strip()
        lowered = href.lower()
        if lowered.startswith("mailto:"):
            _add(facts.emails, normalise_email(href))
            continue
        if lowered.startswith("tel:"):
            _add(facts.phones, normalise_phone(href, region))
            continue
        if lowered.startswith(("javascript:", "#", "data:")):
            continue
        absolute = urljoin(url, href).split("#", 1)[0]
        _add(facts.links, absolute)
        network = _social(absolute)
        if network and network not in facts.socials:
            facts.socials[network] = absolute
        if _same_site(absolute, url) and absolute.rstrip("/") != url.rstrip("/"):
            label = f"{urlsplit(absolute).path} {anchor.text(strip=True)}"
            for kind, pattern in PAGE_HINTS.items():
                if kind not in facts.related and pattern.search(label):
                    facts.related[kind] = absolute
    facts.business = find_local_business(
        node.text() for node in tree.css('script[type="application/ld+json"]')
    )
    facts.people = people_from_tree(tree, url)
    # Scripts and styles hold strings that look like addresses and years (minified libraries, licences).
    for node in tree.css("script, style, noscript, template"):
        node.decompose()
    body = tree.body
    text = body.text(separator=" ") if body else ""
    for match in EMAIL.finditer(text):
        _add(facts.emails, normalise_email(match.group(0)))
    for match in PHONE_CANDIDATE.finditer(text):
        if 7 <= sum(c.isdigit() for c in match.group(0)) <= 15:
            _add(facts.phones, normalise_phone(match.group(0), region))
    if facts.business and facts.business.telephone:
        _add(facts.phones, normalise_phone(facts.business.telephone, region))
    facts.copyright_year = _copyright_year(text)
    return facts
