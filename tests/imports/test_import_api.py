"""CSV import through the API: encodings, dedup inside the file, rejects with reasons, roles, limits."""

from __future__ import annotations

import csv
import io

from salesos.imports.service import imports as import_service
from tests.conftest import both_databases
from tests.imports.helpers import API, emails, lead_count, run, table_counts, upload

HEADER = "Company,Email,Phone,Website,City,Tags\n"
DUPES = (
    HEADER
    + "Acme,ann@acme.example,+1 212 555 0100,,Berlin,a\n"
    + "Acme again, ANN@Acme.example ,,,,b\n"  # same email: case and whitespace
    # Same phone, other format (default region US); no email or website of its own to contradict it.
    + "Other Co,,(212) 555-0100,,,\n"
    + "Globex,gx@globex.example,,https://www.globex.example/about,,\n"
    + "Globex Sales,sales@globex.example,,,,\n"  # same company domain via email
    + "Initech,,,,,\n"
)


@both_databases
def test_duplicates_inside_the_file_merge_with_exact_counts(client, world):
    before = table_counts(world.alice.org_id)
    result = run(client, world.alice, DUPES.encode())
    assert result["status"] == "done"
    assert (result["created"], result["merged"], result["rejected"]) == (3, 3, 0)
    assert result["rows_done"] == result["total_rows"] == 6 and result["percent"] == 100
    assert result["eta_seconds"] == 0
    after = table_counts(world.alice.org_id)
    assert {k: after[k] - before[k] for k in after} == {"leads": 3, "companies": 3, "contacts": 2}
    assert {"ann@acme.example", "gx@globex.example"} <= set(emails(world.alice.org_id))
    assert "sales@globex.example" not in emails(world.alice.org_id)
    # The same file again: every row with an email, phone or domain matches; Initech has none.
    again = run(client, world.alice, DUPES.encode())
    assert (again["created"], again["merged"]) == (1, 5)
    assert lead_count(world.alice.org_id) == before["leads"] + 4
    assert lead_count(world.carol.org_id) == 0


@both_databases
def test_dedup_never_merges_with_another_orgs_leads(client, world):
    alice = run(client, world.alice, DUPES.encode())
    carol = run(client, world.carol, DUPES.encode())
    assert (alice["created"], alice["merged"]) == (carol["created"], carol["merged"]) == (3, 3)
    assert lead_count(world.carol.org_id) == 3


