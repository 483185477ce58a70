"""Scoring: each factor's scale, weights and thresholds, criteria, and the reason naming the top factors."""

from __future__ import annotations

import datetime as dt

from hypothesis import given
from hypothesis import strategies as st

from salesos.campaigns.service.scoring import Criteria, ScoreInputs, ScoringConfig, score_prospect

TODAY = dt.date(2026, 11, 22)


def inputs(**overrides) -> ScoreInputs:  # type: ignore[no-untyped-def]
    base = {
        "website_score": 90, "reachable": True, "rating": None, "review_count": None, "contacts": [],
        "has_phone": True, "copyright_year": 2026, "hiring": False, "category": "dentist",
    }  # fmt: skip
    return ScoreInputs(**{**base, **overrides})


OWNER = {"email": "jane@smiles.com", "decision_maker": True, "role_address": False, "status": "unknown",
         "deliverable": True}  # fmt: skip


def score(value: ScoreInputs, config: ScoringConfig | None = None, criteria: Criteria | None = None):  # type: ignore[no-untyped-def]
    return score_prospect(value, config or ScoringConfig(), criteria or Criteria(), today=TODAY)


def factor(result, key: str):  # type: ignore[no-untyped-def]
    return next(f for f in result.breakdown if f.key == key)


def test_a_weak_site_with_a_reachable_owner_is_tier_a_and_says_why():
    result = score(inputs(website_score=30, contacts=[OWNER], copyright_year=2016))
    assert result.tier == "A" and result.qualified
    assert result.tier_reason.startswith(f"A ({result.score}): website opportunity 70")
    assert "contact quality 80" in result.tier_reason


def test_a_polished_site_with_only_a_phone_is_tier_c():
    result = score(inputs(website_score=96))
    assert (result.tier, result.qualified) == ("C", False)
    assert factor(result, "contact").value == 20


def test_missing_review_data_is_left_out_not_counted_as_zero():
    without = score(inputs(website_score=30, contacts=[OWNER]))
    reviews = factor(without, "reviews")
    assert reviews.value is None and reviews.weight == 0
    assert abs(sum(f.weight for f in without.breakdown) - 1) < 1e-9
    none_yet = score(inputs(website_score=30, contacts=[OWNER], review_count=0, rating=None))
    assert factor(none_yet, "reviews").value == 0 and none_yet.score < without.score


def test_reviews_grow_with_rating_and_volume():
    few = factor(score(inputs(rating=4.8, review_count=5)), "reviews").value
    many = factor(score(inputs(rating=4.8, review_count=400)), "reviews").value
    poor = factor(score(inputs(rating=2.0, review_count=400)), "reviews").value
    assert few is not None and many is not None and poor is not None
    assert few < many and poor < many and many == 96


def test_contact_scale_prefers_verified_decision_makers():
    def contact(**c) -> int:  # type: ignore[no-untyped-def]
        value = factor(score(inputs(contacts=[{**OWNER, **c}])), "contact").value
        assert value is not None
        return value

    assert contact(status="valid") == 100
    assert contact() == 80
    assert contact(decision_maker=False, status="valid") == 75
    assert contact(decision_maker=False) == 55
    assert contact(role_address=True, decision_maker=False) == 40
    assert contact(email=None) == 50
    assert contact(status="invalid", decision_maker=False) == 20  # only the phone is left


def test_timing_signals_add_up_and_cap():
    result = score(inputs(copyright_year=2019, hiring=True, review_count=3, rating=5.0))
    assert factor(result, "timing").value == 100
    assert "site last updated 2019" in factor(result, "timing").detail


def test_weights_and_thresholds_are_the_campaigns():
    value = inputs(website_score=20)
    only_site = ScoringConfig(weights={"website": 1, "reviews": 0, "contact": 0, "timing": 0}, tier_a=80)
    assert score(value, only_site).score == 80 and score(value, only_site).tier == "A"
    strict = ScoringConfig(tier_a=99, tier_b=98)
    assert score(inputs(website_score=30, contacts=[OWNER]), strict).tier == "C"


def test_criteria_put_a_prospect_in_c_with_the_reason():
    criteria = Criteria(min_reviews=10, max_website_score=50, industries=("dentist",))
    result = score(
        inputs(website_score=70, review_count=3, rating=4.0, category="orthodontist"), criteria=criteria
    )
    assert (result.tier, result.qualified) == ("C", False)
    assert result.tier_reason == (
        "Outside the campaign's criteria: 3 reviews, fewer than 10; website scores 70, above 50; "
        "industry orthodontist not targeted"
    )


def test_config_round_trips_through_the_stored_json():
    stored = {"weights": {"website": 10, "reviews": 0, "contact": 5, "timing": 5}, "tier_a": 50, "tier_b": 20}
    config = ScoringConfig.from_json(stored)
    assert (config.weights["website"], config.tier_a, config.tier_b) == (10.0, 50, 20)
    assert ScoringConfig.from_json({}) == ScoringConfig()


@given(
    website=st.one_of(st.none(), st.integers(0, 100)),
    rating=st.one_of(st.none(), st.floats(0, 5)),
    reviews=st.one_of(st.none(), st.integers(0, 5000)),
    year=st.one_of(st.none(), st.integers(1990, 2026)),
    hiring=st.booleans(),
    weights=st.lists(st.integers(0, 100), min_size=4, max_size=4).filter(any),
)
def test_any_input_gives_a_score_in_range_and_a_consistent_tier(
    website, rating, reviews, year, hiring, weights
):  # type: ignore[no-untyped-def]
    config = ScoringConfig(
        weights=dict(zip(("website", "reviews", "contact", "timing"), weights, strict=True))
    )
    value = inputs(
        website_score=website, rating=rating, review_count=reviews, copyright_year=year, hiring=hiring
    )
    result = score(value, config)
    assert 0 <= result.score <= 100
    expected = "A" if result.score >= 60 else "B" if result.score >= 40 else "C"
    assert result.tier == expected and result.qualified == (expected != "C")
    assert score(value, config) == result  # deterministic: rescoring is safe
