"""Prospect scoring: four factors 0-100, weighted into an overall 0-100, cut into tiers A / B / C.

==================  =======  ==========================================================================
factor              default  how it is measured
==================  =======  ==========================================================================
website             40 %     100 - website score: a missing, broken or dated site is the opportunity
reviews             20 %     rating x volume: 5★ with 200+ reviews is 100; 0 reviews is 0; a source
                             without review data leaves the factor out (the others share its weight)
contact             25 %     decision maker's email: verified 100, on a domain that takes mail 80;
                             someone else's: verified 75, deliverable domain 55; a decision maker named
                             without email 50; a shared inbox (info@) 40; phone only 20; nothing 0
timing              15 %     stale site (© 3+ years old) 40, hiring 35, new business (< 10 reviews) 25
==================  =======  ==========================================================================

Tier A from 60, B from 40 (both configurable per campaign). Without the SMTP probe (off by default)
no address is ever "verified", so a deliverable domain counts nearly as much: the keyless setup can
reach A. A prospect outside the campaign's criteria (too few reviews, a site scoring above the maximum,
another industry) is C whatever its score, and its reason says which criterion it missed.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass, field
from typing import Any

DEFAULT_WEIGHTS = {"website": 40, "reviews": 20, "contact": 25, "timing": 15}
DEFAULT_TIER_A = 60
DEFAULT_TIER_B = 40
LABELS = {"website": "Website opportunity", "reviews": "Review strength", "contact": "Contact quality",
          "timing": "Timing signals"}  # fmt: skip
# Review volume saturates here: a business with this many reviews is as established as it gets.
REVIEWS_FULL = 200
STALE_YEARS = 3
NEW_BUSINESS_REVIEWS = 10
VERIFIED = "valid"


@dataclass(frozen=True)
class ScoringConfig:
    """A campaign's weights (relative, any positive numbers) and tier thresholds."""

    weights: dict[str, float] = field(default_factory=lambda: dict(DEFAULT_WEIGHTS))
    tier_a: int = DEFAULT_TIER_A
    tier_b: int = DEFAULT_TIER_B

    @classmethod
    def from_json(cls, raw: dict[str, Any] | None) -> ScoringConfig:
        """The config stored on a campaign; missing keys take the defaults (validated on input)."""
        raw = raw or {}
        weights = {**DEFAULT_WEIGHTS, **(raw.get("weights") or {})}
        return cls(
            weights={k: float(weights[k]) for k in DEFAULT_WEIGHTS},
            tier_a=int(raw.get("tier_a", DEFAULT_TIER_A)),
            tier_b=int(raw.get("tier_b", DEFAULT_TIER_B)),
        )


@dataclass(frozen=True)
class Criteria:
    """Who the campaign wants at all; None / empty means no limit."""

    min_reviews: int | None = None
    max_website_score: int | None = None
    industries: tuple[str, ...] = ()

    @classmethod
    def from_json(cls, raw: dict[str, Any] | None) -> Criteria:
        """The criteria stored on a campaign."""
        raw = raw or {}
        return cls(
            min_reviews=raw.get("min_reviews"),
            max_website_score=raw.get("max_website_score"),
            industries=tuple(i.lower() for i in raw.get("industries") or ()),
        )


@dataclass(frozen=True)
class ScoreInputs:
    """The facts a score is computed from, read off a prospect."""

    website_score: int | None  # None: the business lists no website
    reachable: bool
    rating: float | None
    review_count: int | None
    contacts: list[dict[str, Any]]
    has_phone: bool
    copyright_year: int | None
    hiring: bool
    category: str | None


@dataclass(frozen=True)
class Factor:
    """One factor's value (0-100), its share of the total, the points it gave and why."""

    key: str
    label: str
    value: int | None  # None: not measurable for this prospect, so not counted
    weight: float
    points: float
    detail: str

    def as_dict(self) -> dict[str, Any]:
        """JSON for the prospect's stored breakdown."""
        return {"key": self.key, "label": self.label, "value": self.value, "weight": round(self.weight, 3),
                "points": round(self.points, 1), "detail": self.detail}  # fmt: skip


@dataclass(frozen=True)
class ScoreResult:
    """Overall score, tier, the sentence explaining it, and whether the prospect is worth pursuing."""

    score: int
    tier: str
    tier_reason: str
    breakdown: list[Factor]
    qualified: bool


