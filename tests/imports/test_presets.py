"""Vendor presets: the columns Apollo's and Pipedrive's exports name, and how the presets are shown."""

from __future__ import annotations

from decimal import Decimal

from sqlalchemy import select

from salesos.db.session import unit_of_work
from salesos.imports.service import mapping
from salesos.leads.models import Company, Contact, Lead, PipelineStage
from tests.imports.helpers import run, upload
from tests.web.test_pages import browser, sign_in  # noqa: F401  (browser is a fixture)

APOLLO = [
    "First Name", "Last Name", "Title", "Company", "Company Name for Emails", "Email", "Contact Owner",
    "First Phone", "Work Direct Phone", "Home Phone", "Mobile Phone", "Corporate Phone", "Stage", "Lists",
    "Industry", "Person Linkedin Url", "Website", "City", "State", "Country", "Company Address",
    "Company City", "Company State", "Company Country", "Company Phone",
]  # fmt: skip
PIPEDRIVE_DEALS = [
    "Deal - ID", "Deal - Title", "Deal - Creator", "Deal - Owner", "Deal - Value", "Deal - Currency of Value",
    "Deal - Organization", "Deal - Contact person", "Deal - Pipeline", "Deal - Stage", "Deal - Label",
    "Deal - Status", "Deal - Lost reason", "Person - Email", "Person - Phone", "Organization - Address",
]  # fmt: skip


def _by_column(header: list[str], preset: str) -> dict[str, str]:
    return {name: field for name, field in zip(header, mapping.auto_mapping(header, preset), strict=True)}


def test_apollo_takes_the_company_location_its_preset_names_over_the_persons() -> None:
    chosen = _by_column(APOLLO, "apollo")
    # The person's City/State/Country come first in the file and match synonyms; the preset names these.
    assert (chosen["Company City"], chosen["Company State"], chosen["Company Country"]) == (
        "city", "region", "country",
    )  # fmt: skip
    assert chosen["City"] == chosen["State"] == chosen["Country"] == ""
    assert chosen["Company"] == "company_name" and chosen["Company Name for Emails"] == ""
    assert chosen["Corporate Phone"] == "company_phone" and chosen["Company Phone"] == ""
    assert mapping.check_mapping(mapping.auto_mapping(APOLLO, "apollo"), APOLLO) is None


def test_apollos_stage_column_is_not_the_pipeline_stage() -> None:
    # Apollo's "Stage" is its own contact status (Cold, Approaching, …): matched by name, it rejected rows.
    assert _by_column(APOLLO, "apollo")["Stage"] == ""
    assert "stage" not in mapping.auto_mapping(APOLLO, "apollo")
    # Without the preset the column is still what its name says.
    assert _by_column(["Company", "Stage"], "")["Stage"] == "stage"


def test_apollos_mobile_phone_is_the_contact_phone_only_without_a_work_direct_phone() -> None:
    chosen = _by_column(APOLLO, "apollo")
    assert (chosen["Work Direct Phone"], chosen["Mobile Phone"]) == ("contact_phone", "")
    # The mapping fills a field from one column, so the fallback is per file, not per row.
    without = [name for name in APOLLO if name != "Work Direct Phone"]
    assert _by_column(without, "apollo")["Mobile Phone"] == "contact_phone"
    # The preset's order decides, not the file's: here Mobile Phone comes first.
    swapped = ["Company", "Mobile Phone", "Work Direct Phone"]
    assert mapping.auto_mapping(swapped, "apollo") == ["company_name", "", "contact_phone"]


def test_pipedrive_reads_its_deals_export() -> None:
    chosen = _by_column(PIPEDRIVE_DEALS, "pipedrive")
    assert {name: field for name, field in chosen.items() if field} == {
        "Deal - Title": "custom", "Deal - Owner": "owner", "Deal - Value": "value",
        "Deal - Currency of Value": "currency", "Deal - Organization": "company_name",
        "Deal - Contact person": "full_name", "Deal - Stage": "stage", "Deal - Label": "tags",
        "Deal - Status": "deal_status", "Deal - Lost reason": "lost_reason", "Person - Email": "email",
        "Person - Phone": "contact_phone", "Organization - Address": "address",
    }  # fmt: skip
    assert mapping.check_mapping(mapping.auto_mapping(PIPEDRIVE_DEALS, "pipedrive"), PIPEDRIVE_DEALS) is None


