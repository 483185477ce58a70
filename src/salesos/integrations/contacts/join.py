"""Joining what a site says: one entry per person across pages, and its emails attached to its people."""

from __future__ import annotations

import dataclasses

from salesos.integrations.contacts.base import FoundContact, is_decision_maker
from salesos.integrations.contacts.people import credentials_only, local_part_matches
from salesos.integrations.verify.checks import is_role_address
from salesos.leads.normalize import normalize_email


def _combine(old: FoundContact, new: FoundContact) -> FoundContact:
    merged = old
    if new.title and (not old.title or (credentials_only(old.title) and not credentials_only(new.title))):
        merged = dataclasses.replace(merged, title=new.title, decision_maker=is_decision_maker(new.title))
    if not old.email and new.email:
        merged = merged.with_email(new.email)
    return merged


def merge_people(people: list[FoundContact], more: list[FoundContact]) -> list[FoundContact]:
    """*people* plus *more*, one entry per name; later sightings fill in a missing title or email."""
    merged: dict[str, FoundContact] = {}
    for person in [*people, *more]:
        key = (person.name or person.email or "").lower()
        merged[key] = _combine(merged[key], person) if key in merged else person
    return list(merged.values())


def contacts_from_site(emails: list[str], people: list[FoundContact]) -> list[FoundContact]:
    """People (with an address attached when its local part spells their name) then the other emails."""
    addresses: list[str] = []
    for raw in emails:
        address = normalize_email(raw)
        if address and address not in addresses:
            addresses.append(address)
    taken = {p.email for p in people if p.email}
    free = [a for a in addresses if a not in taken and not is_role_address(a)]
    nameless = [p for p in people if not p.email and p.first_name]
    matches = {
        id(p): [
            a for a in free if local_part_matches(a.partition("@")[0], p.first_name or "", p.last_name or "")
        ]
        for p in nameless
    }
    claims: dict[str, int] = {}
    for found in matches.values():
        for address in found:
            claims[address] = claims.get(address, 0) + 1
    contacts: list[FoundContact] = []
    for person in people:
        # Two Johnsons and one johnson@: that address goes to neither rather than to a guess.
        own = [a for a in matches.get(id(person), []) if claims[a] == 1]
        if own:
            # mike.johnson@ says more than mike@ about who reads it.
            address = max(own, key=lambda a: len(a.partition("@")[0]))
            person = person.with_email(address)
            taken.add(address)
        contacts.append(person)
    contacts.extend(FoundContact.build(a) for a in addresses if a not in taken)
    return contacts