def _website(inputs: ScoreInputs) -> tuple[int, str]:
    if inputs.website_score is None:
        return 100, "no website listed"
    if not inputs.reachable:
        return 100, "website unreachable"
    return 100 - inputs.website_score, f"website scores {inputs.website_score}/100"


def _reviews(inputs: ScoreInputs) -> tuple[int | None, str]:
    if inputs.review_count is None:
        # OpenStreetMap has no reviews: not knowing is not the same as having none.
        return None, "no review data from this source"
    if inputs.review_count == 0 or inputs.rating is None:
        return 0, "no reviews yet"
    volume = min(1.0, math.log1p(inputs.review_count) / math.log1p(REVIEWS_FULL))
    value = round(100 * volume * max(0.0, min(inputs.rating, 5.0)) / 5)
    return value, f"{inputs.rating:.1f}★ from {inputs.review_count} reviews"


def _contact_value(contact: dict[str, Any]) -> tuple[int, str]:
    status, person = contact.get("status"), not contact.get("role_address")
    if not contact.get("email") or status == "invalid":
        return (50, "decision maker named, no email") if contact.get("decision_maker") else (0, "")
    deliverable = bool(contact.get("deliverable"))
    if person and contact.get("decision_maker"):
        if status == VERIFIED:
            return 100, "verified decision-maker email"
        if deliverable:
            return 80, "decision-maker email on a domain that takes mail"
    if person and status == VERIFIED:
        return 75, "verified personal email"
    if person and deliverable:
        return 55, "personal email on a domain that takes mail"
    return 40, "only a shared inbox (info@, office@)"


def _contact(inputs: ScoreInputs) -> tuple[int, str]:
    value, detail = max((_contact_value(c) for c in inputs.contacts), default=(0, ""))
    if value == 0 and inputs.has_phone:
        return 20, "phone number only"
    return value, detail or "no way to reach anyone"


def _timing(inputs: ScoreInputs, today: dt.date) -> tuple[int, str]:
    value, signals = 0, []
    if inputs.copyright_year and today.year - inputs.copyright_year >= STALE_YEARS:
        value += 40
        signals.append(f"site last updated {inputs.copyright_year}")
    if inputs.hiring:
        value += 35
        signals.append("hiring")
    if inputs.review_count is not None and inputs.review_count < NEW_BUSINESS_REVIEWS:
        value += 25
        signals.append("new business")
    return min(value, 100), ", ".join(signals) or "no timing signal"


def _misses(inputs: ScoreInputs, criteria: Criteria) -> list[str]:
    misses = []
    reviews = inputs.review_count or 0
    if criteria.min_reviews is not None and reviews < criteria.min_reviews:
        misses.append(f"{reviews} reviews, fewer than {criteria.min_reviews}")
    site = inputs.website_score if inputs.reachable else 0
    if criteria.max_website_score is not None and (site or 0) > criteria.max_website_score:
        misses.append(f"website scores {site}, above {criteria.max_website_score}")
    if criteria.industries and (inputs.category or "").lower() not in criteria.industries:
        misses.append(f"industry {inputs.category or 'unknown'} not targeted")
    return misses


def score_prospect(
    inputs: ScoreInputs, config: ScoringConfig, criteria: Criteria, *, today: dt.date | None = None
) -> ScoreResult:
    """Score one prospect; the same inputs always give the same result (rescoring is safe)."""
    today = today or dt.date.today()
    measured: dict[str, tuple[int | None, str]] = {
        "website": _website(inputs),
        "reviews": _reviews(inputs),
        "contact": _contact(inputs),
        "timing": _timing(inputs, today),
    }
    counted = {key: config.weights[key] for key, (value, _) in measured.items() if value is not None}
    total_weight = sum(counted.values()) or 1.0
    factors = []
    for key, (value, detail) in measured.items():
        share = counted.get(key, 0.0) / total_weight
        factors.append(Factor(key, LABELS[key], value, share, (value or 0) * share, detail))
    score = round(sum(f.points for f in factors))
    tier = "A" if score >= config.tier_a else "B" if score >= config.tier_b else "C"
    misses = _misses(inputs, criteria)
    if misses:
        return ScoreResult(
            score, "C", "Outside the campaign's criteria: " + "; ".join(misses), factors, False
        )
    top = sorted((f for f in factors if f.points > 0), key=lambda f: -f.points)[:2]
    reason = f"{tier} ({score}): " + ("; ".join(f"{f.label.lower()} {f.value} ({f.detail})" for f in top)
                                      or "nothing stands out")  # fmt: skip
    return ScoreResult(score, tier, reason, factors, tier in ("A", "B"))
