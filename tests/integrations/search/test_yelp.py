"""Yelp Fusion business search over real HTTP against a loopback fake."""

from __future__ import annotations

import pytest

from salesos.integrations.base import ProviderError
from salesos.integrations.search.base import SearchQuery
from salesos.integrations.search.yelp import YelpSearchProvider
from tests.integrations.search.fakes import YELP_KEY


def provider(yelp, usage, policy, key: str = YELP_KEY) -> YelpSearchProvider:
    return YelpSearchProvider(key, base_url=yelp.origin + "/v3", policy=policy, on_usage=usage.append)


def test_request_shape_bearer_auth_and_offset_pagination(yelp, usage, quick_retries):
    query = SearchQuery("dentists", "Austin, TX", radius_m=50_000, page_size=50)
    places = list(provider(yelp, usage, quick_retries).iter_places(query))
    assert len(places) == 120 and len({p.source_id for p in places}) == 120
    assert all(r.headers["authorization"] == f"Bearer {YELP_KEY}" for r in yelp.requests)
    assert [(r.arg("offset"), r.arg("limit")) for r in yelp.requests] == [
        ("0", "50"),
        ("50", "50"),
        ("100", "50"),
    ]
    first = yelp.requests[0]
    assert (first.arg("term"), first.arg("location"), first.arg("radius")) == (
        "dentists",
        "Austin, TX",
        "40000",
    )
    place = places[1]
    assert (place.source, place.source_id, place.phone) == ("yelp", "yelp-1", "+15125550201")
    assert place.website is None  # Yelp's url is its own page, not the business's site
    assert (place.rating, place.review_count, place.category) == (4.0, 101, "generaldentistry")
    assert len(usage) == 3


def test_stops_at_yelps_240_result_window(yelp, usage, quick_retries):
    yelp.total = 1000
    places = list(
        provider(yelp, usage, quick_retries).iter_places(SearchQuery("dentists", "Austin", page_size=50))
    )
    assert len(places) == 240
    assert max(int(r.arg("offset") or 0) + int(r.arg("limit") or 0) for r in yelp.requests) == 240


def test_429_then_5xx_are_retried(yelp, usage, quick_retries):
    yelp.fail_next(429, {"error": {"code": "TOO_MANY_REQUESTS_PER_SECOND"}}, headers={"Retry-After": "0"})
    yelp.fail_next(502, "Bad Gateway")
    page = provider(yelp, usage, quick_retries).search(SearchQuery("dentists", "Austin"))
    assert len(page.places) == 20 and len(yelp.requests) == 3


def test_validation_error_is_permanent_with_yelps_description(yelp, usage, quick_retries):
    with pytest.raises(ProviderError) as info:
        provider(yelp, usage, quick_retries).search(SearchQuery("dentists", ""))
    assert info.value.permanent and "location is required" in str(info.value)


def test_bad_token_is_permanent(yelp, usage, quick_retries):
    with pytest.raises(ProviderError) as info:
        provider(yelp, usage, quick_retries, key="nope").search(SearchQuery("dentists", "Austin"))
    assert info.value.permanent and "401" in str(info.value) and "Invalid access token" in str(info.value)
