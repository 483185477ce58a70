"""Reading an upload: Windows-1252, files that are no CSV, our own apostrophe escape, one-line fields."""

from __future__ import annotations

import csv
import io
import zipfile
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import func, select

from salesos.db.session import unit_of_work
from salesos.imports.models import ImportJob
from salesos.imports.service import mapping, sniff
from salesos.leads.models import Company, Contact, Lead, Note
from tests.conftest import both_databases
from tests.imports.helpers import API, PNG, run, upload, xlsx
from tests.web.test_pages import browser, sign_in  # noqa: F401  (browser is a fixture)


def _zip() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("leads.csv", "Company\nAcme\n")
    return buffer.getvalue()


def _leads(org_id):  # type: ignore[no-untyped-def]
    """Company name → (value, currency, contact phone) of the org's leads."""
    with unit_of_work(write=False, org_id=org_id) as s:
        rows = s.execute(
            select(Company.name, Lead.value, Lead.currency, Contact.phone)
            .join(Lead.company)
            .outerjoin(Contact, Contact.id == Lead.primary_contact_id)
        ).all()
    return {name: (value, currency, phone) for name, value, currency, phone in rows}


# --------------------------------------------------------------------------- Windows-1252


def test_a_file_that_is_not_utf8_is_read_as_windows_1252(tmp_path: Path) -> None:
    path = tmp_path / "excel.csv"
    # Excel on Windows: "€" is 0x80 there (a control character in Latin-1), the en dash 0x96, the
    # right quote 0x92.
    text = "Company;Value\nSeñor Taco \u2013 Madrid;€3.000\nO\u2019Brien\u2019s;1200\n"
    path.write_bytes(text.encode("cp1252"))
    encoding = sniff.sniff_encoding(path)
    assert encoding == "cp1252" and sniff.encoding_label(encoding) == "Windows-1252"
    assert list(sniff.records(path, encoding, ";")) == [
        ["Señor Taco \u2013 Madrid", "€3.000"],
        ["O\u2019Brien\u2019s", "1200"],
    ]


def test_the_five_bytes_windows_1252_leaves_out_are_read_as_latin_1(tmp_path: Path) -> None:
    path = tmp_path / "odd.csv"
    path.write_bytes(b"Company,Value\nOdd \x81\x8d\x8f\x90\x9d Co,\x803.000\n")
    encoding = sniff.sniff_encoding(path)
    assert encoding == "cp1252"
    # The euro sign still reads as one: the file is not dropped to Latin-1 as a whole.
    assert list(sniff.records(path, encoding, ",")) == [["Odd \x81\x8d\x8f\x90\x9d Co", "€3.000"]]


def test_a_windows_1252_upload_imports_its_euro_amounts(client, world):
    content = "Company;Value\nSeñor Taco;€3.000\n".encode("cp1252")
    up = upload(client, world.alice, content)
    assert up.status_code == 201 and up.json()["encoding"] == "cp1252"
    assert up.json()["preview_reasons"] == [None]
    result = run(client, world.alice, content)
    assert (result["created"], result["rejected"]) == (1, 0)
    assert _leads(world.alice.org_id)["Señor Taco"][:2] == (Decimal(3000), "EUR")


def test_the_mapping_screen_names_the_encoding(client, browser, world):  # noqa: F811
    b = browser()
    token = sign_in(b, world.alice.email)
    content = "Company\nCafé Crème\n".encode("cp1252")
    up = b.post("/leads/import", data={"csrf_token": token}, files={"file": ("c.csv", content, "text/csv")})
    assert up.status_code == 303, up.text
    assert "1 rows · Windows-1252 · delimiter" in b.get(up.headers["location"]).text


# --------------------------------------------------------------------------- not a CSV at all

NOT_TEXT = "This is not a CSV file (it looks like binary data). Export the sheet as CSV and upload that."
EXCEL = "This is an Excel workbook, not a CSV file: in Excel, choose File → Save As → “CSV UTF-8”, and upload"


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (PNG, NOT_TEXT),
        (b"\x7fELF\x02\x01\x01\x00" + bytes(64), NOT_TEXT),
        (_zip(), NOT_TEXT),
        (xlsx(), EXCEL),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(512), EXCEL),  # .xls
        (bytes(range(1, 32)) * 40, NOT_TEXT),  # control characters without a NUL
    ],
    ids=["png", "elf", "zip", "xlsx", "xls", "controls"],
)
def test_binary_files_are_refused_saying_what_they_are(tmp_path: Path, content: bytes, message: str) -> None:
    path = tmp_path / "upload.csv"
    path.write_bytes(content)
    with pytest.raises(sniff.NotCsv) as refused:
        sniff.sniff_encoding(path)
    assert str(refused.value).startswith(message)


def test_text_with_a_stray_control_character_is_still_text(tmp_path: Path) -> None:
    path = tmp_path / "f.csv"
    path.write_bytes(b"Company,Note\nAcme,bell \x07 once\n" + b"Other Co,fine\n" * 20 + b"\x1a")  # DOS EOF
    assert sniff.sniff_encoding(path) == "utf-8"


