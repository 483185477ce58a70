"""Canonical forms of phones, emails, domains and money amounts, so equal values compare equal."""

from __future__ import annotations

import functools
import re
import unicodedata
from collections.abc import Iterable
from decimal import Decimal
from urllib.parse import urlsplit

import email_validator
import phonenumbers
import pycountry
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

# Country names people write that ISO 3166 spells otherwise (pycountry knows the official names and codes).
_COUNTRY_ALIASES = {
    "uk": "GB", "england": "GB", "scotland": "GB", "wales": "GB", "northern ireland": "GB",
    "great britain": "GB", "britain": "GB", "russia": "RU", "deutschland": "DE", "españa": "ES",
    "österreich": "AT", "schweiz": "CH", "suisse": "CH", "svizzera": "CH", "italia": "IT",
    "nederland": "NL", "holland": "NL", "méxico": "MX", "brasil": "BR", "polska": "PL", "sverige": "SE",
    "norge": "NO", "danmark": "DK", "suomi": "FI", "éire": "IE", "belgië": "BE", "belgique": "BE",
    "vietnam": "VN", "turkey": "TR", "czechia": "CZ", "uae": "AE", "usa": "US", "u.s.": "US",
    "u.s.a.": "US", "america": "US",
}  # fmt: skip


@functools.lru_cache(maxsize=1024)
def region_of_country(country: str | None) -> str | None:
    """The phone region (ISO 3166 alpha-2) a country names: "Germany", "DE", "deu", "UK"; None if unknown."""
    text = " ".join((country or "").split())
    if not text:
        return None
    code = _COUNTRY_ALIASES.get(text.casefold())
    if code is None:
        try:
            code = pycountry.countries.lookup(text).alpha_2
        except LookupError:
            return None
    return code if code in phonenumbers.SUPPORTED_REGIONS else None


def phone_region(country: str | None, default: str) -> str:
    """Where a number written without its country code is read: the company's country, else *default*.

    A German company's "030 1234567" is a Berlin number whatever the organisation's own region.
    """
    return region_of_country(country) or default


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


# "javascript:", "mailto:", "data:"…, but not "example.com:8080" (a host and a port).
_OTHER_SCHEME = re.compile(r"^[a-z][a-z0-9+.-]*:(?!\d)", re.IGNORECASE)


def web_address(raw: str | None) -> str | None:
    """An http(s) address from what was typed or scraped: a bare host gets ``https://``; empty is None.

    Any other scheme is refused (ValueError with a sentence for the field): the address becomes a link
    on the lead page, and ``javascript:`` or ``data:`` there would run in the app's origin.
    """
    if raw is None or not raw.strip():
        return None
    text = raw.strip()
    if not text.lower().startswith(("http://", "https://")):
        if "://" in text or _OTHER_SCHEME.match(text):
            raise ValueError("Enter a web address starting with http:// or https://.")
        text = "https://" + text.lstrip("/")
    try:
        host = urlsplit(text).hostname
    except ValueError:
        host = None
    if not host or ("." not in host and host != "localhost") or any(c.isspace() for c in text):
        raise ValueError("Enter a web address such as https://example.com.")
    return text


def web_address_or_none(raw: str | None) -> str | None:
    """``web_address``, or None for text that is no web address: for data from elsewhere (an export's "n/a",
    a listing's odd link), where the record is worth more than a link nobody could open."""
    try:
        return web_address(raw)
    except ValueError:
        return None


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


def normalize_tags(tags: Iterable[str]) -> list[str]:
    """Tags as stored: trimmed, inner whitespace collapsed, blanks dropped, one per spelling ignoring case.

    The first spelling wins: "Hot", "hot" and " HOT " are one tag, and the lead list's tag filter, which
    matches a tag exactly, finds every lead that has it.
    """
    kept: dict[str, str] = {}
    for raw in tags:
        tag = " ".join(raw.split())
        if tag:
            kept.setdefault(tag.casefold(), tag)
    return list(kept.values())


class AmountError(ValueError):
    """An amount that can't be read; the message is a sentence to show next to the field."""


AMOUNT_EXAMPLE = "Enter an amount such as 1200 or 1,200.50."
# What Lead.value holds: 14 digits, 2 of them decimals.
MAX_AMOUNT = Decimal("999999999999.99")

CENT = Decimal("0.01")


def stored_amount(amount: Decimal | None) -> Decimal | None:
    """*amount* with Lead.value's two decimals: an answer shows the value as every later read will."""
    return None if amount is None else amount.quantize(CENT)


