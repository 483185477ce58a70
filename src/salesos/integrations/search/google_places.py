"""Google Places API (New) Text Search: one POST per page of up to 20 places, API key + field mask."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from salesos.integrations.base import ProviderError
from salesos.integrations.search.base import Place, SearchPage, SearchProvider, SearchQuery
from salesos.integrations.search.http import ProviderHTTP, RetryPolicy, UsageSink, json_body, shared_limiter

PLACES_URL = "https://places.googleapis.com/v1"
# Only the fields we store: Google bills Text Search by the most expensive field the mask names.
FIELD_MASK = ",".join(
    [
        "places.id",
        "places.displayName",
        "places.formattedAddress",
        "places.addressComponents",
        "places.location",
        "places.websiteUri",
        "places.internationalPhoneNumber",
        "places.nationalPhoneNumber",
        "places.primaryType",
        "places.rating",
        "places.userRatingCount",
        "nextPageToken",
    ]
)
# List price of a Text Search (Enterprise fields: website, phone, rating) request, USD; an estimate.
COST_PER_REQUEST = Decimal("0.035")
MAX_PAGE_SIZE = 20
# Well under Places' per-minute quota, shared by every campaign in the process.
REQUESTS_PER_SECOND = 10.0


def _component(components: list[dict[str, Any]], kind: str, short: bool = False) -> str | None:
    for component in components:
        if kind in component.get("types", ()):
            return component.get("shortText" if short else "longText")
    return None


def place_from_google(item: dict[str, Any]) -> Place:
    """A Place from one entry of Text Search's ``places`` list."""
    components = item.get("addressComponents") or []
    street = " ".join(
        p for p in (_component(components, "street_number"), _component(components, "route")) if p
    )
    location = item.get("location") or {}
    return Place.build(
        "google_places",
        item["id"],
        (item.get("displayName") or {}).get("text", ""),
        website=item.get("websiteUri"),
        phone=item.get("internationalPhoneNumber") or item.get("nationalPhoneNumber"),
        country=_component(components, "country", short=True),
        street=street or None,
        city=_component(components, "locality") or _component(components, "postal_town"),
        region=_component(components, "administrative_area_level_1", short=True),
        postcode=_component(components, "postal_code"),
        lat=location.get("latitude"),
        lon=location.get("longitude"),
        category=item.get("primaryType"),
        rating=item.get("rating"),
        review_count=item.get("userRatingCount"),
    )


class GooglePlacesProvider(SearchProvider):
    """Text Search (New) for "<business type> in <location>", following nextPageToken."""

    name = "google_places"

    def __init__(
        self,
        api_key: str,
        *,
        base_url: str = PLACES_URL,
        policy: RetryPolicy | None = None,
        on_usage: UsageSink | None = None,
    ) -> None:
        if not api_key:
            raise ProviderError("Google Places needs SALESOS_GOOGLE_PLACES_API_KEY.", permanent=True)
        self.url = base_url.rstrip("/") + "/places:searchText"
        self.http = ProviderHTTP(
            "google_places",
            kind="search",
            policy=policy,
            on_usage=on_usage,
            headers={"X-Goog-Api-Key": api_key, "X-Goog-FieldMask": FIELD_MASK},
            limiter=shared_limiter("google_places", REQUESTS_PER_SECOND),
        )

    @classmethod
    def from_settings(cls, settings: Any, on_usage: UsageSink | None = None) -> GooglePlacesProvider:
        """The provider configured by SALESOS_GOOGLE_PLACES_* settings."""
        return cls(
            settings.google_places_api_key,
            base_url=settings.google_places_url,
            policy=RetryPolicy.from_settings(settings),
            on_usage=on_usage,
        )

    def search(self, query: SearchQuery, page: str | None = None) -> SearchPage:
        """One page of Text Search results (page = Google's nextPageToken)."""
        body: dict[str, Any] = {
            "textQuery": f"{query.business_type} in {query.location}",
            "pageSize": min(query.page_size, MAX_PAGE_SIZE),
        }
        if page:
            body["pageToken"] = page
        response = self.http.request(
            "POST", self.url, endpoint="places:searchText", cost=COST_PER_REQUEST, json=body
        )
        data = json_body(response, self.name)
        places = [place_from_google(item) for item in data.get("places", []) if item.get("id")]
        return SearchPage(places, data.get("nextPageToken") or None)
