"""The CSV/JSON file source and the business-type data."""

from __future__ import annotations

import json

import pytest

from salesos.integrations.base import ProviderError
from salesos.integrations.search.base import SearchQuery
from salesos.integrations.search.business_types import business_types, resolve_business_type
from salesos.integrations.search.file_source import FileSearchProvider

CSV = """Name,Website,Phone,Address,City,State,Zip,Country,Rating,Reviews
Bright Smiles,brightsmiles.example,(512) 555-0100,1 Main St,Austin,TX,78701,US,4.8,120
,nameless.example,,,,,,,,
Oak Dental,https://www.oakdental.example/,512-555-0111,2 Oak Ave,Austin,TX,78702,,,
"""


def test_csv_rows_become_places_with_stable_ids(tmp_path):
    path = tmp_path / "places.csv"
    path.write_text(CSV)
    source = FileSearchProvider(path, default_country="US")
    page = source.search(SearchQuery("dentists", "Austin, TX", page_size=1))
    [first] = page.places
    assert (first.source, first.name, first.domain, first.phone) == (
        "file", "Bright Smiles", "brightsmiles.example", "+15125550100",
    )  # fmt: skip
    assert (first.street, first.postcode, first.rating, first.review_count) == (
        "1 Main St",
        "78701",
        4.8,
        120,
    )
    second = source.search(SearchQuery("dentists", "Austin, TX", page_size=1), page.next_page).places[0]
    assert second.domain == "oakdental.example" and second.phone == "+15125550111" and second.country == "US"
    again = FileSearchProvider(path, default_country="US").places()
    assert [p.source_id for p in again] == [first.source_id, second.source_id]
    assert len(list(source.iter_places(SearchQuery("x", "y")))) == 2


def test_json_file_with_ids(tmp_path):
    path = tmp_path / "places.json"
    rows = [{"id": "a1", "name": "Ace Plumbing", "phone": "+44 20 7946 0958", "lat": "51.5", "lon": -0.1}]
    path.write_text(json.dumps({"places": rows}))
    [place] = FileSearchProvider(path).places()
    assert (place.source_id, place.phone, place.lat, place.lon) == ("a1", "+442079460958", 51.5, -0.1)


def test_unreadable_file_is_permanent(tmp_path):
    path = tmp_path / "broken.json"
    path.write_text("{not json")
    with pytest.raises(ProviderError) as info:
        FileSearchProvider(path).places()
    assert info.value.permanent and "broken.json" in str(info.value)


def test_business_types_are_data_with_osm_tags():
    kinds = business_types()
    assert len(kinds) >= 25
    assert all(kind.osm and all(tags for tags in kind.osm) for kind in kinds.values())
    assert kinds["dentists"].osm[0] == (("amenity", "dentist"),)
    assert kinds["plumbers"].osm == ((("craft", "plumber"),),)


@pytest.mark.parametrize(
    ("text", "key"),
    [("Dentists", "dentists"), ("dental clinic", "dentists"), ("plumber", "plumbers"),
     ("Law firms", "lawyers"), ("GYM", "gyms"), ("restaurants", "restaurants"), ("coffee shops", "cafes"),
     ("Attorneys", "lawyers")],
)  # fmt: skip
def test_resolves_what_people_type(text, key):
    kind = resolve_business_type(text)
    assert kind is not None and kind.key == key


def test_unknown_type_resolves_to_none():
    assert resolve_business_type("unicorn groomers") is None


def test_get_search_provider_names_each_source(tmp_path):
    from salesos.integrations.search import get_search_provider
    from tests.support.servers import settings_with

    settings = settings_with(
        google_places_api_key="k", yelp_api_key="k", email_from="SalesOS <ops@x.example>"
    )
    names = [get_search_provider(n, settings).name for n in ("osm", "google_places", "yelp")]
    assert names == ["osm", "google_places", "yelp"]
    assert get_search_provider("file", settings, path=tmp_path / "p.csv").name == "file"
    osm = get_search_provider("osm", settings)
    assert "ops@x.example" in osm.nominatim.headers["User-Agent"]  # type: ignore[attr-defined]
    with pytest.raises(ValueError):
        get_search_provider("bing", settings)
