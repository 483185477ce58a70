"""Signature checks: format, tolerance in both directions, constant-time match against any valid secret."""

from __future__ import annotations

from salesos.intake.signing import sign, verify

BODY = b'{"external_id": "1"}'


def test_a_fresh_signature_verifies_with_any_valid_secret():
    header = sign("s1", BODY, 1_000_000)
    assert verify(header, BODY, ["s1"], now=1_000_000)
    assert verify(header, BODY, ["s0", "s1"], now=1_000_000)
    assert not verify(header, BODY, ["s0"], now=1_000_000)
    assert not verify(header, BODY + b" ", ["s1"], now=1_000_000)


def test_tolerance_is_300_seconds_both_ways():
    header = sign("s", BODY, 1_000_000)
    assert verify(header, BODY, ["s"], now=1_000_300)
    assert verify(header, BODY, ["s"], now=999_700)
    assert not verify(header, BODY, ["s"], now=1_000_301)
    assert not verify(header, BODY, ["s"], now=999_699)


def test_malformed_headers_are_refused():
    good = sign("s", BODY, 1_000_000)
    digest = good.split("v1=")[1]
    for header in (
        None,
        "",
        "t=1000000",
        f"v1={digest}",
        f"t=abc,v1={digest}",
        f"t=-5,v1={digest}",
        "garbage",
    ):
        assert not verify(header, BODY, ["s"], now=1_000_000), header
    # Several v1 values (a sender mid-rotation) are fine as long as one matches.
    assert verify(f"t=1000000,v1=00,v1={digest}", BODY, ["s"], now=1_000_000)


def test_hex_is_read_in_either_case():
    header = sign("s", BODY, 1_000_000)
    timestamp, digest = header.split(",v1=")
    assert verify(f"{timestamp},v1={digest.upper()}", BODY, ["s"], now=1_000_000)
    mixed = "".join(c.upper() if i % 2 else c for i, c in enumerate(digest))
    assert verify(f"{timestamp},v1={mixed}", BODY, ["s"], now=1_000_000)
