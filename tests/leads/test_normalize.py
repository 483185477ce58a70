"""Normalisation properties: idempotent, format-insensitive, and exact on the documented examples."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from salesos.leads.normalize import (
    company_domain_from_email,
    domain_from_email,
    domain_from_url,
    normalize_email,
    normalize_phone,
)

local_parts = st.from_regex(r"[a-zA-Z0-9][a-zA-Z0-9._+-]{0,20}[a-zA-Z0-9]", fullmatch=True).filter(
    lambda s: ".." not in s
)
hosts = st.from_regex(r"[a-zA-Z][a-zA-Z0-9-]{0,15}[a-zA-Z0-9]\.(com|io|org|co\.uk|de)", fullmatch=True)
emails = st.builds(lambda local, host: f"{local}@{host}", local_parts, hosts)
whitespace = st.sampled_from(["", " ", "  ", "\t", "\n "])
# Valid US numbers: area and exchange codes starting 2-9 (555-01xx is reserved for fiction and valid).
us_digits = st.builds(
    lambda area, line: f"{area}5550{line:03d}"[:10],
    st.sampled_from(["512", "415", "212", "617", "303"]),
    st.integers(min_value=100, max_value=199),
)


def _formats(digits: str) -> list[str]:
    a, b, c = digits[:3], digits[3:6], digits[6:]
    return [f"({a}) {b}-{c}", f"{a}.{b}.{c}", f"+1 {a} {b} {c}", f"{a}-{b}-{c}", f"1{digits}", digits]


@given(us_digits)
def test_differently_formatted_equal_phones_normalise_equal(digits):
    results = {normalize_phone(text, "US") for text in _formats(digits)}
    assert len(results) == 1
    (e164,) = results
    assert e164 == f"+1{digits}"


@given(st.text(max_size=30), st.sampled_from(["US", "GB", "DE", "FR", "IN"]))
def test_phone_normalisation_is_idempotent(raw, region):
    once = normalize_phone(raw, region)
    if once is not None:
        assert once.startswith("+")
        assert normalize_phone(once, region) == once
        # E.164 carries its country code: reading it in any region gives the same number.
        assert normalize_phone(once, "JP") == once


def test_documented_phone_examples():
    for text in ("(512) 555-0134", "512.555.0134", "+1 512 555 0134"):
        assert normalize_phone(text, "US") == "+15125550134"
    assert normalize_phone("020 7946 0958", "GB") == "+442079460958"
    assert normalize_phone("not a phone", "US") is None
    assert normalize_phone("123", "US") is None
    assert normalize_phone("", "US") is None


@given(emails, whitespace, whitespace)
def test_email_case_and_whitespace_invariance(email, before, after):
    plain = normalize_email(email)
    assert plain is not None
    assert normalize_email(before + email.upper() + after) == plain
    assert normalize_email(before + email.lower() + after) == plain


@given(st.one_of(emails, st.text(max_size=40)))
def test_email_normalisation_is_idempotent(raw):
    once = normalize_email(raw)
    if once is not None:
        assert once == once.strip().lower()
        assert normalize_email(once) == once


def test_invalid_emails_are_none():
    for raw in ("", "   ", "nope", "a@", "@b.com", "a b@c.com", None):
        assert normalize_email(raw) is None


@given(hosts, st.sampled_from(["", "http://", "https://", "HTTPS://"]), st.booleans())
def test_domain_from_url_forms(host, scheme, www):
    text = f"{scheme}{'WWW.' if www else ''}{host}:8443/path?q=1#frag"
    domain = domain_from_url(text)
    assert domain == host.lower()
    assert domain_from_url(domain) == domain


def test_documented_domain_examples():
    assert domain_from_url("https://WWW.Example.com:8080/x?y") == "example.com"
    assert domain_from_url("example.com/about") == "example.com"
    assert domain_from_url("localhost") is None
    assert domain_from_url("") is None
    assert domain_from_email(" Ann@WWW.Example.COM ") == "example.com"
    assert company_domain_from_email("ann@gmail.com") is None
    assert company_domain_from_email("ann@acme.io") == "acme.io"
