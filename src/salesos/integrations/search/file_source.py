"""Places from a CSV or JSON file: the offline discovery source, and a way to bring a list from elsewhere."""

from __future__ import annotations

import csv
import hashlib
import json
from pathlib import Path
from typing import Any

from salesos.integrations.base import ProviderError
from salesos.integrations.search.base import Place, SearchPage, SearchProvider, SearchQuery

# Column names accepted for each field, first match wins (lowercased, spaces as underscores).
COLUMNS: dict[str, tuple[str, ...]] = {
    "source_id": ("source_id", "id"),
    "name": ("name", "business_name", "company"),
    "website": ("website", "url", "site"),
    "phone": ("phone", "phone_number", "telephone"),
    "street": ("street", "address", "address1"),
    "city": ("city", "town"),
    "region": ("region", "state", "province"),
    "postcode": ("postcode", "zip", "zip_code", "postal_code"),
    "country": ("country", "country_code"),
    "lat": ("lat", "latitude"),
    "lon": ("lon", "lng", "longitude"),
    "category": ("category", "type", "business_type"),
    "rating": ("rating",),
    "review_count": ("review_count", "reviews", "user_rating_count"),
}


def _number(value: Any, kind: type[float] | type[int]) -> Any:
    if value in (None, ""):
        return None
    try:
        return kind(float(value)) if kind is int else kind(value)
    except (TypeError, ValueError):
        return None


def _read_rows(path: Path) -> list[dict[str, Any]]:
    try:
        if path.suffix.lower() == ".json":
            data = json.loads(path.read_text(encoding="utf-8"))
            rows = data.get("places", []) if isinstance(data, dict) else data
            if not isinstance(rows, list):
                raise ValueError("expected a list of places")
            return [r for r in rows if isinstance(r, dict)]
        with path.open(newline="", encoding="utf-8-sig") as fh:
            return list(csv.DictReader(fh))
    except (OSError, ValueError, csv.Error) as exc:
        raise ProviderError(
            f"Cannot read places from {path.name}: {exc}", permanent=True, provider="file"
        ) from exc


def place_from_row(row: dict[str, Any], default_country: str | None = None) -> Place | None:
    """A Place from one file row (None when it has no name); without an id, one is derived from it."""
    clean = {str(k).strip().lower().replace(" ", "_"): v for k, v in row.items() if k is not None}
    values = {
        field: next((clean[c] for c in names if clean.get(c) not in (None, "")), None)
        for field, names in COLUMNS.items()
    }
    name = str(values["name"] or "").strip()
    if not name:
        return None
    text = {k: (str(v).strip() or None) if v is not None else None for k, v in values.items()}
    # Stable across re-imports of the same file, so (campaign, source, source_id) stays unique.
    source_id = (
        text["source_id"]
        or hashlib.sha1(
            "|".join(str(text[k] or "").lower() for k in ("name", "street", "city", "postcode")).encode()
        ).hexdigest()[:16]
    )
    return Place.build(
        "file",
        source_id,
        name,
        website=text["website"],
        phone=text["phone"],
        country=text["country"] or default_country,
        street=text["street"],
        city=text["city"],
        region=text["region"],
        postcode=text["postcode"],
        lat=_number(values["lat"], float),
        lon=_number(values["lon"], float),
        category=text["category"],
        rating=_number(values["rating"], float),
        review_count=_number(values["review_count"], int),
    )


class FileSearchProvider(SearchProvider):
    """Every named row of one file, whatever the query (the file is the list), paged by offset."""

    name = "file"

    def __init__(self, path: Path | str, *, default_country: str | None = None) -> None:
        self.path = Path(path)
        self.default_country = default_country
        self._places: list[Place] | None = None

    def places(self) -> list[Place]:
        """All places in the file, read once."""
        if self._places is None:
            rows = _read_rows(self.path)
            self._places = [p for r in rows if (p := place_from_row(r, self.default_country)) is not None]
        return self._places

    def search(self, query: SearchQuery, page: str | None = None) -> SearchPage:
        """One page of the file's places (page = offset)."""
        places = self.places()
        start = int(page or 0)
        end = start + query.page_size
        return SearchPage(places[start:end], str(end) if end < len(places) else None)
