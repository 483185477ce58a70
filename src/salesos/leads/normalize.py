"""Canonical forms of phones, emails and domains, so equal values compare equal (dedup, search)."""

from __future__ import annotations

import functools
import re
from urllib.parse import urlsplit

import email_validator
import phonenumbers
from email_validator import EmailNotValidError, validate_email

# Mailbox providers: an address there says nothing about the person's company.
FREE_MAIL_DOMAINS = frozenset(
    {
        "gmail.com",
        "googlemail.com",
        "yahoo.com",
        "hotmail.com",
        "outlook.com",
        "live.com",
        "icloud.com",
        "aol.com",
        "proton.me",
        "protonmail.com",
        "gmx.com",
        "web.de",
    }
)


# Digits with the usual separators and at most a leading "+": phonenumbers reads these from their digits
# alone, so differently written copies of one number share a cache entry (tests/imports checks it).
_PLAIN_PHONE = re.compile(r"\+?[0-9 ().\-/]*")
_NOT_DIGIT = re.compile(r"[^0-9]")
_PLAIN_DIGITS = re.compile(r"\+?[0-9]+")


def normalize_phone(raw: str | None, region: str | None) -> str | None:
    """E.164 form of *raw* (read in *region* when it has no country code), or None if not a valid number."""
    if raw is None or not raw.strip():
        return None
    text = raw.strip()
    region = (region or "").upper() or None
    if _PLAIN_PHONE.fullmatch(text):
        plus = "+" if text.startswith("+") else ""
        return _e164(plus + _NOT_DIGIT.sub("", text), region)
    return _e164(raw, region)


_UNSURE = "?"


def _plain_e164(digits: str, region: str | None) -> str | None:
    """E.164 of "+<digits>" or national *digits*, or _UNSURE where phonenumbers' parse could differ.

    parse() spends most of its time on what plain digits never have (letters, extensions, IDD and
    national prefixes, leading zeros); when none can apply, the number is the country code plus the
    digits, and only its validity is left to ask.
    """
    if digits.startswith("+"):
        digits = digits[1:]
        # Country codes are prefix-free: at most one of the first 1-3 digits is one.
        code = next((int(digits[:n]) for n in (1, 2, 3) if int(digits[:n] or 0) in _CODES), 0)
        if code == 0 or digits.startswith("0"):
            return _UNSURE
        national = digits[len(str(code)) :]
        metadata = phonenumbers.PhoneMetadata.metadata_for_region(_CODES[code][0])
    else:
        metadata = phonenumbers.PhoneMetadata.metadata_for_region(region or "")
        if metadata is None or metadata.country_code is None:
            return _UNSURE
        code, national = metadata.country_code, digits
        idd = metadata.international_prefix
        if national.startswith(str(code)) or (idd is not None and re.match(idd, national)):
            return _UNSURE
    if metadata is None or not 4 <= len(national) <= 17 or national.startswith("0"):
        return _UNSURE
    prefix = metadata.national_prefix_for_parsing
    if prefix is not None and re.match(prefix, national):
        return _UNSURE
    number = phonenumbers.PhoneNumber(country_code=code, national_number=int(national))
    return f"+{code}{national}" if _is_valid(number) else None


_CODES = phonenumbers.COUNTRY_CODE_TO_REGION_CODE


@functools.lru_cache(maxsize=16384)
def _e164(raw: str, region: str | None) -> str | None:
    if raw[-1:].isdigit() and _PLAIN_DIGITS.fullmatch(raw):
        plain = _plain_e164(raw, region)
        if plain is not _UNSURE:
            return plain
    try:
        number = phonenumbers.parse(raw, region)
    except phonenumbers.NumberParseException:
        return None
    if not _is_valid(number):
        return None
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def _is_valid(number: phonenumbers.PhoneNumber) -> bool:
    # is_valid_number first finds the number's region by trying each region of its country code, then
    # validates it there: the type check runs twice. When the code's main region (listed first, no
    # leading-digit rule) accepts it, that search would stop at the main region, so the answer is yes.
    regions = phonenumbers.COUNTRY_CODE_TO_REGION_CODE.get(number.country_code or 0, ())
    if regions and regions[0] != phonenumbers.REGION_CODE_FOR_NON_GEO_ENTITY:
        national = phonenumbers.national_significant_number(number)
        pattern = _valid_in_region(regions[0], len(national))
        if pattern is not None and pattern.fullmatch(national):
            return True
    return bool(phonenumbers.is_valid_number(number))