# ISO 4217 codes in use (2025).
_ISO_4217 = """
    AED AFN ALL AMD ANG AOA ARS AUD AWG AZN BAM BBD BDT BGN BHD BIF BMD BND BOB BRL BSD BTN BWP BYN BZD
    CAD CDF CHF CLP CNY COP CRC CUP CVE CZK DJF DKK DOP DZD EGP ERN ETB EUR FJD FKP GBP GEL GHS GIP GMD GNF
    GTQ GYD HKD HNL HTG HUF IDR ILS INR IQD IRR ISK JMD JOD JPY KES KGS KHR KMF KPW KRW KWD KYD KZT LAK LBP
    LKR LRD LSL LYD MAD MDL MGA MKD MMK MNT MOP MRU MUR MVR MWK MXN MYR MZN NAD NGN NIO NOK NPR NZD OMR PAB
    PEN PGK PHP PKR PLN PYG QAR RON RSD RUB RWF SAR SBD SCR SDG SEK SGD SHP SLE SLL SOS SRD SSP STN SVC SYP
    SZL THB TJS TMT TND TOP TRY TTD TWD TZS UAH UGX USD UYU UZS VED VES VND VUV WST XAF XCD XCG XOF XPF YER
    ZAR ZMW ZWG ZWL"""
CURRENCY_CODES = frozenset(_ISO_4217.split())
# A sign names a currency, or several: then it reads as its usual one ("$" as USD, "¥" as JPY), or as
# the one the context gives (a "$" amount in a CAD column is CAD); "kr" has no usual one.
_DOLLAR_CODES = (
    "USD CAD AUD NZD HKD SGD TWD MXN ARS CLP COP CUP DOP UYU BSD BBD BZD BMD BND FJD GYD JMD KYD LRD NAD "
    "SBD SRD TTD XCD"
)
_DOLLARS = frozenset(_DOLLAR_CODES.split())
_SIGNS: dict[str, tuple[str | None, frozenset[str]]] = {
    "$": ("USD", _DOLLARS),
    "¥": ("JPY", frozenset({"JPY", "CNY"})),
    "£": ("GBP", frozenset({"GBP", "GIP", "FKP", "SHP"})),
    "kr": (None, frozenset({"SEK", "NOK", "DKK", "ISK"})),
} | {
    sign: (code, frozenset({code}))
    for sign, code in {
        "€": "EUR", "euro": "EUR", "euros": "EUR", "us$": "USD", "ca$": "CAD", "c$": "CAD", "a$": "AUD",
        "au$": "AUD", "nz$": "NZD", "hk$": "HKD", "s$": "SGD", "mx$": "MXN", "r$": "BRL", "jp¥": "JPY",
        "cn¥": "CNY", "rmb": "CNY", "₹": "INR", "₩": "KRW", "₽": "RUB", "₺": "TRY", "₪": "ILS", "₫": "VND",
        "₴": "UAH", "₦": "NGN", "₱": "PHP", "฿": "THB", "zł": "PLN", "kč": "CZK", "ft": "HUF", "lei": "RON",
    }.items()
}  # fmt: skip
_MARKER = "|".join(re.escape(s) for s in sorted(_SIGNS, key=len, reverse=True)) + "|[a-z]{3}"
_PREFIX = re.compile(rf"(?P<m>{_MARKER})\s*", re.IGNORECASE)
_SUFFIX = re.compile(rf"\s*(?P<m>{_MARKER})$", re.IGNORECASE)
# Digits in groups joined by one separator each: "." and "," group or mark decimals, space and
# apostrophe ("1'234.50") only group.
_NUMBER = re.compile(r"[0-9]+(?:[., '\u2019][0-9]+)*")
_SEPARATOR = re.compile(r"([., '\u2019])")
_PLAIN_AMOUNT = re.compile(r"[0-9]{1,12}(?:\.[0-9]{1,2})?")
# German "1.200,-": whole units, no cents.
_NO_CENTS = re.compile(r"[.,][-\u2013\u2014]{1,2}$")


def parse_amount(raw: str, currency: str | None = None) -> tuple[Decimal, str | None]:
    """The amount in *raw* and the currency it names (None if it names none); AmountError otherwise.

    *currency* is the one the context already gives (a form's or a file's currency field): an amount
    naming another is refused, and a sign several currencies share ("$", "kr") is read as it.
    """
    text = unicodedata.normalize("NFKC", raw).strip()
    if _PLAIN_AMOUNT.fullmatch(text):
        return Decimal(text), None
    if len(text) > 60:
        raise AmountError(AMOUNT_EXAMPLE)
    negative = text[:1] == "(" and text[-1:] == ")"
    text = text[1:-1].strip() if negative else text
    negative, text = _minus(text, negative)
    markers = []
    if prefix := _PREFIX.match(text):
        markers.append(prefix["m"])
        text = text[prefix.end() :]
    negative, text = _minus(text, negative)
    if suffix := _SUFFIX.search(text):
        markers.append(suffix["m"])
        text = text[: suffix.start()]
    amount = _number(text)  # first: "lots" is no amount, rather than "lot" no currency
    found = _currency_of(markers, currency)
    if negative:
        raise AmountError("Enter an amount of zero or more.")
    if amount > MAX_AMOUNT:
        raise AmountError("Enter an amount below 1,000,000,000,000.")
    return amount, found