def test_pipedrive_still_reads_its_organisations_and_people_export() -> None:
    header = ["Organization - Name", "Organization - Address", "Person - Name", "Person - Email",
              "Person - Phone", "Person - Organization", "Deal - Currency"]  # fmt: skip
    assert mapping.auto_mapping(header, "pipedrive") == [
        "company_name", "address", "full_name", "email", "contact_phone", "", "currency",
    ]  # fmt: skip
    people = ["Person - Name", "Person - Organization", "Person - Email - Work", "Person - Phone - Mobile"]
    assert mapping.auto_mapping(people, "pipedrive") == [
        "full_name",
        "company_name",
        "email",
        "contact_phone",
    ]


def test_a_pipedrive_deals_export_imports_with_the_preset(client, world):
    rows = [
        PIPEDRIVE_DEALS,
        ["1", "Café deal", "Ann", "Alice Anders", "2.500,00", "EUR", "Café Müller", "Jürgen Müller",
         "Default", "Qualified", "Hot", "open", "", "juergen@cafe.example", "+49 30 1234567", "Berlin"],
        ["2", "Taco deal", "Ann", "Alice Anders", "€3.000", "EUR", "Señor Taco", "José Peña", "Default",
         "Contacted", "", "lost", "Budget", "jose@taco.example", "+34 912 345 678", "Calle Mayor 1, Madrid"],
    ]  # fmt: skip
    content = "\r\n".join(";".join(row) for row in rows).encode("cp1252")  # Excel in Europe re-saved it
    up = upload(client, world.alice, content, preset="pipedrive")
    assert up.status_code == 201 and up.json()["mapping_problem"] is None
    result = run(client, world.alice, content, preset="pipedrive")
    assert (result["created"], result["rejected"]) == (2, 0), result
    with unit_of_work(write=False, org_id=world.alice.org_id) as s:
        leads = {
            name: rest
            for name, *rest in s.execute(
                select(Company.name, Lead.value, Lead.currency, Contact.full_name, PipelineStage.name,
                       Lead.custom_fields, Lead.owner_id)
                .join(Lead.company).join(PipelineStage, PipelineStage.id == Lead.stage_id)
                .outerjoin(Contact, Contact.id == Lead.primary_contact_id)
            )
        }  # fmt: skip
    owner = world.alice.user_id
    assert leads["Café Müller"] == [
        Decimal(2500),
        "EUR",
        "Jürgen Müller",
        "Qualified",
        {"Deal - Title": "Café deal"},
        owner,
    ]
    assert leads["Señor Taco"] == [
        Decimal(3000),
        "EUR",
        "José Peña",
        "Lost",
        {"Deal - Title": "Taco deal"},
        owner,
    ]


def test_presets_are_shown_with_the_brands_spelling(client, browser, world):  # noqa: F811
    assert mapping.preset_choices() == [
        ("apollo", "Apollo"),
        ("hubspot", "HubSpot"),
        ("pipedrive", "Pipedrive"),
    ]
    b = browser()
    token = sign_in(b, world.alice.email)
    page = b.get("/leads/import").text
    assert '<option value="hubspot">HubSpot</option>' in page and "Hubspot" not in page
    up = b.post(
        "/leads/import",
        data={"csrf_token": token, "preset": "hubspot"},
        files={"file": ("h.csv", b"Company name\nHubCo\n", "text/csv")},
    )
    screen = b.get(up.headers["location"]).text
    assert '<option value="hubspot" selected>HubSpot</option>' in screen
    assert '<option value="pipedrive">Pipedrive</option>' in screen and "Hubspot" not in screen
