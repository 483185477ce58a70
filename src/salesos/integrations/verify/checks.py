"""Checks that need no network: syntax, role addresses, disposable and free-mail domains."""

from __future__ import annotations

from functools import cache
from pathlib import Path

from salesos.leads.normalize import FREE_MAIL_DOMAINS, normalize_email

DISPOSABLE_FILE = Path(__file__).with_name("disposable_domains.txt")

# Mailboxes of a function rather than a person: fine to write to, but not a decision-maker.
ROLE_LOCAL_PARTS = frozenset(
    {
        "info", "sales", "support", "admin", "administrator", "contact", "contactus", "hello", "hi",
        "office", "help", "team", "enquiries", "enquiry", "inquiries", "inquiry", "billing", "accounts",
        "accounting", "marketing", "hr", "jobs", "careers", "recruiting", "press", "media", "noreply",
        "no-reply", "donotreply", "webmaster", "postmaster", "hostmaster", "abuse", "service",
        "customerservice", "customercare", "reception", "frontdesk", "booking", "bookings",
        "appointments", "orders", "feedback", "mail", "general", "privacy", "legal", "security", "it",
        "finance", "pr", "events", "newsletter", "partners", "welcome", "studio", "shop", "store",
    }
)  # fmt: skip


def check_syntax(address: str) -> str | None:
    """The normalised address if its syntax is valid (email-validator, no DNS), else None."""
    return normalize_email(address)


def is_role_address(email: str) -> bool:
    """True for function mailboxes (info@, sales@, support+x@, front.desk@ ...)."""
    local = email.rpartition("@")[0].lower().split("+", 1)[0]
    return local in ROLE_LOCAL_PARTS or local.replace(".", "").replace("_", "") in ROLE_LOCAL_PARTS


@cache
def disposable_domains() -> frozenset[str]:
    """The disposable-domain list, read once from disposable_domains.txt."""
    lines = DISPOSABLE_FILE.read_text().splitlines()
    return frozenset(line.strip().lower() for line in lines if line.strip() and not line.startswith("#"))


def _suffixes(domain: str) -> list[str]:
    labels = domain.lower().split(".")
    return [".".join(labels[i:]) for i in range(len(labels) - 1)]


def is_disposable(domain: str) -> bool:
    """True when *domain* or a parent of it is a throwaway mailbox service."""
    listed = disposable_domains()
    return any(suffix in listed for suffix in _suffixes(domain))


def is_free_mail(domain: str) -> bool:
    """True for consumer mailbox providers (gmail.com ...): the address says nothing about a company."""
    return domain.lower() in FREE_MAIL_DOMAINS
