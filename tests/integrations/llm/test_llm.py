"""The LLM interface: the offline rules analyst and the OpenAI-compatible adapter over real HTTP."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime
from decimal import Decimal

import pytest

from salesos.integrations.base import ProviderError
from salesos.integrations.llm import get_llm_provider
from salesos.integrations.llm.base import fact_urls
from salesos.integrations.llm.openai_compat import OpenAICompatibleProvider
from salesos.integrations.llm.rules import RulesLLMProvider
from salesos.integrations.search.http import RetryPolicy, Usage
from tests.integrations.llm.fake_openai import API_KEY, FakeOpenAI
from tests.integrations.search.fake_http import serve
from tests.support.servers import settings_with

SITE = "http://brightsmiles.example/"
REVIEWS = "https://maps.example/place/bright-smiles"
FACEBOOK = "https://facebook.com/brightsmiles"
FACTS = {
    "company": {"name": "Bright Smiles", "category": "dentist", "city": "Austin", "source_url": REVIEWS},
    "website": {
        "source_url": SITE, "reachable": True, "https": False, "mobile_viewport": False, "response_ms": 4200,
        "page_bytes": 5 * 1024 * 1024, "copyright_year": 2017, "analytics": False, "booking": False,
        "description": "", "tech": ["WordPress", "jQuery 1.12.4"], "social": {"facebook": FACEBOOK},
    },
    "reviews": {"source_url": REVIEWS, "rating": 4.8, "count": 230},
}  # fmt: skip
QUICK = RetryPolicy(attempts=3, backoff_seconds=0.01, backoff_max_seconds=0.05, retry_after_cap_seconds=2)


def test_rules_derive_grounded_pain_points_and_hooks():
    analysis = RulesLLMProvider(now=datetime(2026, 11, 1, tzinfo=UTC)).analyse(FACTS)
    assert analysis.provider == "rules"
    assert analysis.summary.startswith("Bright Smiles is a dentist in Austin, rated 4.8/5 from 230 reviews")
    pains = {p.text: p.source_url for p in analysis.pain_points}
    assert pains["Visitors see 'Not secure' next to the address: the site has no HTTPS."] == SITE
    assert any("© 2017" in text for text in pains) and any("4.2 s" in text for text in pains)
    assert any("phones" in text for text in pains) and any("5.0 MB" in text for text in pains)
    hooks = {h.text: h.source_url for h in analysis.hooks}
    assert hooks["Customers rate them 4.8/5 across 230 reviews."] == REVIEWS
    assert hooks["Active on Facebook."] == FACEBOOK
    allowed = fact_urls(FACTS)
    assert all(f.source_url in allowed for f in [*analysis.pain_points, *analysis.hooks])


def test_rules_for_a_good_site_and_for_no_site():
    site = {"source_url": "https://good.example/", "reachable": True, "https": True, "cert_valid": True,
            "cert_days_left": 200, "mobile_viewport": True, "response_ms": 300, "copyright_year": 2026,
            "analytics": True, "booking": True}  # fmt: skip
    good = {"website": site}
    assert RulesLLMProvider(now=datetime(2026, 1, 1, tzinfo=UTC)).analyse(good).pain_points == []
    none = RulesLLMProvider().analyse({"company": {"name": "Oak", "source_url": REVIEWS}})
    assert [(p.source_url, "No website" in p.text) for p in none.pain_points] == [(REVIEWS, True)]
    assert none.summary == "Oak is a business, with no website found."


def test_rules_is_the_default_provider():
    assert get_llm_provider(settings_with()).name == "rules"


@pytest.fixture
def fake() -> Iterator[FakeOpenAI]:
    with serve(FakeOpenAI()) as server:
        yield server


def adapter(fake: FakeOpenAI, usage: list[Usage], key: str = API_KEY) -> OpenAICompatibleProvider:
    settings = settings_with(llm_provider="openai", llm_base_url=fake.origin + "/v1", llm_api_key=key,
                               llm_model="llama3.1:8b", llm_cost_per_1k_tokens="0.002")  # fmt: skip
    provider = get_llm_provider(settings, usage.append)
    assert isinstance(provider, OpenAICompatibleProvider)
    provider.http.policy = QUICK
    return provider


def test_openai_request_shape_auth_and_grounded_answer(fake):
    usage: list[Usage] = []
    fake.answers.append({
        "summary": "A family dental practice in Austin.",
        "pain_points": [{"text": "No HTTPS.", "source_url": SITE},
                        {"text": "Invented problem.", "source_url": "https://made-up.example/"}],
        "hooks": [{"text": "230 glowing reviews.", "source_url": REVIEWS}],
    })  # fmt: skip
    analysis = adapter(fake, usage).analyse(FACTS)
    [request] = fake.requests
    assert request.headers["authorization"] == f"Bearer {API_KEY}"
    body = request.json()
    assert body["model"] == "llama3.1:8b" and body["response_format"] == {"type": "json_object"}
    assert json.loads(body["messages"][1]["content"]) == FACTS
    assert analysis.summary == "A family dental practice in Austin." and analysis.provider == "openai"
    # The finding citing a URL that isn't in the facts is dropped: nothing ungrounded gets through.
    assert [(p.text, p.source_url) for p in analysis.pain_points] == [("No HTTPS.", SITE)]
    assert [(h.text, h.source_url) for h in analysis.hooks] == [("230 glowing reviews.", REVIEWS)]
    assert usage == [Usage("llm", "openai_compat", "chat/completions", 420, Decimal("0.00084"))]


def test_fenced_json_is_accepted(fake):
    fake.answers.append('```json\n{"summary": "S", "pain_points": [], "hooks": []}\n```')
    assert adapter(fake, []).analyse(FACTS).summary == "S"


@pytest.mark.parametrize(
    ("answer", "reason"),
    [("Sure! Here is the analysis: it's great.", "not the expected JSON"),
     ({"summary": "S", "pain_points": "none"}, "pain_points"),
     ({"summary": "S", "pain_points": [{"text": "x"}], "hooks": []}, "source_url")],
)  # fmt: skip
def test_malformed_model_output_is_a_permanent_error_with_a_reason(fake, answer, reason):
    fake.answers.append(answer)
    with pytest.raises(ProviderError) as info:
        adapter(fake, []).analyse(FACTS)
    assert info.value.permanent and info.value.provider == "openai" and reason in str(info.value)


def test_truncated_output_is_a_permanent_error(fake):
    fake.finish_reason = "length"
    fake.answers.append('{"summary": "S", "pain_po')
    with pytest.raises(ProviderError) as info:
        adapter(fake, []).analyse(FACTS)
    assert info.value.permanent and "cut off" in str(info.value)


def test_429_with_retry_after_then_5xx_are_retried(fake):
    fake.fail_next(429, {"error": {"message": "Rate limit reached"}}, headers={"Retry-After": "1"})
    fake.fail_next(503, {"error": {"message": "overloaded"}})
    fake.answers.append({"summary": "S", "pain_points": [], "hooks": []})
    assert adapter(fake, []).analyse(FACTS).summary == "S"
    first, second, _third = fake.requests
    assert second.at - first.at >= 0.95 and len(fake.requests) == 3


def test_wrong_key_is_permanent_with_the_servers_reason(fake):
    usage: list[Usage] = []
    with pytest.raises(ProviderError) as info:
        adapter(fake, usage, key="sk-wrong").analyse(FACTS)
    assert info.value.permanent and "401" in str(info.value) and "Incorrect API key" in str(info.value)
    assert usage == []
