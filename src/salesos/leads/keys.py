"""Match keys derived from stored values: the models store them, dedup looks leads up by them."""

from __future__ import annotations


def email_key(email: str | None) -> str | None:
    """The form a normalised email is matched on: ``jane+news@acme.com`` matches ``jane@acme.com``."""
    # "+tag" subaddressing (Gmail, Outlook, Fastmail, iCloud, Proton...) delivers to the same mailbox, and
    # lead lists are full of them (newsletter and CRM sign-ups), so they are the same person for dedup.
    # The address is still stored as given: on a provider without subaddressing the tag is part of the
    # mailbox, and a tag the person chose may be what routes our mail past their filters.
    if email is None:
        return None
    local, _, domain = email.rpartition("@")
    base = local.split("+", 1)[0]
    return f"{base}@{domain}" if base else email
