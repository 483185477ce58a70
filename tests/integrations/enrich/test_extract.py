"""Page extraction: head tags, social profiles, contacts, schema.org LocalBusiness, copyright year."""

from __future__ import annotations

import datetime as dt

from salesos.integrations.enrich.extract import extract_page, normalise_email, normalise_phone
from salesos.integrations.enrich.schema_org import find_local_business

HOME = """<!doctype html><html><head>
<title> Bright Smile Dental | Austin </title>
<meta name="Description" content="Family dentistry in Austin, TX.">
<meta name="viewport" content="width=device-width, initial-scale=1">
<script type="application/ld+json">
{"@context": "https://schema.org", "@graph": [
  {"@type": "WebSite", "name": "Bright Smile"},
  {"@type": ["Dentist", "MedicalBusiness"], "name": "Bright Smile Dental", "telephone": "+1 512-555-0199",
   "address": {"@type": "PostalAddress", "streetAddress": "100 Congress Ave", "addressLocality": "Austin",
               "addressRegion": "TX", "postalCode": "78701", "addressCountry": {"name": "US"}}}]}
</script>
<script>var support = "noreply@tracker.example"; // © 1999</script>
</head><body>
<nav><a href="/about-us/">About</a> <a href="/contact">Get in touch</a> <a href="#top">Top</a>
<a href="https://www.facebook.com/brightsmileatx">Facebook</a>
<a href="https://www.facebook.com/sharer/sharer.php?u=x">Share</a>
<a href="https://twitter.com/intent/tweet?text=hi">Tweet</a>
<a href="https://x.com/brightsmile">X</a> <a href="https://instagram.com/brightsmile/">IG</a>
<a href="https://www.linkedin.com/company/bright-smile/">in</a>
<a href="https://www.youtube.com/@brightsmile">YT</a> <a href="https://www.tiktok.com/@brightsmile">TT</a>
<a href="mailto:Hello@BrightSmile.example?subject=Hi">Email us</a>
<a href="tel:+15125550142">Call</a></nav>
<p>Write to info@brightsmile.example or call (512) 555-0142. <img src="logo@2x.png"></p>
<footer>© 2015 - 2019 Bright Smile Dental</footer>
</body></html>"""


def test_head_tags() -> None:
    facts = extract_page(HOME, "https://brightsmile.example/")
    assert facts.title == "Bright Smile Dental | Austin"
    assert facts.description == "Family dentistry in Austin, TX."
    assert facts.viewport


def test_related_pages_are_same_site_contact_and_about_links() -> None:
    facts = extract_page(HOME, "https://brightsmile.example/")
    assert facts.related == {
        "about": "https://brightsmile.example/about-us/",
        "contact": "https://brightsmile.example/contact",
    }


def test_a_team_page_is_its_own_kind_and_one_link_can_be_two() -> None:
    page = (
        '<a href="/about">About</a> <a href="/meet-the-doctors">Our dentists</a> '
        '<a href="/contact">Contact</a>'
    )
    facts = extract_page(page, "https://smiles.example/")
    assert facts.related == {
        "about": "https://smiles.example/about",
        "team": "https://smiles.example/meet-the-doctors",
        "contact": "https://smiles.example/contact",
    }
    both = extract_page('<a href="/about-our-team">Us</a>', "https://smiles.example/")
    assert both.related == {"about": "https://smiles.example/about-our-team",
                            "team": "https://smiles.example/about-our-team"}  # fmt: skip


def test_social_profiles_skip_share_links() -> None:
    facts = extract_page(HOME, "https://brightsmile.example/")
    assert facts.socials == {
        "facebook": "https://www.facebook.com/brightsmileatx",
        "x": "https://x.com/brightsmile",
        "instagram": "https://instagram.com/brightsmile/",
        "linkedin": "https://www.linkedin.com/company/bright-smile/",
        "youtube": "https://www.youtube.com/@brightsmile",
        "tiktok": "https://www.tiktok.com/@brightsmile",
    }


def test_emails_and_phones_are_normalised_and_deduplicated() -> None:
    facts = extract_page(HOME, "https://brightsmile.example/")
    assert facts.emails == ["hello@brightsmile.example", "info@brightsmile.example"]
    assert facts.phones == ["+15125550142", "+15125550199"]


def test_local_business_from_json_ld_graph() -> None:
    facts = extract_page(HOME, "https://brightsmile.example/")
    assert facts.business is not None
    assert facts.business.type == "Dentist"
    assert facts.business.name == "Bright Smile Dental"
    assert facts.business.telephone == "+1 512-555-0199"
    assert facts.business.address == "100 Congress Ave, Austin, TX, 78701, US"


def test_copyright_year_is_the_latest_in_visible_text() -> None:
    assert extract_page(HOME, "https://brightsmile.example/").copyright_year == 2019
    future = dt.date.today().year + 5
    assert extract_page(f"<p>© {future}</p><p>Copyright 2001</p>", "http://a.example/").copyright_year == 2001
    assert extract_page("<p>no notice</p>", "http://a.example/").copyright_year is None


def test_missing_head_tags() -> None:
    facts = extract_page("<html><body><p>hi</p></body></html>", "http://a.example/")
    assert (facts.title, facts.description, facts.viewport) == ("", "", False)
    assert facts.business is None


def test_malformed_json_ld_is_ignored() -> None:
    assert find_local_business(["{not json", '{"@type": "Organization", "name": "X"}']) is None
    business = find_local_business(['[{"@type": "Plumber", "name": "Pipes", "address": "1 Main St"}]'])
    assert business is not None and business.address == "1 Main St"


def test_normalisers() -> None:
    assert normalise_email("mailto:Sales%40Example.com") == "sales@example.com"
    assert normalise_email("icon@2x.png") is None
    assert normalise_phone("tel:512.555.0142", "US") == "+15125550142"
    assert normalise_phone("tel:123", "US") is None
    assert normalise_phone("+44 20 7946 0958", "US") == "+442079460958"
