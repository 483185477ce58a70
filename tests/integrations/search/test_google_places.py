"""Google Places Text Search (New) over real HTTP against a loopback fake."""

from __future__ import annotations

import time
from decimal import Decimal

import pytest

from salesos.integrations.base import ProviderError
from salesos.integrations.search.base import SearchQuery
from salesos.integrations.search.google_places import GooglePlacesProvider
from tests.integrations.search.fakes import GOOGLE_KEY

QUERY = SearchQuery("dentists", "Austin, TX", page_size=20)


def provider(google, usage, policy, key: str = GOOGLE_KEY) -> GooglePlacesProvider:
    return GooglePlacesProvider(key, base_url=google.origin + "/v1", policy=policy, on_usage=usage.append)


def test_request_shape_auth_and_normalised_places(google, usage, quick_retries):
    page = provider(google, usage, quick_retries).search(QUERY)
    [request] = google.requests
    assert request.method == "POST" and request.path == "/v1/places:searchText"
    assert request.headers["x-goog-api-key"] == GOOGLE_KEY
    mask = request.headers["x-goog-fieldmask"].split(",")
    assert {"places.id", "places.websiteUri", "places.userRatingCount", "nextPageToken"} <= set(mask)
    assert request.json() == {"textQuery": "dentists in Austin, TX", "pageSize": 20}
    first = page.places[0]
    assert (first.source, first.source_id, first.name) == ("google_places", "ChIJ0001", "Smile Dental 1")
    assert first.phone == "+15125550201" and first.domain == "smile1.example"
    assert (first.street, first.city, first.region, first.postcode, first.country) == (
        "201 Lamar Boulevard", "Austin", "TX", "78704", "US",
    )  # fmt: skip
    assert (first.rating, first.review_count, first.category) == (4.5, 10, "dentist")
    assert page.next_page == "page-20"


def test_follows_page_tokens_and_meters_every_page(google, usage, quick_retries):
    places = list(provider(google, usage, quick_retries).iter_places(QUERY))
    assert len(places) == 45 and len({p.source_id for p in places}) == 45
    assert [r.json().get("pageToken") for r in google.requests] == [None, "page-20", "page-40"]
    assert [(u.kind, u.service, u.endpoint, u.cost) for u in usage] == [
        ("search", "google_places", "places:searchText", Decimal("0.035"))
    ] * 3


def test_429_with_retry_after_waits_then_succeeds(google, usage, quick_retries):
    google.fail_next(429, {"error": {"code": 429, "message": "Quota exceeded"}}, headers={"Retry-After": "1"})
    started = time.monotonic()
    page = provider(google, usage, quick_retries).search(QUERY)
    assert len(page.places) == 20
    first, second = google.requests
    assert second.at - first.at >= 0.95
    assert time.monotonic() - started < 1.9
    assert len(usage) == 1  # the refused attempt is not billed


def test_5xx_is_retried_with_backoff(google, usage, quick_retries):
    google.fail_next(503, {"error": {"code": 503, "message": "Backend unavailable"}}, times=2)
    assert len(provider(google, usage, quick_retries).search(QUERY).places) == 20
    assert len(google.requests) == 3


def test_5xx_that_persists_is_a_retryable_error_after_bounded_attempts(google, usage, quick_retries):
    google.fail_next(500, {"error": {"code": 500, "message": "Internal error"}}, times=5)
    with pytest.raises(ProviderError) as info:
        provider(google, usage, quick_retries).search(QUERY)
    assert info.value.permanent is False and "Internal error" in str(info.value)
    assert len(google.requests) == quick_retries.attempts and usage == []


def test_rejected_key_is_permanent_with_googles_reason(google, usage, quick_retries):
    with pytest.raises(ProviderError) as info:
        provider(google, usage, quick_retries, key="wrong").search(QUERY)
    assert info.value.permanent is True and info.value.provider == "google_places"
    assert "403" in str(info.value) and "API key not valid" in str(info.value)
    assert len(google.requests) == 1 and usage == []


def test_missing_key_refuses_to_start():
    with pytest.raises(ProviderError) as info:
        GooglePlacesProvider("")
    assert info.value.permanent and "GOOGLE_PLACES_API_KEY" in str(info.value)
