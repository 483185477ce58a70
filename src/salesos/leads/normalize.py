"""Canonical forms of phones, emails and domains, so equal values compare equal (dedup, search)."""

from __future__ import annotations

from urllib.parse import urlsplit

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


def normalize_phone(raw: str | None, region: str | None) -> str | None:
    """E.164 form of *raw* (read in *region* when it has no country code), or None if not a valid number."""
    if raw is None or not raw.strip():
        return None
    try:
        number = phonenumbers.parse(raw, (region or "").upper() or None)
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_valid_number(number):
        return None
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def normalize_email(raw: str | None) -> str | None:
    """Trimmed, lowercased, syntactically valid address (no DNS lookup), or None."""
    if raw is None or not raw.strip():
        return None
    try:
        checked = validate_email(raw.strip(), check_deliverability=False)
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
