"""Prospect contacts: people on the business's own pages, Hunter's domain search, verified pattern guesses."""

from typing import Any

from salesos.integrations.contacts.base import (
    DECISION_MAKER_TITLES,
    ContactFinder,
    FoundContact,
    is_decision_maker,
)
from salesos.integrations.contacts.people import pattern_candidates
from salesos.integrations.contacts.site import contacts_from_site, merge_people, people_from_html
from salesos.integrations.search.http import UsageSink

__all__ = [
    "DECISION_MAKER_TITLES",
    "ContactFinder",
    "FoundContact",
    "contacts_from_site",
    "get_contact_finders",
    "is_decision_maker",
    "merge_people",
    "pattern_candidates",
    "people_from_html",
]


def get_contact_finders(settings: Any, on_usage: UsageSink | None = None) -> list[ContactFinder]:
    """The contact services configured in settings: Hunter when SALESOS_HUNTER_API_KEY is set."""
    finders: list[ContactFinder] = []
    if getattr(settings, "hunter_api_key", ""):
        from salesos.integrations.contacts.hunter import HunterContactFinder

        finders.append(HunterContactFinder.from_settings(settings, on_usage))
    return finders
