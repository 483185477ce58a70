"""Discovery providers: OpenStreetMap (keyless), Google Places, Yelp Fusion and CSV/JSON files."""

from pathlib import Path
from typing import Any

from salesos.integrations.search.base import Place, SearchPage, SearchProvider, SearchQuery
from salesos.integrations.search.dedup import DedupedPlace, dedupe
from salesos.integrations.search.http import ProviderHTTP, RateLimiter, RetryPolicy, Usage, UsageSink

__all__ = [
    "DedupedPlace",
    "Place",
    "ProviderHTTP",
    "RateLimiter",
    "RetryPolicy",
    "SearchPage",
    "SearchProvider",
    "SearchQuery",
    "Usage",
    "UsageSink",
    "dedupe",
    "get_search_provider",
]


def get_search_provider(
    name: str, settings: Any, *, on_usage: UsageSink | None = None, path: Path | str | None = None
) -> SearchProvider:
    """The discovery provider called *name* (osm | google_places | yelp | file), configured from settings."""
    if name == "osm":
        from salesos.integrations.search.osm import OsmSearchProvider

        return OsmSearchProvider.from_settings(settings, on_usage)
    if name == "google_places":
        from salesos.integrations.search.google_places import GooglePlacesProvider

        return GooglePlacesProvider.from_settings(settings, on_usage)
    if name == "yelp":
        from salesos.integrations.search.yelp import YelpSearchProvider

        return YelpSearchProvider.from_settings(settings, on_usage)
    if name == "file" and path is not None:
        from salesos.integrations.search.file_source import FileSearchProvider

        return FileSearchProvider(path)
    raise ValueError(f"Unknown search provider {name!r} (a file source needs a path)")
