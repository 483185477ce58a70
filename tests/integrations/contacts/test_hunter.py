"""Hunter domain search over real HTTP against a loopback fake: request shape, paging, retries, errors."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from salesos.config import Settings
from salesos.integrations.base import ProviderError
from salesos.integrations.contacts import get_contact_finders
from salesos.integrations.contacts.hunter import HunterContactFinder, hunter_reason
from salesos.integrations.search.http import RetryPolicy, Usage
from tests.integrations.contacts.fake_hunter import HUNTER_KEY, FakeHunter


def finder(
    hunter: FakeHunter, usage: list[Usage], policy: RetryPolicy, key: str = HUNTER_KEY, **kwargs: int
) -> HunterContactFinder:
    return HunterContactFinder(
        key, base_url=hunter.origin + "/v2", policy=policy, on_usage=usage.append, **kwargs
    )


def test_request_shape_header_auth_and_mapping(hunter, usage, quick_retries):
    contacts = finder(hunter, usage, quick_retries).find("https://www.acme-dental.com/contact")
    first = hunter.requests[0]
    assert first.method == "GET" and first.path == "/v2/domain-search"
    assert (first.arg("domain"), first.arg("limit"), first.arg("offset")) == ("acme-dental.com", "10", "0")
    assert first.headers["x-api-key"] == HUNTER_KEY and first.arg("api_key") is None
    assert first.headers["user-agent"].startswith("SalesOS/")
    ceo = contacts[0]
    assert ceo.email == "person.0@acme-dental.com"  # normalised lower-case
    assert (ceo.name, ceo.first_name, ceo.last_name) == ("Person Number0", "Person", "Number0")
    assert (ceo.title, ceo.source, ceo.confidence, ceo.source_url) == ("CEO", "hunter", 80, None)
    assert ceo.decision_maker and not ceo.role_address
    generic = contacts[4]
    assert generic.email == "frontoffice4@acme-dental.com" and generic.role_address and generic.name is None
    assert not contacts[1].decision_maker  # "Sales Associate", seniority junior
    assert usage[0] == Usage("contacts", "hunter", "domain-search", 1)


def test_paginates_with_limit_and_offset_until_metas_results(hunter, usage, quick_retries):
    contacts = finder(hunter, usage, quick_retries).find("acme-dental.com")
    assert len(contacts) == 23 and len({c.email for c in contacts}) == 23
    assert [(r.arg("offset"), r.arg("limit")) for r in hunter.requests] == [
        ("0", "10"),
        ("10", "10"),
        ("20", "10"),
    ]
    assert len(usage) == 3


def test_stops_at_the_email_cap(hunter, usage, quick_retries):
    hunter.totals["big-clinic.com"] = 400
    contacts = finder(hunter, usage, quick_retries, page_size=20, max_emails=50).find("big-clinic.com")
    assert len(contacts) == 50
    assert [(r.arg("offset"), r.arg("limit")) for r in hunter.requests] == [
        ("0", "20"),
        ("20", "20"),
        ("40", "10"),
    ]


def test_unknown_domain_is_an_empty_list_after_one_call(hunter, usage, quick_retries):
    assert finder(hunter, usage, quick_retries).find("nobody-here.com") == []
    assert len(hunter.requests) == 1 and len(usage) == 1


def test_429_waits_for_retry_after_then_succeeds(hunter, usage, quick_retries):
    body = {
        "errors": [{"id": "too_many_requests", "code": 429, "details": "You have reached the rate limit"}]
    }
    hunter.fail_next(429, body, headers={"Retry-After": "1"})
    hunter.totals["small.com"] = 3
    contacts = finder(hunter, usage, quick_retries).find("small.com")
    assert len(contacts) == 3 and len(hunter.requests) == 2
    assert hunter.requests[1].at - hunter.requests[0].at >= 0.9
    assert len(usage) == 1  # the refused attempt is not metered


def test_5xx_is_retried(hunter, usage, quick_retries):
    hunter.fail_next(503, "Service Unavailable")
    hunter.fail_next(502, {"errors": [{"id": "bad_gateway", "code": 502, "details": "Upstream failed"}]})
    assert len(finder(hunter, usage, quick_retries).find("acme-dental.com")) == 23
    assert len(hunter.requests) == 5 and len(usage) == 3


def test_persistent_5xx_is_a_transient_error(hunter, usage, quick_retries):
    hunter.fail_next(
        500, {"errors": [{"id": "server_error", "code": 500, "details": "Something broke"}]}, times=3
    )
    with pytest.raises(ProviderError) as info:
        finder(hunter, usage, quick_retries).find("acme-dental.com")
    assert not info.value.permanent and info.value.provider == "hunter"
    assert "Something broke" in str(info.value) and "gave up after 3 attempts" in str(info.value)
    assert usage == []


def test_bad_key_is_permanent_with_hunters_message(hunter, usage, quick_retries):
    with pytest.raises(ProviderError) as info:
        finder(hunter, usage, quick_retries, key="nope").find("acme-dental.com")
    message = str(info.value)
    assert info.value.permanent and "401" in message
    assert "No user found for the API key supplied (authentication_failed)" in message
    assert "{" not in message  # Hunter's JSON envelope is unwrapped
    assert len(hunter.requests) == 1 and usage == []


def test_bad_parameters_are_permanent_with_hunters_message(hunter, usage, quick_retries):
    with pytest.raises(ProviderError) as info:
        finder(hunter, usage, quick_retries, page_size=500, max_emails=500).find("acme-dental.com")
    assert info.value.permanent and "400" in str(info.value)
    assert "The limit must be below 100" in str(info.value)


def test_not_a_domain_and_no_key_fail_before_any_call(hunter, usage, quick_retries):
    with pytest.raises(ProviderError) as info:
        finder(hunter, usage, quick_retries).find("   ")
    assert info.value.permanent and hunter.requests == []
    with pytest.raises(ProviderError) as info:
        finder(hunter, usage, quick_retries, key="")
    assert info.value.permanent


def test_hunter_reason_keeps_messages_it_cannot_read():
    assert hunter_reason("hunter domain-search answered 503: Service Unavailable") == (
        "hunter domain-search answered 503: Service Unavailable"
    )
    assert hunter_reason("answered 400: {not json}") == "answered 400: {not json}"


def test_finders_from_settings(hunter, usage):
    assert get_contact_finders(Settings(hunter_api_key="")) == []
    settings = Settings(
        hunter_api_key=HUNTER_KEY, hunter_api_url=hunter.origin + "/v2", provider_max_attempts=2
    )
    finders = get_contact_finders(settings, on_usage=usage.append)
    assert [f.name for f in finders] == ["hunter"]
    assert len(finders[0].find("acme-dental.com")) == 23 and len(usage) == 3
    plain = SimpleNamespace(
        hunter_api_key=HUNTER_KEY,
        hunter_api_url=hunter.origin + "/v2",
        provider_max_attempts=1,
        provider_retry_after_cap_seconds=0.0,
    )
    hunter.fail_next(503)
    with pytest.raises(ProviderError) as info:
        HunterContactFinder.from_settings(plain).find("acme-dental.com")
    assert not info.value.permanent and "gave up after 1 attempts" in str(info.value)
