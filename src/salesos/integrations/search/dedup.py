"""Merge the same business found by several sources: same website domain, same phone, or a similar
name at a similar address (rapidfuzz)."""

from __future__ import annotations

import dataclasses
import math
import re
from dataclasses import dataclass

from rapidfuzz import fuzz, process

from salesos.integrations.search.base import Place

NAME_THRESHOLD = 88
ADDRESS_THRESHOLD = 85
# Two pins of one business rarely sit further apart than a large building.
NEAR_METRES = 80.0
# Sites many unrelated businesses share: an equal domain there says nothing.
SHARED_DOMAINS = frozenset(
    {
        "facebook.com", "instagram.com", "yelp.com", "google.com", "goo.gl", "business.site",
        "linktr.ee", "sites.google.com", "wixsite.com", "squarespace.com", "godaddysites.com",
        "linkedin.com", "twitter.com", "x.com", "tiktok.com", "youtube.com", "nextdoor.com",
        "yellowpages.com", "tripadvisor.com", "mapquest.com", "wordpress.com", "blogspot.com",
    }
)  # fmt: skip
_LEGAL = re.compile(r"\b(llc|l\.l\.c|inc|incorporated|ltd|limited|pllc|pc|p\.c|co|corp|company|gmbh|the)\b")
_HOUSE_NUMBER = re.compile(r"^\s*(\d+[a-z]?)\b", re.IGNORECASE)
_STREET_WORDS = {
    "street": "st", "avenue": "ave", "road": "rd", "drive": "dr", "boulevard": "blvd", "lane": "ln",
    "suite": "ste", "highway": "hwy", "parkway": "pkwy", "north": "n", "south": "s", "east": "e",
    "west": "w", "place": "pl", "court": "ct",
}  # fmt: skip


@dataclass(frozen=True)
class DedupedPlace:
    """One business: the merged record, and every source record it was built from."""

    place: Place
    members: tuple[Place, ...]

    @property
    def sources(self) -> list[tuple[str, str]]:
        """(source, source_id) of each member: the pipeline keeps these unique per campaign."""
        return [(m.source, m.source_id) for m in self.members]


def _name_key(name: str) -> str:
    text = _LEGAL.sub(" ", name.lower().replace("&", " and "))
    return " ".join(re.sub(r"[^a-z0-9]+", " ", text).split())


def _address_key(place: Place) -> str:
    words = re.sub(r"[^a-z0-9]+", " ", " ".join(p for p in (place.street, place.postcode) if p).lower())
    return " ".join(_STREET_WORDS.get(w, w) for w in words.split())


def _metres(a: Place, b: Place) -> float | None:
    if None in (a.lat, a.lon, b.lat, b.lon):
        return None
    lat1, lon1, lat2, lon2 = (math.radians(v) for v in (a.lat, a.lon, b.lat, b.lon))  # type: ignore[arg-type]
    x = (lon2 - lon1) * math.cos((lat1 + lat2) / 2)
    return 6_371_000 * math.hypot(x, lat2 - lat1)


def _house_number(place: Place) -> str | None:
    match = _HOUSE_NUMBER.match(place.street or "")
    return match.group(1).lower() if match else None


def _same_place(a: Place, b: Place) -> bool:
    """Similar names count only with evidence of one location: a near pin or a similar address."""
    distance = _metres(a, b)
    if distance is not None and distance <= NEAR_METRES:
        return True
    # "101 Congress Ave" and "102 Congress Ave" are neighbours, not one address: the strings differ by a
    # character, which a fuzzy ratio forgives, so differing house numbers rule the match out first.
    number_a, number_b = _house_number(a), _house_number(b)
    if number_a and number_b and number_a != number_b:
        return False
    address_a, address_b = _address_key(a), _address_key(b)
    return bool(address_a and address_b and fuzz.token_sort_ratio(address_a, address_b) >= ADDRESS_THRESHOLD)


def _merge(members: list[Place]) -> Place:
    # The most complete record leads; the others fill its gaps.
    ordered = sorted(members, key=lambda p: -sum(v is not None for v in dataclasses.astuple(p)))
    merged = ordered[0]
    for other in ordered[1:]:
        gaps = {
            f.name: getattr(other, f.name)
            for f in dataclasses.fields(Place)
            if getattr(merged, f.name) is None and getattr(other, f.name) is not None
        }
        merged = dataclasses.replace(merged, **gaps)
    # Ratings come from the source with the most reviews: the best-sampled opinion.
    rated = [p for p in members if p.rating is not None or p.review_count is not None]
    if rated:
        best = max(rated, key=lambda p: p.review_count or 0)
        merged = dataclasses.replace(merged, rating=best.rating, review_count=best.review_count)
    return merged


def dedupe(places: list[Place]) -> list[DedupedPlace]:
    """Group *places* that describe one business and merge each group, in first-seen order."""
    parent = list(range(len(places)))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    def union(i: int, j: int) -> None:
        parent[find(j)] = find(i)

    first_by_key: dict[tuple[str, str], int] = {}
    for i, place in enumerate(places):
        keys = [("source", f"{place.source}:{place.source_id}")]
        if place.domain and place.domain not in SHARED_DOMAINS:
            keys.append(("domain", place.domain))
        if place.phone:
            keys.append(("phone", place.phone))
        for key in keys:
            if key in first_by_key:
                union(first_by_key[key], i)
            else:
                first_by_key[key] = i

    names = [_name_key(p.name) for p in places]
    for i, name in enumerate(names):
        if not name:
            continue
        matches = process.extract(
            name, names, scorer=fuzz.token_set_ratio, score_cutoff=NAME_THRESHOLD, limit=None
        )
        for _match, _score, j in matches:
            if j > i and find(i) != find(j) and _same_place(places[i], places[j]):
                union(i, j)

    groups: dict[int, list[Place]] = {}
    for i, place in enumerate(places):
        groups.setdefault(find(i), []).append(place)
    return [DedupedPlace(_merge(members), tuple(members)) for members in groups.values()]
