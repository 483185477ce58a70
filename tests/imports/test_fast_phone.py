"""normalize_phone's shortcuts (digits-only cache key, main-region check) answer what phonenumbers does."""

from __future__ import annotations

import phonenumbers
from hypothesis import given, settings
from hypothesis import strategies as st

from salesos.leads.normalize import normalize_phone

REGIONS = ["US", "GB", "DE", "FR", "IN", "CA", "RU", "KZ", "IT", "JE", "AG"]
written = st.text(st.sampled_from(list("0123456789 ().-/+")), max_size=22)
numbers = st.builds(
    lambda cc, rest, sep: f"+{cc}{sep}{rest}",
    st.sampled_from(["1", "44", "49", "33", "91", "7", "39", "1 264", "1 416"]),
    st.from_regex(r"[0-9]{6,11}", fullmatch=True),
    st.sampled_from(["", " ", "-", " (0) "]),
)


def _direct(raw: str, region: str) -> str | None:
    try:
        number = phonenumbers.parse(raw, region)
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_valid_number(number):
        return None
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


@settings(max_examples=800)
@given(st.one_of(written, numbers, st.text(max_size=20)), st.sampled_from(REGIONS))
def test_shortcuts_agree_with_phonenumbers(raw: str, region: str) -> None:
    assert normalize_phone(raw, region) == (_direct(raw, region) if raw.strip() else None)


def test_every_regions_example_numbers_written_three_ways() -> None:
    formats = (
        phonenumbers.PhoneNumberFormat.E164,
        phonenumbers.PhoneNumberFormat.INTERNATIONAL,
        phonenumbers.PhoneNumberFormat.NATIONAL,
    )
    for region in sorted(phonenumbers.SUPPORTED_REGIONS):
        for kind in (phonenumbers.PhoneNumberType.FIXED_LINE, phonenumbers.PhoneNumberType.MOBILE):
            example = phonenumbers.example_number_for_type(region, kind)
            if example is None:
                continue
            for fmt in formats:
                raw = phonenumbers.format_number(example, fmt)
                for reader in (region, "US", "GB"):
                    assert normalize_phone(raw, reader) == _direct(raw, reader), (raw, reader)


def test_known_numbers() -> None:
    cases = [
        ("(212) 555-0143", "US"), ("1-212-555-0143", "US"), ("+1 416 555 0143", "US"),
        ("+44 (0) 20 7946 0958", "US"), ("020 7946 0958", "GB"), ("+7 701 123 4567", "RU"),
        ("011 44 20 7946 0958", "US"), ("1-800-FLOWERS", "US"), ("212 555 0143 x12", "US"),
        ("+0 1 212 555 0143", "US"), ("+01 212 555 0143", "US"), ("00 44 20 7946 0958", "DE"),
    ]  # fmt: skip
    for raw, region in cases:
        assert normalize_phone(raw, region) == _direct(raw, region), raw
