"""Cross-source deduplication: website domain, phone, fuzzy name + address; ratings kept."""

from __future__ import annotations

from salesos.integrations.search.base import Place
from salesos.integrations.search.dedup import dedupe


def place(source: str, sid: str, name: str, **kw) -> Place:  # type: ignore[no-untyped-def]
    return Place.build(source, sid, name, country="US", **kw)


def test_same_domain_merges_and_keeps_the_best_sampled_rating():
    osm = place("osm", "node/1", "Bright Smiles", website="brightsmiles.example", street="1 Main St")
    google = place("google_places", "g1", "Bright Smiles Dental", website="https://www.brightsmiles.example/x",
                   rating=4.7, review_count=230)  # fmt: skip
    yelp = place("yelp", "y1", "Bright Smiles", phone="512-555-0100", rating=4.0, review_count=40)
    [group] = [g for g in dedupe([osm, google, yelp]) if len(g.members) > 1]
    assert sorted(group.sources) == [("google_places", "g1"), ("osm", "node/1")]
    assert (group.place.rating, group.place.review_count) == (4.7, 230)
    assert group.place.street == "1 Main St"


def test_same_phone_merges_across_sources():
    a = place("osm", "node/2", "Oak Family Dentistry", phone="(512) 555-0199")
    b = place("yelp", "y2", "Dr. Smith at Oak", phone="+1 512 555 0199", rating=4.9, review_count=12)
    [group] = dedupe([a, b])
    assert group.place.phone == "+15125550199" and group.place.rating == 4.9 and len(group.members) == 2


def test_similar_name_at_similar_address_merges():
    a = place("osm", "node/3", "Lakeside Plumbing LLC", street="120 North Lamar Boulevard", postcode="78703")
    b = place("yelp", "y3", "Lakeside Plumbing", street="120 N Lamar Blvd", postcode="78703")
    assert len(dedupe([a, b])) == 1


def test_neighbours_with_alike_names_stay_apart():
    # One character apart as strings, but two buildings: a chain's branches on one street.
    a = place("osm", "node/31", "Lakeside Dental 1", street="101 Congress Avenue", postcode="78701")
    b = place("osm", "node/32", "Lakeside Dental 2", street="102 Congress Avenue", postcode="78701")
    assert len(dedupe([a, b])) == 2


def test_similar_name_near_pin_merges():
    a = place("osm", "node/4", "Joe's Pizza", lat=30.2672, lon=-97.7431)
    b = place("google_places", "g4", "Joes Pizza", lat=30.2674, lon=-97.7432)
    assert len(dedupe([a, b])) == 1


def test_same_name_elsewhere_and_shared_hosts_stay_apart():
    a = place("osm", "node/5", "Subway", street="1 Congress Ave", lat=30.26, lon=-97.74)
    b = place("osm", "node/6", "Subway", street="900 Airport Blvd", lat=30.30, lon=-97.70)
    c = place("yelp", "y7", "Ann's Nails", website="https://facebook.com/annsnails")
    d = place("yelp", "y8", "Bob's Barbers", website="https://facebook.com/bobsbarbers")
    assert len(dedupe([a, b, c, d])) == 4


def test_a_source_record_seen_twice_is_one_place():
    a = place("osm", "node/9", "Twice")
    assert [g.sources for g in dedupe([a, a])] == [[("osm", "node/9"), ("osm", "node/9")]]
