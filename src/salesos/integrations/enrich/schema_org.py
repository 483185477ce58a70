"""schema.org LocalBusiness from JSON-LD blocks: name, telephone and a one-line address."""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

# LocalBusiness and the subtypes small businesses actually publish (schema.org has ~150; these cover
# the prospect types SalesOS targets, and anything with "Business" or "Service" in its name is also taken).
LOCAL_BUSINESS_TYPES = frozenset(
    {
        "localbusiness", "dentist", "medicalclinic", "physician", "optician", "veterinarycare",
        "restaurant", "cafeorcoffeeshop", "bakery", "barorpub", "foodestablishment", "store",
        "plumber", "electrician", "locksmith", "roofingcontractor", "hvacbusiness", "generalcontractor",
        "housepainter", "movingcompany", "autorepair", "autodealer", "attorney", "legalservice",
        "accountingservice", "realestateagent", "insuranceagency", "beautysalon", "hairsalon", "dayspa",
        "nailsalon", "exercisegym", "childcare", "hotel", "lodgingbusiness", "travelagency",
    }
)  # fmt: skip


@dataclass(frozen=True)
class LocalBusiness:
    """The business as it describes itself in structured data."""

    type: str
    name: str = ""
    telephone: str = ""
    address: str = ""


def _nodes(value: Any) -> Iterator[dict[str, Any]]:
    if isinstance(value, list):
        for item in value:
            yield from _nodes(item)
    elif isinstance(value, dict):
        yield value
        yield from _nodes(value.get("@graph", []))


def _types(node: dict[str, Any]) -> list[str]:
    raw = node.get("@type", [])
    return [str(t) for t in (raw if isinstance(raw, list) else [raw])]


def _is_local_business(type_name: str) -> bool:
    lowered = type_name.rsplit("/", 1)[-1].lower()
    return lowered in LOCAL_BUSINESS_TYPES or lowered.endswith(("business", "service"))


def _text(value: Any) -> str:
    if isinstance(value, dict):
        return str(value.get("name", "")).strip()
    if isinstance(value, list):
        return _text(value[0]) if value else ""
    return str(value or "").strip()


def _address(value: Any) -> str:
    if isinstance(value, list):
        value = value[0] if value else ""
    if not isinstance(value, dict):
        return _text(value)
    keys = ("streetAddress", "addressLocality", "addressRegion", "postalCode", "addressCountry")
    return ", ".join(part for part in (_text(value.get(k)) for k in keys) if part)


def find_local_business(blocks: Iterable[str]) -> LocalBusiness | None:
    """The first LocalBusiness (or subtype) in the given JSON-LD texts; malformed blocks are skipped."""
    for block in blocks:
        try:
            data = json.loads(block)
        except ValueError:
            continue
        for node in _nodes(data):
            business_type = next((t for t in _types(node) if _is_local_business(t)), None)
            if business_type is not None:
                return LocalBusiness(
                    type=business_type,
                    name=_text(node.get("name")),
                    telephone=_text(node.get("telephone")),
                    address=_address(node.get("address")),
                )
    return None
