"""Loopback fakes of Nominatim, Overpass, Google Places (New) and Yelp Fusion, strict about their input."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from tests.integrations.search.fake_http import FakeService, Reply, Request

GOOGLE_KEY = "g-key-123"
YELP_KEY = "y-key-456"

AUSTIN = {
    "lat": "30.2711286",
    "lon": "-97.7436995",
    "boundingbox": ["30.0986648", "30.5168269", "-97.9383829", "-97.5614889"],
    "display_name": "Austin, Travis County, Texas, United States",
    "address": {"city": "Austin", "state": "Texas", "country_code": "us"},
}


def osm_dentist(n: int, **tags: str) -> dict[str, Any]:
    base = {
        "amenity": "dentist",
        "name": f"Dentist {n}",
        "addr:housenumber": str(100 + n),
        "addr:street": "Congress Avenue",
        "addr:city": "Austin",
        "addr:postcode": "78701",
        "phone": f"(512) 555-01{n:02d}",
        "website": f"dentist{n}.example",
    }
    return {"type": "node", "id": 1000 + n, "lat": 30.27 + n / 1000, "lon": -97.74, "tags": {**base, **tags}}


@dataclass
class FakeNominatim(FakeService):
    places: dict[str, dict[str, Any]] = field(default_factory=lambda: {"austin, tx": AUSTIN})

    def handle(self, request: Request) -> Reply:
        agent = request.headers.get("user-agent", "")
        # Nominatim's usage policy: an identifying User-Agent, not a library default.
        if not agent.startswith("SalesOS/") or "@" not in agent:
            return 403, {}, "Access blocked: identify your application"
        if request.path != "/search" or request.arg("format") != "jsonv2":
            return 400, {}, {"error": {"message": "bad request"}}
        found = self.places.get((request.arg("q") or "").lower())
        return 200, {}, [found] if found else []


@dataclass
class FakeOverpass(FakeService):
    elements: list[dict[str, Any]] = field(default_factory=list)
    remark: str | None = None

    def handle(self, request: Request) -> Reply:
        if request.method != "POST" or request.path != "/api/interpreter":
            return 404, {}, "not found"
        query = request.form().get("data", [""])[0]
        if not query.startswith("[out:json]") or "out center" not in query:
            return 400, {}, "Error: line 1: parse error"
        body: dict[str, Any] = {"version": 0.6, "elements": self.elements}
        if self.remark:
            body["remark"] = self.remark
        return 200, {}, body


def google_place(n: int) -> dict[str, Any]:
    return {
        "id": f"ChIJ{n:04d}",
        "displayName": {"text": f"Smile Dental {n}", "languageCode": "en"},
        "formattedAddress": f"{200 + n} Lamar Blvd, Austin, TX 78704, USA",
        "addressComponents": [
            {"longText": str(200 + n), "shortText": str(200 + n), "types": ["street_number"]},
            {"longText": "Lamar Boulevard", "shortText": "Lamar Blvd", "types": ["route"]},
            {"longText": "Austin", "shortText": "Austin", "types": ["locality", "political"]},
            {"longText": "Texas", "shortText": "TX", "types": ["administrative_area_level_1"]},
            {"longText": "United States", "shortText": "US", "types": ["country", "political"]},
            {"longText": "78704", "shortText": "78704", "types": ["postal_code"]},
        ],
        "location": {"latitude": 30.25 + n / 1000, "longitude": -97.76},
        "websiteUri": f"https://www.smile{n}.example/",
        "internationalPhoneNumber": f"+1 512-555-02{n:02d}",
        "primaryType": "dentist",
        "rating": 4.5,
        "userRatingCount": 10 * n,
    }


@dataclass
class FakeGooglePlaces(FakeService):
    places: list[dict[str, Any]] = field(default_factory=lambda: [google_place(n) for n in range(1, 46)])

    def handle(self, request: Request) -> Reply:
        if request.headers.get("x-goog-api-key") != GOOGLE_KEY:
            error = {"code": 403, "message": "API key not valid. Please pass a valid API key.",
                     "status": "PERMISSION_DENIED"}  # fmt: skip
            return 403, {}, {"error": error}
        mask = request.headers.get("x-goog-fieldmask", "")
        if not mask or "nextPageToken" not in mask.split(","):
            return 400, {}, {"error": {"code": 400, "message": "FieldMask is a required parameter."}}
        if request.method != "POST" or request.path != "/v1/places:searchText":
            return 404, {}, {"error": {"code": 404, "message": "not found"}}
        body = request.json()
        if not body.get("textQuery"):
            return 400, {}, {"error": {"code": 400, "message": "textQuery is required."}}
        size = min(int(body.get("pageSize", 20)), 20)
        token = body.get("pageToken")
        start = int(token.removeprefix("page-")) if token else 0
        reply: dict[str, Any] = {"places": self.places[start : start + size]}
        if start + size < len(self.places):
            reply["nextPageToken"] = f"page-{start + size}"
        return 200, {}, reply


def yelp_business(n: int) -> dict[str, Any]:
    return {
        "id": f"yelp-{n}",
        "alias": f"smile-dental-{n}-austin",
        "name": f"Smile Dental {n}",
        "url": f"https://www.yelp.com/biz/smile-dental-{n}-austin",
        "phone": f"+1512555{200 + n:04d}",
        "rating": 4.0,
        "review_count": 100 + n,
        "categories": [{"alias": "generaldentistry", "title": "General Dentistry"}],
        "coordinates": {"latitude": 30.25 + n / 1000, "longitude": -97.76},
        "location": {"address1": f"{200 + n} Lamar Blvd", "city": "Austin", "zip_code": "78704",
                     "country": "US", "state": "TX"},
    }  # fmt: skip


@dataclass
class FakeYelp(FakeService):
    total: int = 120

    def handle(self, request: Request) -> Reply:
        if request.headers.get("authorization") != f"Bearer {YELP_KEY}":
            return 401, {}, {"error": {"code": "TOKEN_INVALID", "description": "Invalid access token"}}
        if request.path != "/v3/businesses/search":
            return 404, {}, {"error": {"code": "NOT_FOUND", "description": "Resource could not be found."}}
        limit, offset = int(request.arg("limit") or 20), int(request.arg("offset") or 0)
        if not request.arg("term") or not request.arg("location"):
            return 400, {}, {"error": {"code": "VALIDATION_ERROR", "description": "location is required"}}
        if limit > 50 or offset + limit > 240:
            desc = "Too many results requested, limit+offset must be <= 240."
            return 400, {}, {"error": {"code": "VALIDATION_ERROR", "description": desc}}
        end = min(offset + limit, self.total)
        return 200, {}, {"businesses": [yelp_business(n) for n in range(offset, end)], "total": self.total}


def is_overpass_bbox(query: str) -> bool:
    return bool(re.search(r"\(30\.09\d*,-97\.93\d*,30\.51\d*,-97\.56\d*\)", query))