# The kinds of number a region's metadata describes, in the order phonenumbers tries them.
_TYPE_DESCS = ("premium_rate", "toll_free", "shared_cost", "voip", "personal_number", "pager", "uan",
               "voicemail", "fixed_line")  # fmt: skip


def _desc_pattern(desc: phonenumbers.PhoneNumberDesc | None, length: int) -> str | None:
    if desc is None or (desc.possible_length and length not in desc.possible_length):
        return None
    return desc.national_number_pattern or None


@functools.lru_cache(maxsize=4096)
def _valid_in_region(region: str, length: int) -> re.Pattern[str] | None:
    """One pattern for the *length*-digit national numbers phonenumbers calls valid in *region* (the
    general pattern, and any type's), or None for none; a region with a leading-digits rule is skipped.
    """
    metadata = phonenumbers.PhoneMetadata.metadata_for_region(region)
    if metadata is None or metadata.leading_digits is not None:
        return None
    general = _desc_pattern(metadata.general_desc, length)
    descs = [getattr(metadata, name) for name in _TYPE_DESCS]
    if not metadata.same_mobile_and_fixed_line_pattern:
        descs.append(metadata.mobile)
    kinds = [p for p in (_desc_pattern(d, length) for d in descs) if p]
    if general is None or not kinds:
        return None
    return re.compile(f"(?=(?:{general})$)(?:{'|'.join(f'(?:{k})' for k in kinds)})")


# Plain ASCII dot-atom addresses under an ordinary hostname: email_validator accepts every one of these
# unchanged (tests/imports/test_fast_email.py checks it property-wise), and checking them here is ~30x
# cheaper, which is most of a CSV import's per-row cost. Anything else goes through email_validator.
_ATEXT = r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+"
_PLAIN_EMAIL = re.compile(
    rf"{_ATEXT}(?:\.{_ATEXT})*@(?:[A-Za-z0-9](?:[A-Za-z0-9-]{{0,61}}[A-Za-z0-9])?\.)+[A-Za-z]{{2,63}}"
)
_MAX_LOCAL, _MAX_DOMAIN, _MAX_EMAIL = 64, 253, 254


def _plain_email(text: str) -> bool:
    if len(text) > _MAX_EMAIL or not _PLAIN_EMAIL.fullmatch(text):
        return False
    local, _, domain = text.rpartition("@")
    if len(local) > _MAX_LOCAL or len(domain) > _MAX_DOMAIN or "--" in domain:
        return False  # "--" labels follow IDNA rules; let email_validator judge them
    domain = domain.lower()
    return not any(domain == d or domain.endswith("." + d) for d in email_validator.SPECIAL_USE_DOMAIN_NAMES)


def normalize_email(raw: str | None) -> str | None:
    """Trimmed, lowercased, syntactically valid address (no DNS lookup), or None."""
    if raw is None or not raw.strip():
        return None
    text = raw.strip()
    if _plain_email(text):
        return text.lower()
    try:
        checked = validate_email(text, check_deliverability=False)
    except EmailNotValidError:
        return None
    # Local parts are case-sensitive in theory; every provider a salesperson meets ignores case.
    return checked.normalized.lower()


def domain_from_url(raw: str | None) -> str | None:
    """The host of a website address, lowercased, without scheme, www., port or path; None if absent."""
    if raw is None or not raw.strip():
        return None
    text = raw.strip()
    if "://" not in text:
        text = "//" + text.lstrip("/")
    try:
        host = urlsplit(text).hostname
    except ValueError:
        return None
    return _clean_host(host)


def domain_from_email(raw: str | None) -> str | None:
    """The domain part of a valid email address, or None."""
    email = normalize_email(raw)
    return _clean_host(email.rpartition("@")[2]) if email else None


def company_domain_from_email(raw: str | None) -> str | None:
    """The email's domain when it can name a company (not a free mailbox provider)."""
    domain = domain_from_email(raw)
    return None if domain is None or domain in FREE_MAIL_DOMAINS else domain


def _clean_host(host: str | None) -> str | None:
    if not host:
        return None
    host = host.strip().strip(".").lower()
    host = host.removeprefix("www.")
    if "." not in host or any(c.isspace() for c in host):
        return None
    return host
