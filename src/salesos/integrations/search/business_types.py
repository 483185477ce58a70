"""Business types campaigns can name, and the OpenStreetMap tags that find them (kept as data)."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path

DATA_FILE = Path(__file__).with_name("business_types.json")


@dataclass(frozen=True)
class BusinessType:
    """One kind of business: a key, a label, the words people use for it, and its OSM tag filters.

    ``osm`` is a list of alternatives; each is a set of tags an element must all carry.
    """

    key: str
    label: str
    aliases: tuple[str, ...]
    osm: tuple[tuple[tuple[str, str], ...], ...]


def _words(text: str) -> str:
    return " ".join(re.sub(r"[^a-z0-9]+", " ", text.lower()).split())


@cache
def business_types() -> dict[str, BusinessType]:
    """Every known business type by key, read once from business_types.json."""
    raw = json.loads(DATA_FILE.read_text())
    return {
        key: BusinessType(
            key=key,
            label=entry["label"],
            aliases=tuple(entry.get("aliases", ())),
            osm=tuple(tuple(sorted(tags.items())) for tags in entry["osm"]),
        )
        for key, entry in raw.items()
    }


@cache
def _index() -> dict[str, BusinessType]:
    index: dict[str, BusinessType] = {}
    for kind in business_types().values():
        for name in (kind.key, kind.label, *kind.aliases):
            index.setdefault(_words(name.replace("_", " ")), kind)
    return index


def resolve_business_type(text: str) -> BusinessType | None:
    """The business type *text* names ("Dentists", "dental clinic", "plumber"), or None."""
    words = _words(text)
    index = _index()
    if words in index:
        return index[words]
    # A trailing plural the data doesn't list ("roofing companies" is out of reach, "roofers" is not).
    for suffix in ("es", "s"):
        if words.endswith(suffix) and words[: -len(suffix)] in index:
            return index[words[: -len(suffix)]]
    return None
