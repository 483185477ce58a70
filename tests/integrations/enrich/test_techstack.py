"""The tech-stack detector over the fixture corpus: every expected technology (and version) and no other."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from salesos.integrations.enrich.techstack import (
    PageEvidence,
    default_signatures,
    detect,
    parse_signatures,
    required_literal,
)

CORPUS = Path(__file__).parent / "corpus"
MANIFEST: dict[str, dict[str, Any]] = json.loads((CORPUS / "expected.json").read_text())


def test_corpus_is_large_and_complete() -> None:
    fixtures = {p.name for p in CORPUS.glob("*.html")}
    assert len(fixtures) >= 30
    assert fixtures == set(MANIFEST)


@pytest.mark.parametrize("fixture", sorted(MANIFEST))
def test_corpus_fixture_detections(fixture: str) -> None:
    spec = MANIFEST[fixture]
    evidence = PageEvidence.from_html((CORPUS / fixture).read_text(), spec["headers"], spec["cookies"])
    found = {d.name: d.version for d in detect(evidence)}
    assert found == spec["expected"]


def test_corpus_covers_every_signature_the_issue_names() -> None:
    covered = {name for spec in MANIFEST.values() for name in spec["expected"]}
    required = {
        "WordPress", "Shopify", "Wix", "Squarespace", "Webflow", "GoDaddy Website Builder", "Next.js",
        "React", "jQuery", "Google Analytics", "Google Tag Manager", "Meta Pixel", "Intercom", "Drift",
        "Tawk.to", "Crisp", "Zendesk Chat", "Calendly", "Acuity Scheduling", "Square Appointments", "Booksy",
    }  # fmt: skip
    assert required <= covered


def test_every_shipped_signature_has_a_known_category_and_valid_implies() -> None:
    signatures = default_signatures()
    names = {s.name for s in signatures}
    assert len(names) == len(signatures)
    for signature in signatures:
        assert signature.category
        assert set(signature.implies) <= names


def test_signatures_are_data_and_can_be_replaced() -> None:
    table = parse_signatures(
        {"signatures": [{"name": "Acme CMS", "category": "cms", "meta": {"generator": r"^Acme (\d+)"}}]}
    )
    evidence = PageEvidence.from_html('<meta name="generator" content="Acme 7"><script src="jquery.js">')
    assert [(d.name, d.version) for d in detect(evidence, table)] == [("Acme CMS", "7")]


def test_version_comes_from_a_later_pattern_when_the_first_has_none() -> None:
    evidence = PageEvidence.from_html("<script>/*! jQuery v2.2.4 | (c) jQuery Foundation */</script>")
    assert {d.name: d.version for d in detect(evidence)} == {"jQuery": "2.2.4"}


@pytest.mark.parametrize(
    ("pattern", "literal"),
    [
        (r"cdn\.shopify\.com", "cdn.shopify.com"),
        (r"jquery(?:\.min)?\.js", "jquery"),
        (r"(?:static1|assets)\.squarespace\.com", ".squarespace.com"),
        (r"^WordPress ?([\d.]+)?", "wordpress"),
        (r"https?://x", "http"),
        (r"a{0,3}bcd", "bcd"),
        (r"x\-y", "x-y"),
        (r"Tawk_API|tawk\.to", ""),
    ],
)
def test_required_literal_is_a_safe_prefilter(pattern: str, literal: str) -> None:
    assert required_literal(pattern) == literal


def test_every_shipped_pattern_literal_occurs_in_the_pattern_itself() -> None:
    # A literal the regex cannot produce would silently disable its signature.
    for signature in default_signatures():
        patterns = [*signature.html, *signature.scripts, *signature.cookies]
        patterns += [p for _, p in (*signature.meta, *signature.headers)]
        for pattern in patterns:
            source = pattern.regex.pattern.replace("\\", "").lower()
            assert pattern.literal in source, (signature.name, pattern.regex.pattern)
