"""The plain-address fast path of normalize_email answers exactly what email_validator answers."""

from __future__ import annotations

from email_validator import EmailNotValidError, validate_email
from hypothesis import given, settings
from hypothesis import strategies as st

from salesos.leads.normalize import normalize_email

atext = st.sampled_from(list("abcXYZ019.+-_!#$%&'*/=?^`{|}~\"@ ()[]é"))
local = st.text(atext, min_size=0, max_size=70)
label = st.text(st.sampled_from(list("abcXYZ019-_.é")), min_size=0, max_size=70)
tld = st.sampled_from(["com", "io", "CO", "test", "local", "example", "x", "1com", "xn--p1ai", "c0m"])
domain = st.builds(lambda labels, t: ".".join([*labels, t]), st.lists(label, max_size=4), tld)
addresses = st.builds(lambda lo, d: f"{lo}@{d}", local, domain)


def _slow(raw: str) -> str | None:
    try:
        return validate_email(raw.strip(), check_deliverability=False).normalized.lower()
    except EmailNotValidError:
        return None


@settings(max_examples=600)
@given(st.one_of(addresses, st.text(max_size=40)))
def test_fast_path_agrees_with_email_validator(raw: str) -> None:
    assert normalize_email(raw) == (_slow(raw) if raw.strip() else None)


def test_documented_edges() -> None:
    long_local = "a" * 65 + "@acme.com"  # over 64: left to email_validator, whatever it decides
    for raw in ("Jane+News@Acme.COM", "a..b@acme.com", "a@ab--cd.com", "a@x.test", long_local, "a@-x.com"):
        assert normalize_email(raw) == _slow(raw)
