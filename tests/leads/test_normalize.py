"""Normalisation properties: idempotent, format-insensitive, and exact on the documented examples."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from salesos.leads.normalize import (
    AMOUNT_EXAMPLE,
    CURRENCY_CODES,
    MAX_AMOUNT,
    AmountError,
    company_domain_from_email,
    currency_code,
    domain_from_email,
    domain_from_url,
    normalize_email,
    normalize_phone,
    parse_amount,
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


# Amounts. "1,200" and "1.200" (one separator, three digits after it) are thousands; other single
# separators are decimals; with two kinds of separator the last one is the decimal one.
@pytest.mark.parametrize(
    ("text", "amount", "currency"),
    [
        ("€2.000", "2000", "EUR"),  # the audit's case: two thousand euros, not 2 USD
        ("1,200", "1200", None),
        ("1.200", "1200", None),
        ("1,20", "1.20", None),
        ("12.5", "12.5", None),
        ("1.234,56", "1234.56", None),
        ("1,234.56", "1234.56", None),
        ("1'234.50", "1234.50", None),
        ("1\u2019234.50", "1234.50", None),
        ("1 234 567,89", "1234567.89", None),
        ("1\u202f234,50\u00a0€", "1234.50", "EUR"),
        ("1\u2009234", "1234", None),
        ("1.234.567", "1234567", None),
        ("1,234,567.5", "1234567.5", None),
        ("12,34,567.00", "1234567.00", None),  # Indian lakhs
        ("0.500", "0.50", None),  # "0" thousands makes no sense: a decimal with a trailing zero
        ("1234.500", "1234.50", None),  # a four-digit head is not thousands-grouped
        ("12.5000", "12.50", None),
        (",50", "0.50", None),
        ("1.200,-", "1200", None),
        ("0", "0", None),
        ("007", "7", None),
        ("\uff11\uff12\uff13", "123", None),  # full-width digits
        ("$1,200.50", "1200.50", "USD"),
        ("USD 1,200", "1200", "USD"),
        ("1.200 eur", "1200", "EUR"),
        ("1.200 Euro", "1200", "EUR"),
        ("£3", "3", "GBP"),
        ("¥1200", "1200", "JPY"),
        ("CN¥ 1200", "1200", "CNY"),
        ("R$ 1.200,00", "1200.00", "BRL"),
        ("CHF 1'234.50", "1234.50", "CHF"),
        ("12 500 SEK", "12500", "SEK"),
        ("1 200 zł", "1200", "PLN"),
        ("₹12,34,567", "1234567", "INR"),
        ("$1,200 CAD", "1200", "CAD"),  # "$" fits CAD
        ("€ 5 EUR", "5", "EUR"),
        ("999999999999.99", "999999999999.99", None),
    ],
)
def test_documented_amount_examples(text, amount, currency):
    assert parse_amount(text) == (Decimal(amount), currency)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", AMOUNT_EXAMPLE),
        ("lots", AMOUNT_EXAMPLE),
        ("1.5k", AMOUNT_EXAMPLE),
        ("1e6", AMOUNT_EXAMPLE),
        ("NaN", AMOUNT_EXAMPLE),
        ("1.200.50", AMOUNT_EXAMPLE),  # "." can't group and mark decimals
        ("1,234,56", AMOUNT_EXAMPLE),
        ("1,234 567", AMOUNT_EXAMPLE),  # two kinds of thousands separator
        ("1 2", AMOUNT_EXAMPLE),
        ("12..5", AMOUNT_EXAMPLE),
        ("1.200,50,-", AMOUNT_EXAMPLE),
        ("-5", "Enter an amount of zero or more."),
        ("\u22125", "Enter an amount of zero or more."),
        ("(1,200)", "Enter an amount of zero or more."),
        ("€-5", "Enter an amount of zero or more."),
        ("-€5", "Enter an amount of zero or more."),
        ("1234.567", "Use at most two decimals, such as 1200.50."),
        ("1.234,567", "Use at most two decimals, such as 1200.50."),
        ("0.125", "Use at most two decimals, such as 1200.50."),
        ("1000000000000", "Enter an amount below 1,000,000,000,000."),
        ("€100 USD", "The amount names two currencies (EUR and USD): keep one."),
        ("kr 100 $", "The amount names two currencies (kr and USD): keep one."),
        ("12 pcs", "“pcs” is not a currency: use a code such as USD or EUR."),
        ("12 500 kr", "“kr” could be DKK, ISK, NOK or SEK: write the code instead."),
    ],
)
def test_amounts_refused_with_a_plain_reason(text, message):
    with pytest.raises(AmountError) as refused:
        parse_amount(text)
    assert str(refused.value) == message


def test_an_amount_is_read_in_the_currency_its_context_gives():
    assert parse_amount("12 500 kr", "SEK") == (Decimal(12500), "SEK")
    assert parse_amount("$1,200", "CAD") == (Decimal(1200), "CAD")
    assert parse_amount("1,200", "EUR") == (Decimal(1200), None)  # names none: the context's stands
    assert parse_amount("EUR 1.200,50", "EUR") == (Decimal("1200.50"), "EUR")
    for text, expected, message in [
        ("€1.200,50", "USD", "The amount is in EUR, but the currency is USD."),
        ("12 500 kr", "USD", "The amount is in kr, but the currency is USD."),
        ("$5", "EUR", "The amount is in USD, but the currency is EUR."),
    ]:
        with pytest.raises(AmountError, match=re.escape(message)):
            parse_amount(text, expected)


def test_currency_fields_name_one_currency():
    assert [currency_code(t) for t in ("eur", " EUR ", "€", "$", "£", "chf")] == [
        "EUR", "EUR", "EUR", "USD", "GBP", "CHF",
    ]  # fmt: skip
    for text in ("kr", "Euro dollars", "XYZ", ""):
        with pytest.raises(AmountError):
            currency_code(text)


amounts = st.decimals(min_value=0, max_value=MAX_AMOUNT, places=2, allow_nan=False, allow_infinity=False)


def _grouped(whole: str, sep: str, indian: bool = False) -> str:
    head, last = whole[:-3], whole[-3:]
    size = 2 if indian else 3
    groups = []
    while head:
        groups.insert(0, head[-size:])
        head = head[:-size]
    return sep.join([*groups, last])


def _styles(amount: Decimal) -> list[str]:
    """*amount* written as people in various countries write it, with and without cents."""
    whole, cents = f"{amount:.2f}".split(".")
    styles = []
    for thousands, point in [(",", "."), (".", ","), ("\u202f", ","), ("\u00a0", ","), (" ", ","),
                             ("'", "."), ("\u2019", "."), ("", "."), ("", ",")]:  # fmt: skip
        styles.append(f"{_grouped(whole, thousands)}{point}{cents}")
        if cents == "00":
            styles.append(_grouped(whole, thousands))
    styles.append(f"{_grouped(whole, ',', indian=True)}.{cents}")
    return styles


# (prefix, suffix, the currency they name, the context that reads them)
DECORATIONS = [
    ("", "", None, None),
    ("€", "", "EUR", None),
    ("€ ", "", "EUR", None),
    ("", " €", "EUR", None),
    ("", "€", "EUR", None),
    ("EUR ", "", "EUR", None),
    ("", " eur", "EUR", None),
    ("$", "", "USD", None),
    ("US$", "", "USD", None),
    ("£", "", "GBP", None),
    ("", " CHF", "CHF", None),
    ("", " kr", "SEK", "SEK"),
    ("$", "", "AUD", "AUD"),
]


@given(amounts, st.sampled_from(DECORATIONS))
def test_amounts_written_in_any_common_style_read_back_the_same(amount, decoration):
    prefix, suffix, currency, context = decoration
    for text in _styles(amount):
        assert parse_amount(f"{prefix}{text}{suffix}", context) == (amount, currency), text


@given(amounts)
def test_an_amount_read_back_from_its_plain_form_is_itself(amount):
    once, _ = parse_amount(str(amount))
    assert once == amount
    assert parse_amount(str(once)) == (once, None)


@given(st.one_of(st.text(max_size=30), st.text(alphabet="0123456789.,' \u202f-()€$£krEURusd", max_size=20)))
def test_any_text_is_an_amount_or_a_plain_refusal(raw):
    try:
        amount, currency = parse_amount(raw)
    except AmountError as refused:
        assert str(refused).endswith(".") and "\n" not in str(refused)
        return
    assert 0 <= amount <= MAX_AMOUNT and -amount.as_tuple().exponent <= 2
    assert currency is None or currency in CURRENCY_CODES
