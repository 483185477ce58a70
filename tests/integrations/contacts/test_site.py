"""People on a business's own pages, the join with its emails, decision-makers and guessed addresses."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from salesos.integrations.contacts import (
    FoundContact,
    contacts_from_site,
    is_decision_maker,
    merge_people,
    pattern_candidates,
    people_from_html,
)
from salesos.integrations.contacts.people import is_title, local_part_matches, parse_name, split_name_title
from salesos.integrations.enrich.extract import extract_page

PAGES = Path(__file__).with_name("pages")

# page -> [(name, title, email, decision_maker)], in the order found.
EXPECTED: dict[str, list[tuple[str, str | None, str | None, bool]]] = {
    "jsonld_dental_about.html": [
        ("Jane Smith", "Owner & Lead Dentist", "jane@smithfamilydental.com", True),
        ("Tom Baker", "Office Manager", None, True),
    ],
    "microdata_law_team.html": [
        ("Robert Chen", "Managing Partner", "rchen@chengarcialaw.com", True),
        ("Maria Garcia", "Partner", "mgarcia@chengarcialaw.com", True),
        ("Linda Park", "Paralegal", None, False),
    ],
    "cards_dental_team.html": [
        ("Jane Smith", "Owner", None, True),
        ("Alan Wu", "Associate Dentist", None, False),
        ("Karen O'Neil", "Practice Manager", None, True),
        ("Sam Lee", "RDH", None, False),
    ],
    "h3_p_plumbing_about.html": [
        ("Mike Johnson", "Founder & Master Plumber", None, True),
        ("Sarah Johnson", "Co-Owner, Operations", "sarah@johnsonplumbingoh.com", True),
        ("Dave Ortiz", "Lead Service Technician", None, False),
    ],
    "contact_mailto_salon.html": [
        ("Jake Turner", "General Manager", "jake.t@bloomhairstudio.com", True),
        ("Emma Rossi", "Salon Owner", "emma@bloomhairstudio.com", True),
        ("Liam Brooks", None, "liam.b@bloomhairstudio.com", False),
    ],
    "elementor_vet_team.html": [
        ("Priya Patel", "Veterinarian & Owner", "dr.patel@riversidevet.com", True),
        ("Marcus Lee", "Veterinary Technician", None, False),
        ("Olivia Grant", "Client Care Coordinator", None, False),
    ],
    "no_people_cafe.html": [],
}


def test_every_fixture_page_has_an_expectation():
    assert sorted(p.name for p in PAGES.glob("*.html")) == sorted(EXPECTED)


@pytest.mark.parametrize("page", sorted(EXPECTED))
def test_people_from_fixture_pages(page):
    url = f"https://example.com/{page}"
    people = people_from_html((PAGES / page).read_text(), url)
    assert [(p.name, p.title, p.email, p.decision_maker) for p in people] == EXPECTED[page]
    assert all(p.source == "site" and p.source_url == url and not p.role_address for p in people)
    assert all(p.first_name and p.last_name and p.name == f"{p.first_name} {p.last_name}" for p in people)


def test_page_facts_carry_the_people_and_every_email():
    facts = extract_page(
        (PAGES / "jsonld_dental_about.html").read_text(), "https://smithfamilydental.com/about"
    )
    assert [p.name for p in facts.people] == ["Jane Smith", "Tom Baker"]
    assert facts.emails == ["info@smithfamilydental.com"]


def test_contacts_from_site_joins_emails_to_people_and_flags_role_addresses():
    html = (PAGES / "h3_p_plumbing_about.html").read_text()
    people = people_from_html(html, "https://johnsonplumbingoh.com/about")
    emails = [
        "office@johnsonplumbingoh.com",
        "SARAH@johnsonplumbingoh.com",
        "mjohnson@johnsonplumbingoh.com",
        "dave.ortiz@gmail.com",
        "johnson@johnsonplumbingoh.com",  # both Johnsons could read it: attached to neither
        "billing@johnsonplumbingoh.com",
        "not an address",
    ]
    contacts = contacts_from_site(emails, people)
    by_name = {c.name: c.email for c in contacts if c.name}
    assert by_name == {
        "Mike Johnson": "mjohnson@johnsonplumbingoh.com",
        "Sarah Johnson": "sarah@johnsonplumbingoh.com",
        "Dave Ortiz": "dave.ortiz@gmail.com",
    }
    rest = [(c.email, c.role_address) for c in contacts if not c.name]
    assert rest == [
        ("office@johnsonplumbingoh.com", True),
        ("johnson@johnsonplumbingoh.com", False),
        ("billing@johnsonplumbingoh.com", True),
    ]
    assert next(c for c in contacts if c.name == "Mike Johnson").decision_maker


def test_contacts_from_site_does_not_give_one_address_to_two_people():
    people = [FoundContact.build(None, first_name="Ann", last_name="Lee"),
              FoundContact.build(None, first_name="Ann", last_name="Park")]  # fmt: skip
    contacts = contacts_from_site(["ann@x.com", "alee@x.com"], people)
    assert [(c.name, c.email) for c in contacts] == [
        ("Ann Lee", "alee@x.com"),
        ("Ann Park", None),
        (None, "ann@x.com"),
    ]


def test_merge_people_fills_gaps_from_later_pages():
    home = [FoundContact.build(None, name="Jane Smith", first_name="Jane", last_name="Smith")]
    about = [FoundContact.build("Jane@X.com", name="Jane Smith", title="Owner"),
             FoundContact.build(None, name="Tom Baker", title="Hygienist")]  # fmt: skip
    merged = merge_people(home, about)
    assert [(p.name, p.title, p.email, p.decision_maker) for p in merged] == [
        ("Jane Smith", "Owner", "jane@x.com", True),
        ("Tom Baker", "Hygienist", None, False),
    ]


@pytest.mark.parametrize(
    ("title", "expected"),
    [
        ("Owner", True), ("Co-Founder & CEO", True), ("Managing Partner", True), ("Practice Manager", True),
        ("Office Manager", True), ("Director of Operations", True), ("Vice President, Sales", True),
        ("Dr. Smith, DMD", True), ("Principal Architect", True), ("General Manager", True),
        ("Associate Dentist", False), ("Assistant to the Owner", False),
        ("Executive Assistant to the CEO", False),
        ("Dental Hygienist", False), ("Receptionist", False), ("Partnerships Coordinator", False),
        ("Sales Associate", False), ("", False), (None, False),
    ],
)  # fmt: skip
def test_decision_maker_rule(title, expected):
    assert is_decision_maker(title) is expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Dr. Jane Smith, DDS — Owner", ("Jane Smith", "Owner")),
        ("Dr. Alan Wu, DMD, MS", ("Alan Wu", "DMD, MS")),
        ("Mike Johnson, Founder & CEO", ("Mike Johnson", "Founder & CEO")),
        ("KAREN O'NEIL | Practice Manager", ("Karen O'Neil", "Practice Manager")),
        ("Ludwig van Beethoven", ("Ludwig van Beethoven", None)),
        ("Mary Ann T. Jones Jr.", ("Mary Ann T. Jones", None)),
        ("Our Team", None), ("Meet the Team", None), ("Contact Us", None), ("Office Manager", None),
        ("Anna K.", None), ("J. Smith", None), ("Smith Family Dental", None), ("Johnson & Sons", None),
        ("Jane Smith — we love smiles!", None), ("jane smith", None), ("Service Areas", None),
    ],
)  # fmt: skip
def test_split_name_title(text, expected):
    split = split_name_title(text)
    assert (None if split is None else (split[0].full, split[1])) == expected


def test_name_and_title_rules():
    name = parse_name("Dr. Ludwig van Beethoven")
    assert name is not None and (name.first, name.last) == ("Ludwig", "van Beethoven")
    assert is_title("Lead Service Technician") and is_title("Co-Owner, Operations")
    assert not is_title("Manager's Special Blend") and not is_title("24/7 manager on call")
    assert not is_title("Dr. Smith has practiced family dentistry in Portland for over 20 years.")


def test_pattern_candidates_most_likely_first():
    candidates = pattern_candidates("José", "García-López", "Clinic.com")
    assert candidates[:4] == [
        "jose.garcialopez@clinic.com",
        "jose@clinic.com",
        "josegarcialopez@clinic.com",
        "jgarcialopez@clinic.com",
    ]
    assert "jose_garcialopez@clinic.com" in candidates and len(candidates) == len(set(candidates))
    assert pattern_candidates("Cher", "", "x.com") == ["cher@x.com"]
    assert pattern_candidates("", "Smith", "x.com") == []


def test_local_part_matches_common_shapes():
    for local in (
        "jane",
        "jane.smith",
        "jsmith",
        "j.smith",
        "janesmith",
        "jane_smith",
        "smith.jane",
        "janes",
    ):
        assert local_part_matches(local, "Jane", "Smith"), local
    for local in ("janet", "info", "js", "smithy"):
        assert not local_part_matches(local, "Jane", "Smith"), local


def test_as_dict_is_json_able():
    contact = FoundContact.build("Info@Acme.com", source="hunter", confidence=92)
    data = contact.as_dict()
    assert json.loads(json.dumps(data)) == data
    assert data["email"] == "info@acme.com" and data["role_address"] and data["source"] == "hunter"