@both_databases
def test_uploading_a_picture_or_a_workbook_is_a_422_on_the_file(client, world, settings):
    stored = set((settings.var_dir / "imports").rglob("*.csv"))
    with unit_of_work(write=False, org_id=world.alice.org_id) as s:
        jobs = s.scalar(select(func.count()).select_from(ImportJob))
    for name, content, message in (("leads.csv", PNG, NOT_TEXT), ("leads.xlsx", xlsx(), EXCEL)):
        refused = upload(client, world.alice, content, filename=name)
        assert refused.status_code == 422, refused.text
        assert refused.json()["errors"] == [{"field": "file", "message": refused.json()["detail"]}]
        assert refused.json()["detail"].startswith(message)
    # Nothing kept: no import, no stored file.
    assert set((settings.var_dir / "imports").rglob("*.csv")) == stored
    with unit_of_work(write=False, org_id=world.alice.org_id) as s:
        assert s.scalar(select(func.count()).select_from(ImportJob)) == jobs


def test_the_upload_page_says_the_file_is_no_csv_next_to_the_field(client, browser, world):  # noqa: F811
    b = browser()
    token = sign_in(b, world.alice.email)
    up = b.post(
        "/leads/import", data={"csrf_token": token}, files={"file": ("book.xlsx", xlsx(), "text/csv")}
    )
    assert up.status_code == 422
    assert 'id="f-file-error"' in up.text and "This is an Excel workbook, not a CSV file" in up.text


# --------------------------------------------------------------------------- the apostrophe escape


def test_the_apostrophe_before_a_formula_character_is_dropped_on_reading(tmp_path: Path) -> None:
    path = tmp_path / "fixed.csv"
    path.write_text(
        "Company,Phone,Amount,Note\n"
        "Apos Co,'+1 415 555 0132,'-500,'=not a formula\n"
        "'@Home Co,'1200,'1200,it's fine\n"
    )
    assert list(sniff.records(path, "utf-8", ",")) == [
        ["Apos Co", "+1 415 555 0132", "-500", "=not a formula"],
        # Only before = + - @ (or tab / CR) is the apostrophe an escape; elsewhere it is the text.
        ["@Home Co", "'1200", "'1200", "it's fine"],
    ]


def test_the_rejected_rows_file_imports_again_once_fixed(client, world):
    content = "Company,Email,Phone,Tags\n@Home Co,not-an-email,+1 415 555 0132,-cold\n"
    first = run(client, world.alice, content.encode())
    assert (first["created"], first["rejected"]) == (0, 1)
    got = client.get(f"{API}/imports/{first['id']}/rejected.csv", headers=world.alice.headers)
    rows = list(csv.reader(io.StringIO(got.content.decode("utf-8-sig"))))
    assert rows[1][2:] == ["'@Home Co", "not-an-email", "'+1 415 555 0132", "'-cold"]
    # The person fixes the email in the file and uploads it as it is, apostrophes included.
    rows[1][3] = "home@home.example"
    fixed = io.StringIO()
    csv.writer(fixed).writerows(rows)
    again = run(client, world.alice, fixed.getvalue().encode("utf-8-sig"))
    assert (again["created"], again["rejected"]) == (1, 0)
    assert _leads(world.alice.org_id)["@Home Co"][2] == "+14155550132"
    with unit_of_work(write=False, org_id=world.alice.org_id) as s:
        assert s.scalar(select(Lead.tags).join(Lead.company).where(Company.name == "@Home Co")) == ["-cold"]


# --------------------------------------------------------------------------- one-line fields


def test_single_line_fields_have_their_whitespace_collapsed_but_notes_keep_theirs() -> None:
    cells = [
        "Quoted Co\n(Seattle office)",
        "Tab\tCo",
        "  Spaces   Inc  ",
        "line one\n\nline two",
        "a\u00a0 b",
    ]
    fields = ["company_name", "city", "title", "note", "lost_reason"]
    assert mapping.mapped(cells, fields) == {
        "company_name": "Quoted Co (Seattle office)",
        "city": "Tab Co",
        "title": "Spaces Inc",
        "note": "line one\n\nline two",
        "lost_reason": "a\u00a0 b",
    }


def test_imported_company_names_are_one_line(client, world):
    content = (
        'Company,Email,Notes\n"Quoted Co\n(Seattle office)",q@quoted.example,"first\nsecond"\n'
        "Tab\tCo,t@tab.example,\n  Spaces   Inc  ,s@spaces.example,\n"
    )
    result = run(client, world.alice, content.encode())
    assert (result["created"], result["rejected"]) == (3, 0)
    names = set(_leads(world.alice.org_id))
    assert {"Quoted Co (Seattle office)", "Tab Co", "Spaces Inc"} <= names
    with unit_of_work(write=False, org_id=world.alice.org_id) as s:
        assert "first\nsecond" in set(s.scalars(select(Note.body)))
