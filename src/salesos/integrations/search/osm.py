"""OpenStreetMap discovery, keyless: Nominatim geocodes the place, Overpass finds the tagged businesses.

Both services are run by volunteers: their policies ask for an identifying User-Agent with a contact, at
most one request per second, and caching, which this adapter does (per process; a shared cache later).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from salesos.integrations.base import ProviderError
from salesos.integrations.search.base import Place, SearchPage, SearchProvider, SearchQuery
from salesos.integrations.search.business_types import BusinessType, resolve_business_type
from salesos.integrations.search.cache import ResponseCache, request_key
from salesos.integrations.search.http import ProviderHTTP, RetryPolicy, UsageSink, json_body, shared_limiter

NOMINATIM_URL = "https://nominatim.openstreetmap.org"
OVERPASS_URL = "https://overpass-api.de/api"
PROJECT_URL = "https://github.com/salesos/salesos"
OVERPASS_TIMEOUT_SECONDS = 60
# Upper bound on elements one area query returns; a campaign pages through them locally.
DEFAULT_MAX_RESULTS = 1000
_SHARED_CACHE = ResponseCache()
# Search results are kept only long enough to page through one run: a campaign's refresh (hours later)
# must see businesses added since. Geocodes above keep the long default: places do not move.
ELEMENTS_CACHE = ResponseCache(maxsize=64, ttl_seconds=600)


@dataclass(frozen=True)
class Area:
    """A geocoded place: its centre, bounding box and ISO country code."""

    name: str
    lat: float
    lon: float
    south: float
    west: float
    north: float
    east: float
    country: str | None


def user_agent(contact: str) -> str:
    """SalesOS's User-Agent for OSM services, naming the deployment's contact as their policy asks."""
    return f"SalesOS/0.1 (+{PROJECT_URL}; {contact})" if contact else f"SalesOS/0.1 (+{PROJECT_URL})"


def _quote(value: str) -> str:
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


def overpass_query(kind: BusinessType, area: Area, radius_m: int | None, max_results: int) -> str:
    """Overpass QL for named elements of *kind* within *radius_m* of the centre, else in the bounding box."""
    if radius_m:
        scope = f"(around:{int(radius_m)},{area.lat},{area.lon})"
    else:
        scope = f"({area.south},{area.west},{area.north},{area.east})"
    statements = []
    for tags in kind.osm:
        filters = "".join(f"[{_quote(k)}={_quote(v)}]" for k, v in tags)
        statements.append(f'nwr{filters}["name"]{scope};')
    return (
        f"[out:json][timeout:{OVERPASS_TIMEOUT_SECONDS}];\n(\n  "
        + "\n  ".join(statements)
        + f"\n);\nout center tags {max_results};"
    )


def _address(tags: dict[str, str]) -> str | None:
    street = " ".join(p for p in (tags.get("addr:housenumber"), tags.get("addr:street")) if p)
    return street or None


def place_from_element(element: dict[str, Any], country: str | None) -> Place | None:
    """A Place from one Overpass element (node, or way/relation with its centre); None if unnamed."""
    tags: dict[str, str] = element.get("tags") or {}
    name = tags.get("name")
    if not name:
        return None
    centre = element.get("center") or element
    category = next(
        (f"{key}={tags[key]}" for key in ("amenity", "shop", "craft", "office", "healthcare", "leisure",
                                          "tourism") if key in tags),
        None,
    )  # fmt: skip
    return Place.build(
        "osm",
        f"{element['type']}/{element['id']}",
        name,
        website=tags.get("website") or tags.get("contact:website") or tags.get("url"),
        phone=(tags.get("phone") or tags.get("contact:phone") or "").split(";")[0] or None,
        country=tags.get("addr:country") or country,
        street=_address(tags),
        city=tags.get("addr:city"),
        region=tags.get("addr:state"),
        postcode=tags.get("addr:postcode"),
        lat=centre.get("lat"),
        lon=centre.get("lon"),
        category=category,
    )


class OsmSearchProvider(SearchProvider):
    """Nominatim + Overpass, each held to its own requests-per-second budget and cached."""

    name = "osm"

    def __init__(
        self,
        *,
        nominatim_url: str = NOMINATIM_URL,
        overpass_url: str = OVERPASS_URL,
        contact: str = "",
        per_second: float = 1.0,
        max_results: int = DEFAULT_MAX_RESULTS,
        cache: ResponseCache | None = None,
        policy: RetryPolicy | None = None,
        on_usage: UsageSink | None = None,
    ) -> None:
        self.nominatim_url = nominatim_url.rstrip("/")
        self.overpass_url = overpass_url.rstrip("/")
        self.max_results = max_results
        self.cache = cache if cache is not None else _SHARED_CACHE
        self.elements_cache = cache if cache is not None else ELEMENTS_CACHE
        headers = {"User-Agent": user_agent(contact), "Accept": "application/json"}
        self.nominatim = ProviderHTTP(
            "nominatim", kind="search", policy=policy, on_usage=on_usage, headers=headers,
            limiter=shared_limiter(self.nominatim_url, per_second),
        )  # fmt: skip
        self.overpass = ProviderHTTP(
            "overpass", kind="search", policy=policy, on_usage=on_usage, headers=headers,
            limiter=shared_limiter(self.overpass_url, per_second),
        )  # fmt: skip

    @classmethod
    def from_settings(cls, settings: Any, on_usage: UsageSink | None = None) -> OsmSearchProvider:
        """The provider configured by SALESOS_OSM_* settings (contact defaults to the From address)."""
        contact = settings.osm_contact or str(settings.email_from)
        return cls(
            nominatim_url=settings.osm_nominatim_url,
            overpass_url=settings.osm_overpass_url,
            contact=contact.rsplit("<", 1)[-1].rstrip(">").strip(),
            per_second=float(settings.osm_requests_per_second),
            max_results=int(settings.osm_max_results),
            policy=RetryPolicy.from_settings(settings),
            on_usage=on_usage,
        )

    def geocode(self, location: str) -> Area:
        """The area Nominatim finds for *location* ("Austin, TX"); permanent error if there is none."""
        params = {"q": location, "format": "jsonv2", "limit": "1", "addressdetails": "1"}
        url = f"{self.nominatim_url}/search"
        key = request_key("GET", url, params)
        results = self.cache.get(key)
        if results is None:
            response = self.nominatim.request("GET", url, endpoint="search", params=params)
            results = json_body(response, "nominatim")
            self.cache.put(key, results)
        if not isinstance(results, list) or not results:
            raise ProviderError(
                f"No place called {location!r} was found.", permanent=True, provider=self.name
            )
        top = results[0]
        south, north, west, east = (float(v) for v in top["boundingbox"])
        country = (top.get("address") or {}).get("country_code")
        return Area(
            name=top.get("display_name", location),
            lat=float(top["lat"]),
            lon=float(top["lon"]),
            south=south,
            west=west,
            north=north,
            east=east,
            country=country.upper() if country else None,
        )

    def _elements(self, query_text: str) -> list[dict[str, Any]]:
        url = f"{self.overpass_url}/interpreter"
        key = request_key("POST", url, query_text)
        cached = self.elements_cache.get(key)
        if cached is not None:
            return list(cached)
        response = self.overpass.request("POST", url, endpoint="interpreter", data={"data": query_text})
        body = json_body(response, "overpass")
        remark = str(body.get("remark", "")) if isinstance(body, dict) else ""
        # Overpass answers 200 with a remark when the server ran out of time or memory: partial data.
        if "runtime error" in remark.lower():
            raise ProviderError(f"Overpass: {remark[:200]}", provider="overpass")
        elements = body.get("elements", []) if isinstance(body, dict) else []
        # A stable order makes offset page tokens mean the same thing on every call.
        elements.sort(key=lambda e: (e.get("type", ""), e.get("id", 0)))
        self.elements_cache.put(key, elements)
        return list(elements)

    def search(self, query: SearchQuery, page: str | None = None) -> SearchPage:
        """One page of named OSM businesses of the query's type in its area (page = offset)."""
        kind = resolve_business_type(query.business_type)
        if kind is None:
            raise ProviderError(
                f"OpenStreetMap has no mapping for business type {query.business_type!r}.",
                permanent=True,
                provider=self.name,
            )
        area = self.geocode(query.location)
        elements = self._elements(overpass_query(kind, area, query.radius_m, self.max_results))
        start = int(page or 0)
        end = start + query.page_size
        places = [p for e in elements[start:end] if (p := place_from_element(e, area.country)) is not None]
        return SearchPage(places, str(end) if end < len(elements) else None)
