"""Encoding and delimiter detection, quoted newlines, header auto-mapping and vendor presets (no database)."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest

from salesos.imports.service import mapping, sniff

TEXT = 'Company;City;Contact\nCafé Müller;Zürich;Jürgen Ü\n"Two\nLines GmbH";Köln;Anna\n'


@pytest.mark.parametrize(
    ("encoded", "expected"),
    [
        (TEXT.encode("utf-8"), "utf-8"),
        (TEXT.encode("utf-8-sig"), "utf-8-sig"),
        (TEXT.encode("utf-16"), "utf-16"),
        (b"\xfe\xff" + TEXT.encode("utf-16-be"), "utf-16"),
        (TEXT.encode("utf-16-le"), "utf-16-le"),  # no BOM: the NULs of every other byte say so
        (TEXT.encode("utf-16-be"), "utf-16-be"),
        (TEXT.encode("cp1252"), "cp1252"),  # what Excel writes on Windows (Latin-1 text reads the same)
    ],
    ids=["utf8", "utf8-bom", "utf16", "utf16-be", "utf16-le-no-bom", "utf16-be-no-bom", "cp1252"],
)
def test_each_encoding_reads_back_the_same_text(tmp_path: Path, encoded: bytes, expected: str) -> None:
    path = tmp_path / "f.csv"
    path.write_bytes(encoded)
    encoding = sniff.sniff_encoding(path)
    assert encoding == expected
    delimiter = sniff.sniff_delimiter(path, encoding)
    assert delimiter == ";"
    assert sniff.header(path, encoding, delimiter) == ["Company", "City", "Contact"]
    rows = list(sniff.records(path, encoding, delimiter))
    assert rows == [["Café Müller", "Zürich", "Jürgen Ü"], ["Two\nLines GmbH", "Köln", "Anna"]]
    assert sniff.count_records(path, encoding, delimiter) == 2


def test_comma_tab_and_fallback_delimiters(tmp_path: Path) -> None:
    path = tmp_path / "f.csv"
    path.write_text("a,b,c\n1,2,3\n4,5,6\n")
    assert sniff.sniff_delimiter(path, "utf-8") == ","
    path.write_text("a\tb\tc\n1\t2\t3\n")
    assert sniff.sniff_delimiter(path, "utf-8") == "\t"
    path.write_text("single\nvalue\n")
    assert sniff.sniff_delimiter(path, "utf-8") == ","


def test_auto_mapping_from_synonyms() -> None:
    header = [
        "Company",
        "E-mail Address",
        "Phone",
        "Website",
        "First Name",
        "Surname",
        "Zip",
        "Notes",
        "Mobile",
    ]
    assert mapping.auto_mapping(header) == [
        "company_name", "email", "contact_phone", "website", "first_name", "last_name", "postal_code", "note",
        "",  # a second phone column would overwrite the first
    ]  # fmt: skip


def test_hubspot_preset() -> None:
    header = ["First Name", "Last Name", "Email", "Phone Number", "Company name", "Website URL", "City",
              "State/Region", "Record ID"]  # fmt: skip
    assert mapping.auto_mapping(header, "hubspot") == [
        "first_name", "last_name", "email", "contact_phone", "company_name", "website", "city", "region", "",
    ]  # fmt: skip
    pipedrive = mapping.auto_mapping(["Organization - Name", "Person - Email", "Deal - Value"], "pipedrive")
    assert pipedrive == ["company_name", "email", "value"]


def test_check_mapping_and_row_conversion() -> None:
    assert mapping.check_mapping(["email"], ["Email"]) == "Map a column to Company name."
    assert mapping.check_mapping(["company_name", "nope"], ["Company", "X"]) == "Unknown field 'nope'."
    assert mapping.check_mapping(["company_name"], ["Company", "X"]) is not None
    body = mapping.lead_input(
        [" Acme ", "Ann Lee", "a;b, a", "$1,200.50"], ["company_name", "full_name", "tags", "value"], 4
    )
    assert body == {
        "company": {"name": "Acme"},
        "source": "csv import",
        "contact": {"first_name": "Ann", "last_name": "Lee"},
        "tags": ["a", "b"],
        "value": Decimal("1200.50"),
        "currency": "USD",
    }
    assert mapping.lead_input(["", ""], ["company_name", "email"], 2) is None
    with pytest.raises(mapping.RowError):
        mapping.lead_input(["", "x@y.example"], ["company_name", "email"], 2)
    with pytest.raises(mapping.RowError):
        mapping.lead_input(["A", "b", "extra"], ["company_name", "email"], 2)


def test_the_value_cell_sets_the_currency_unless_a_currency_column_says_otherwise() -> None:
    def money(cells: list[str], fields: list[str]) -> tuple[object, object]:
        body = mapping.lead_input(["Acme", *cells], ["company_name", *fields], len(fields) + 1)
        assert body is not None
        return body.get("value"), body.get("currency")

    assert money(["€2.000"], ["value"]) == (Decimal(2000), "EUR")  # was 2 USD
    assert money(["1.234,56 €"], ["value"]) == (Decimal("1234.56"), "EUR")
    assert money(["1,200"], ["value"]) == (Decimal(1200), None)  # the lead's default currency
    assert money(["1.200,50", "eur"], ["value", "currency"]) == (Decimal("1200.50"), "EUR")
    assert money(["€1.200", "EUR"], ["value", "currency"]) == (Decimal(1200), "EUR")
    assert money(["12 500 kr", "SEK"], ["value", "currency"]) == (Decimal(12500), "SEK")
    assert money(["$900", "CAD"], ["value", "currency"]) == (Decimal(900), "CAD")
    assert money(["", "GBP"], ["value", "currency"]) == (None, "GBP")
    refusals = [
        (["€2.000", "USD"], ["value", "currency"], "value: the amount is in EUR, but the currency is USD."),
        (["12 500 kr"], ["value"], "value: “kr” could be DKK, ISK, NOK or SEK: write the code instead."),
        (["-5"], ["value"], "value: enter an amount of zero or more."),
        (["abc"], ["value"], "value: enter an amount such as 1200 or 1,200.50."),
        (["5", "Euros please"], ["value", "currency"], "currency: “Euros please” is not a currency: use a "
         "code such as USD or EUR."),
    ]  # fmt: skip
    for cells, fields, reason in refusals:
        with pytest.raises(mapping.RowError) as refused:
            money(cells, fields)
        assert str(refused.value) == reason


def test_currency_columns_are_recognised() -> None:
    assert mapping.auto_mapping(["Company", "Amount", "Currency"]) == ["company_name", "value", "currency"]
    assert mapping.auto_mapping(["Organization - Name", "Deal - Value", "Deal - Currency"], "pipedrive") == [
        "company_name", "value", "currency",
    ]  # fmt: skip
    assert mapping.check_mapping(["company_name", "currency"], ["Company", "Currency"]) is None


def test_a_header_spelt_as_a_field_or_its_label_is_that_field():
    from salesos.imports.service.mapping import FIELDS, auto_mapping

    # "Contact phone" (the screen's own label) and "contact_phone" (our export's column) were ignored.
    for header in (list(FIELDS), list(FIELDS.values())):
        assert auto_mapping(header) == list(FIELDS)