def _minus(text: str, negative: bool) -> tuple[bool, str]:
    if text[:1] in ("-", "\u2212"):
        return True, text[1:].lstrip()
    return negative, text


def currency_code(raw: str) -> str:
    """The ISO code a currency field names ("eur", "€", "$" as USD); AmountError if it names none."""
    text = unicodedata.normalize("NFKC", raw).strip()
    code, _ = _sign(text)
    if code is None:
        raise AmountError(f"“{text}” is used by several currencies: enter a code such as SEK or NOK.")
    return code


def _sign(marker: str) -> tuple[str | None, frozenset[str]]:
    sign = _SIGNS.get(marker.lower())
    if sign is not None:
        return sign
    if marker.upper() in CURRENCY_CODES:
        return marker.upper(), frozenset({marker.upper()})
    raise AmountError(f"“{marker}” is not a currency: use a code such as USD or EUR.")


def _currency_of(markers: list[str], expected: str | None) -> str | None:
    """The one currency the amount's signs and codes agree on (with *expected*, when given)."""
    if not markers:
        return None
    signs = [_sign(m) for m in markers]
    fits = frozenset.intersection(*(members for _, members in signs))
    if not fits:
        names = " and ".join(dict.fromkeys(code or m for (code, _), m in zip(signs, markers, strict=True)))
        raise AmountError(f"The amount names two currencies ({names}): keep one.")
    if expected is not None:
        if expected not in fits:
            named = next((code for code, _ in signs if code in fits), None) or markers[0]
            raise AmountError(f"The amount is in {named}, but the currency is {expected}.")
        return expected
    usual = [code for code, _ in signs if code in fits]
    if not usual:
        *others, last = sorted(fits)
        raise AmountError(f"“{markers[0]}” could be {', '.join(others)} or {last}: write the code instead.")
    return usual[0]


def _number(text: str) -> Decimal:
    """*text* as an amount: thousands separators dropped, the decimal separator found as a person would."""
    text = text.strip()
    whole = _NO_CENTS.search(text)
    if whole:
        text = text[: whole.start()]
    if text[:1] in (".", ","):
        text = "0" + text  # ",50" is fifty cents
    if not _NUMBER.fullmatch(text):
        raise AmountError(AMOUNT_EXAMPLE)
    parts = _SEPARATOR.split(text.replace("\u2019", "'"))
    groups, seps = parts[0::2], parts[1::2]
    fraction = ""
    if seps and seps[-1] in ".," and seps.count(seps[-1]) == 1 and _is_decimal(groups, seps):
        groups, fraction = groups[:-1], groups[-1]
        seps = seps[:-1]
    if len(set(seps)) > 1 or not _grouped(groups, seps[:1]):
        raise AmountError(AMOUNT_EXAMPLE)
    if whole and fraction:
        raise AmountError(AMOUNT_EXAMPLE)
    fraction = fraction[:2] + fraction[2:].rstrip("0")
    if len(fraction) > 2:
        raise AmountError("Use at most two decimals, such as 1200.50.")
    return Decimal("".join(groups) + ("." + fraction if fraction else ""))


def _is_decimal(groups: list[str], seps: list[str]) -> bool:
    """Whether the last separator (a "." or "," used once) is the decimal one."""
    if len(seps) > 1:
        return True  # "1.234,56", "1 234.56": thousands are grouped by another separator
    # "1,200" and "1.200" are thousands; "1,20", "12.5", "0.500" and "1234.500" are not.
    before, after = groups
    return not (len(after) == 3 and len(before) <= 3 and not before.startswith("0"))


def _grouped(groups: list[str], sep: list[str]) -> bool:
    """Whether integer *groups* are thousands ("1,234,567") or Indian lakhs and crores ("12,34,567")."""
    if len(groups) == 1:
        return True
    head, *middle, last = groups
    if 1 <= len(head) <= 3 and all(len(g) == 3 for g in (*middle, last)):
        return True
    return (
        sep == [","]
        and len(head) <= 2
        and bool(middle)
        and all(len(g) == 2 for g in middle)
        and len(last) == 3
    )
