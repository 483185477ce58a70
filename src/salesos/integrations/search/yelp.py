"""Yelp Fusion business search: Bearer API key, offset pagination (Yelp serves the first 240 results)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from salesos.integrations.base import ProviderError
from salesos.integrations.search.base import Place, SearchPage, SearchProvider, SearchQuery
from salesos.integrations.search.http import ProviderHTTP, RetryPolicy, UsageSink, json_body, shared_limiter

YELP_URL = "https://api.yelp.com/v3"
MAX_PAGE_SIZE = 50
# Yelp Fusion allows a few queries per second per key; staying below it avoids 429s altogether.
REQUESTS_PER_SECOND = 5.0
# offset + limit beyond this is refused with VALIDATION_ERROR.
MAX_RESULTS = 240
MAX_RADIUS_M = 40_000
# Per-call price on Yelp's paid Fusion plans, USD; an estimate.
COST_PER_REQUEST = Decimal("0.0099")


def place_from_yelp(item: dict[str, Any]) -> Place:
    """A Place from one entry of ``businesses``; Yelp's ``url`` is its own page, not the business site."""
    location = item.get("location") or {}
    coordinates = item.get("coordinates") or {}
    categories = item.get("categories") or []
    return Place.build(
        "yelp",
        item["id"],
        item.get("name", ""),
        phone=item.get("phone") or None,
        country=location.get("country"),
        street=location.get("address1") or None,
        city=location.get("city") or None,
        region=location.get("state") or None,
        postcode=location.get("zip_code") or None,
        lat=coordinates.get("latitude"),
        lon=coordinates.get("longitude"),
        category=categories[0].get("alias") if categories else None,
        rating=item.get("rating"),
        review_count=item.get("review_count"),
    )


class YelpSearchProvider(SearchProvider):
    """``GET /businesses/search?term=&location=&limit=&offset=``."""

    name = "yelp"

    def __init__(
        self,
        api_key: str,
        *,
        base_url: str = YELP_URL,
        policy: RetryPolicy | None = None,
        on_usage: UsageSink | None = None,
    ) -> None:
        if not api_key:
            raise ProviderError("Yelp needs SALESOS_YELP_API_KEY.", permanent=True)
        self.url = base_url.rstrip("/") + "/businesses/search"
        self.http = ProviderHTTP(
            "yelp",
            kind="search",
            policy=policy,
            on_usage=on_usage,
            headers={"Authorization": f"Bearer {api_key}", "Accept": "application/json"},
            limiter=shared_limiter("yelp", REQUESTS_PER_SECOND),
        )

    @classmethod
    def from_settings(cls, settings: Any, on_usage: UsageSink | None = None) -> YelpSearchProvider:
        """The provider configured by SALESOS_YELP_* settings."""
        return cls(
            settings.yelp_api_key,
            base_url=settings.yelp_api_url,
            policy=RetryPolicy.from_settings(settings),
            on_usage=on_usage,
        )

    def search(self, query: SearchQuery, page: str | None = None) -> SearchPage:
        """One page of businesses (page = the offset of its first result)."""
        offset = int(page or 0)
        limit = min(query.page_size, MAX_PAGE_SIZE, MAX_RESULTS - offset)
        if limit <= 0:
            return SearchPage([], None)
        params: dict[str, str | int] = {
            "term": query.business_type,
            "location": query.location,
            "limit": limit,
            "offset": offset,
        }
        if query.radius_m:
            params["radius"] = min(int(query.radius_m), MAX_RADIUS_M)
        response = self.http.request(
            "GET", self.url, endpoint="businesses/search", cost=COST_PER_REQUEST, params=params
        )
        data = json_body(response, self.name)
        businesses = data.get("businesses", [])
        places = [place_from_yelp(item) for item in businesses if item.get("id")]
        end = offset + len(businesses)
        more = bool(businesses) and end < min(int(data.get("total", 0)), MAX_RESULTS)
        return SearchPage(places, str(end) if more else None)
