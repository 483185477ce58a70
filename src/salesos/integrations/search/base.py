"""The discovery provider interface: a business type and a place in, pages of normalised ``Place``s out."""

from __future__ import annotations

import abc
from collections.abc import Iterator
from dataclasses import dataclass

from salesos.leads.normalize import domain_from_url, normalize_phone


@dataclass(frozen=True)
class SearchQuery:
    """What a campaign looks for: "dentists" around "Austin, TX" (radius in metres, None = the area)."""

    business_type: str
    location: str
    radius_m: int | None = None
    page_size: int = 20


@dataclass(frozen=True)
class Place:
    """One business as a source describes it, with phone (E.164) and website domain normalised."""

    source: str
    source_id: str
    name: str
    website: str | None = None
    domain: str | None = None
    phone: str | None = None
    street: str | None = None
    city: str | None = None
    region: str | None = None
    postcode: str | None = None
    country: str | None = None
    lat: float | None = None
    lon: float | None = None
    category: str | None = None
    rating: float | None = None
    review_count: int | None = None

    @classmethod
    def build(
        cls,
        source: str,
        source_id: str,
        name: str,
        *,
        website: str | None = None,
        phone: str | None = None,
        country: str | None = None,
        **fields: object,
    ) -> Place:
        """A Place from raw source values: website gets a scheme, phone is read in *country*'s plan."""
        website = (website or "").strip() or None
        if website and "://" not in website:
            # Scheme-less sites are tried over http first; the audit follows any redirect to https.
            website = "http://" + website.lstrip("/")
        country = country.upper() if country else None
        return cls(
            source=source,
            source_id=str(source_id),
            name=" ".join(name.split()),
            website=website,
            domain=domain_from_url(website),
            phone=normalize_phone(phone, country),
            country=country,
            **fields,  # type: ignore[arg-type]
        )


@dataclass(frozen=True)
class SearchPage:
    """One page of results and the opaque token of the next one (None on the last page)."""

    places: list[Place]
    next_page: str | None = None


class SearchProvider(abc.ABC):
    """Finds businesses; raises ``ProviderError`` (permanent or not) on failure."""

    name: str

    @abc.abstractmethod
    def search(self, query: SearchQuery, page: str | None = None) -> SearchPage:
        """One page of places matching *query*, starting at *page* (None = the first)."""

    def iter_places(self, query: SearchQuery, limit: int | None = None) -> Iterator[Place]:
        """Every place matching *query*, following pages until *limit* or the last page."""
        page: str | None = None
        count = 0
        while True:
            result = self.search(query, page)
            for place in result.places:
                if limit is not None and count >= limit:
                    return
                count += 1
                yield place
            # A provider repeating its token would otherwise page forever.
            if result.next_page is None or not result.places or result.next_page == page:
                return
            page = result.next_page