def test_malformed_rows_are_rejected_with_reasons_and_neutralised(client, world):
    content = (
        "Company,Email,Phone,Value\n"
        "Good Co,good@good.example,,100\n"
        ",nobody@x.example,,\n"  # no company
        "Bad Mail,not-an-email,,\n"
        "Bad Phone,,12,\n"
        '=HYPERLINK("http://evil"),,,abc\n'  # bad value; a formula in the company cell
        "Wide,w@wide.example,,1,extra\n"
        ",,,\n"  # blank: skipped, not rejected
    )
    result = run(client, world.alice, content.encode())
    assert (result["created"], result["merged"], result["rejected"]) == (1, 0, 5)
    assert result["rows_done"] == 7 and result["skipped"] == 1  # every row accounted for
    got = client.get(f"{API}/imports/{result['id']}/rejected.csv", headers=world.alice.headers)
    assert got.status_code == 200 and got.headers["content-type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(got.content.decode("utf-8-sig"))))
    assert rows[0] == ["row", "reason", "Company", "Email", "Phone", "Value"]
    by_row = {r[0]: r for r in rows[1:]}
    assert set(by_row) == {"2", "3", "4", "5", "6"}
    assert by_row["2"][1] == "Company name: empty."  # named as the mapping screen names the field
    assert "email" in by_row["3"][1].lower()
    assert "phone" in by_row["4"][1].lower()
    assert by_row["5"][1].startswith("Deal value: ") and by_row["5"][2] == '\'=HYPERLINK("http://evil")'
    assert "5 cells" in by_row["6"][1]


def test_encodings_and_semicolons_through_the_api(client, world):
    text = (
        "Firma;E-Mail;Stadt\nCafé Müller;info@cafe-mueller.example;Zürich\n"
        '"Zwei\nZeilen GmbH";z@zwei.example;Köln\n'
    )
    for encoding in ("utf-8", "utf-8-sig", "utf-16", "latin-1"):
        up = upload(client, world.alice, text.encode(encoding))
        assert up.status_code == 201, up.text
        body = up.json()
        assert body["delimiter"] == ";" and body["total_rows"] == 2
        assert body["mapping"] == ["", "email", ""]  # German headers other than E-Mail aren't synonyms
        assert body["preview"][0] == {"email": "info@cafe-mueller.example"}
    result = run(client, world.alice, text.encode("latin-1"), mapping=["company_name", "email", "city"])
    assert result["encoding"] == "cp1252" and result["created"] == 2
    leads = client.get(f"{API}/leads?limit=200", headers=world.alice.headers).json()["items"]
    # A company name is one line: the quoted line break is a space.
    assert {"Café Müller", "Zwei Zeilen GmbH"} <= {x["company_name"] for x in leads}


def test_hubspot_preset_upload(client, world):
    content = (
        b"First Name,Last Name,Email,Phone Number,Company name,Website URL,City,State/Region\n"
        b"Ann,Lee,ann@hs.example,+1 212 555 0199,HubCo,hs.example,Boston,MA\n"
    )
    up = upload(client, world.alice, content, preset="hubspot").json()
    assert up["preset"] == "hubspot" and up["mapping"][4] == "company_name"
    assert up["preview"] == [
        {"first_name": "Ann", "last_name": "Lee", "email": "ann@hs.example",
         "contact_phone": "+1 212 555 0199", "company_name": "HubCo", "website": "hs.example",
         "city": "Boston", "region": "MA"}
    ]  # fmt: skip
    assert "hubspot" in up["presets"] and "company_name" in up["fields"]


def test_start_validates_mapping_and_only_once(client, world):
    up = upload(client, world.alice, DUPES.encode()).json()
    url = f"{API}/imports/{up['id']}/start"
    bad = client.post(url, json={"mapping": ["email"]}, headers=world.alice.headers)
    assert bad.status_code == 422 and bad.json()["errors"][0]["field"] == "mapping"
    unknown = client.post(url, json={"mapping": up["mapping"], "org_id": "x"}, headers=world.alice.headers)
    assert unknown.status_code == 422
    assert client.post(url, json={"mapping": up["mapping"]}, headers=world.alice.headers).status_code == 200
    assert client.post(url, json={"mapping": up["mapping"]}, headers=world.alice.headers).status_code == 409


def test_roles_and_isolation(client, world):
    up = upload(client, world.alice, DUPES.encode()).json()
    client.patch(f"{API}/members/{world.bob.member_id}", json={"role": "viewer"}, headers=world.alice.headers)
    assert upload(client, world.bob, DUPES.encode()).status_code == 403
    start = client.post(
        f"{API}/imports/{up['id']}/start", json={"mapping": up["mapping"]}, headers=world.bob.headers
    )
    assert start.status_code == 403
    assert client.get(f"{API}/imports/{up['id']}", headers=world.bob.headers).status_code == 200
    for path in ("", "/rejected.csv"):
        assert client.get(f"{API}/imports/{up['id']}{path}", headers=world.carol.headers).status_code == 404
    assert (
        client.post(
            f"{API}/imports/{up['id']}/start", json={"mapping": up["mapping"]}, headers=world.carol.headers
        ).status_code
        == 404
    )


def test_file_limit_is_413(client, world, monkeypatch):
    monkeypatch.setattr(import_service, "MAX_BYTES", 1000)
    big = upload(client, world.alice, HEADER.encode() + b"Acme,,,,,\n" * 200)
    assert big.status_code == 413 and "limited" in big.json()["detail"]
    # Past the declared size check (the envelope allowance), the stored copy is still counted.
    monkeypatch.setattr("salesos.imports.api.ENVELOPE_BYTES", 10_000)
    counted = upload(client, world.alice, HEADER.encode() + b"Acme,,,,,\n" * 200)
    assert counted.status_code == 413
    assert upload(client, world.alice, b"").status_code == 422


def test_a_link_cell_that_is_no_web_address_is_left_out_not_the_row(client, world):
    content = (
        "Company,Website,LinkedIn URL\n"
        "Bare Host Co,barehost.example,linkedin.com/in/ann\n"
        "Junk Links Co,n/a,javascript:alert(1)\n"
    )
    result = run(client, world.alice, content.encode(), mapping=["company_name", "website", "linkedin_url"])
    assert (result["created"], result["rejected"]) == (2, 0)
    companies = client.get(f"{API}/companies", headers=world.alice.headers).json()["items"]
    sites = {c["name"]: (c["website"], c["domain"]) for c in companies if c["name"].endswith(" Co")}
    assert sites == {
        "Bare Host Co": ("https://barehost.example", "barehost.example"),
        "Junk Links Co": (None, None),
    }
    people = client.get(f"{API}/contacts", headers=world.alice.headers).json()["items"]
    assert {p["linkedin_url"] for p in people if p["linkedin_url"]} == {"https://linkedin.com/in/ann"}
