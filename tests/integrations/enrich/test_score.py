"""The website score: each documented factor, its weight, its reason; unreachable and error pages score 0."""

from __future__ import annotations

import datetime as dt

from salesos.integrations.enrich.audit import WebsiteAudit
from salesos.integrations.enrich.score import WEIGHTS, score_website
from salesos.integrations.enrich.techstack import Detection

TODAY = dt.date(2026, 6, 1)


def _good() -> WebsiteAudit:
    return WebsiteAudit(
        url="https://good.example/",
        reachable=True,
        status=200,
        https=True,
        response_time=0.4,
        page_weight=40_000,
        viewport=True,
        title="Good",
        description="A good site",
        technologies=[Detection("Google Analytics", "analytics"), Detection("jQuery", "js", "3.7.1")],
        emails=["hi@good.example"],
        copyright_year=2026,
    )


def test_a_modern_site_scores_100() -> None:
    result = score_website(_good(), today=TODAY)
    assert (result.score, result.factors) == (100, [])


def test_every_flaw_costs_its_documented_weight() -> None:
    audit = _good()
    audit.https = False
    audit.certificate_valid = False
    audit.certificate_expires = dt.datetime(2026, 6, 10, tzinfo=dt.UTC)
    audit.response_time = 3.5
    audit.viewport = False
    audit.copyright_year = 2019
    audit.title = ""
    audit.description = ""
    audit.page_weight = 2 * 1024 * 1024
    audit.technologies = [Detection("jQuery", "js", "1.12.4")]
    audit.emails = []
    result = score_website(audit, today=TODAY)
    codes = {f.code for f in result.factors}
    assert codes == set(WEIGHTS) - {"slow"}
    assert result.score == max(0, 100 - sum(WEIGHTS[c] for c in codes))
    assert result.factors[0].code == "no_https"
    assert "jQuery 1.12.4" in " ".join(result.reasons)
    assert "2019" in " ".join(result.reasons)
    assert "2026-06-10" in " ".join(result.reasons)


def test_slow_but_not_very_slow() -> None:
    audit = _good()
    audit.response_time = 2.0
    result = score_website(audit, today=TODAY)
    assert [f.code for f in result.factors] == ["slow"]
    assert result.score == 100 - WEIGHTS["slow"]


def test_unknown_jquery_version_is_not_called_outdated() -> None:
    audit = _good()
    audit.technologies = [Detection("jQuery", "js"), Detection("Meta Pixel", "advertising")]
    assert score_website(audit, today=TODAY).score == 100


def test_unreachable_and_error_pages_score_zero() -> None:
    down = WebsiteAudit(url="http://down.example/", error="timeout")
    result = score_website(down, today=TODAY)
    assert result.score == 0 and "timeout" in result.reasons[0]
    broken = _good()
    broken.status = 500
    assert score_website(broken, today=TODAY).reasons == ["The home page answers HTTP 500."]
