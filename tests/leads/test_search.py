"""Free-text search: word prefixes from the search terms, which follow every edit of the words they
come from, on SQLite and PostgreSQL."""

from __future__ import annotations

import threading
import time
import uuid
from typing import Any

import pytest
from alembic import command
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import func, select

from salesos.db.migrate import alembic_config, upgrade
from salesos.db.session import open_session, unit_of_work
from salesos.leads.models import Company, Contact, LeadSearchTerm
from salesos.leads.search import MAX_TERM_CHARS, lead_terms, prefix_ranges, words
from salesos.leads.service import dedup
from tests.conftest import both_databases
from tests.imports.helpers import run as run_import

API = "/api/v1"


def _found(client: Any, person: Any, q: str) -> list[str]:
    r = client.get(f"{API}/leads", params={"q": q, "limit": 100}, headers=person.headers)
    assert r.status_code == 200, r.text
    return sorted(i["company_name"] for i in r.json()["items"])


def _lead(client: Any, person: Any, company: str, **contact: str) -> dict[str, Any]:
    body: dict[str, Any] = {"company": {"name": company}}
    if contact:
        body["contact"] = contact
    r = client.post(f"{API}/leads", json=body, headers=person.headers)
    assert r.status_code == 201, r.text
    return r.json()  # type: ignore[no-any-return]


def _terms(org_id: Any) -> int:
    with unit_of_work(write=False, org_id=org_id) as s:
        return int(s.scalar(select(func.count()).select_from(LeadSearchTerm)) or 0)


def test_words_fold_case_and_accents_and_split_on_punctuation() -> None:
    assert words("Müller & Söhne GmbH") == ["muller", "sohne", "gmbh"]
    assert words("ANN.Lee+crm@Acme-Corp.example") == ["ann", "lee", "crm", "acme", "corp", "example"]
    assert words("100% Real_Co") == ["100", "real", "co"]
    assert words("東京 Straße") == ["東京", "strasse"]
    assert words("𝑨𝒄𝒎𝒆 ㎒") == ["acme", "mhz"]  # compatibility forms fold to lower case too
    assert words(None) == [] and words("%_-") == []
    assert lead_terms("Acme Acme", "Ann Acme", None) == {"acme", "ann"}
    assert prefix_ranges("ann ANN ann@") == [("ann", "ann\U0010ffff")]


@given(st.text(max_size=120))
def test_every_word_is_a_short_folded_prefix_of_itself(text: str) -> None:
    for word in words(text):
        assert 0 < len(word) <= MAX_TERM_CHARS
        assert words(word) == [word]  # folding is idempotent: a stored term finds itself
        (low, high), *_ = prefix_ranges(word)
        assert low <= word < high


@both_databases
def test_search_follows_renames_contacts_and_deletes(client, world):
    alice = world.alice
    globex = _lead(client, alice, "Globex Corporation", first_name="Hank", last_name="Scorpio",
                   email="hank@globex.example")  # fmt: skip
    _lead(client, alice, "Initech")
    assert _found(client, alice, "glob") == ["Globex Corporation"]
    assert _found(client, alice, "SCORP") == _found(client, alice, "hank@glob") == ["Globex Corporation"]
    assert _found(client, alice, "globex initech") == []  # every word must match the same lead

    company_id, contact_id = globex["company"]["id"], globex["primary_contact"]["id"]
    r = client.patch(f"{API}/companies/{company_id}", json={"name": "Cypress Creek"}, headers=alice.headers)
    assert r.status_code == 200, r.text
    assert _found(client, alice, "corporation") == []
    assert _found(client, alice, "cypress") == ["Cypress Creek"]
    assert _found(client, alice, "glob") == ["Cypress Creek"]  # still in the contact's email

    r = client.patch(f"{API}/contacts/{contact_id}", json={"email": "h@cypress.example", "last_name": "S"},
                     headers=alice.headers)  # fmt: skip
    assert r.status_code == 200, r.text
    assert _found(client, alice, "glob") == _found(client, alice, "scorpio") == []
    assert _found(client, alice, "hank cypress") == ["Cypress Creek"]

    assert client.delete(f"{API}/contacts/{contact_id}", headers=alice.headers).status_code == 204
    assert _found(client, alice, "hank") == []
    assert _found(client, alice, "creek") == ["Cypress Creek"]

    before = _terms(alice.org_id)
    assert client.delete(f"{API}/leads/{globex['id']}", headers=alice.headers).status_code == 204
    assert _terms(alice.org_id) == before - 2  # "cypress", "creek": the lead's terms went with it
    assert _found(client, alice, "cypress") == []


@both_databases
def test_search_never_crosses_organisations(client, world):
    _lead(client, world.alice, "Sharedword Labs")
    _lead(client, world.carol, "Sharedword Works")
    assert _found(client, world.alice, "sharedword") == ["Sharedword Labs"]
    assert _found(client, world.carol, "sharedword") == ["Sharedword Works"]


@both_databases
def test_imported_and_merged_leads_are_found(client, world):
    content = (
        b"Company,First Name,Last Name,Email\n"
        b"Vandelay Industries,Art,Vandelay,art@vandelay.example\n"
        b"Kramerica,,,\n"
        b"Pendant Publishing,,,elaine@pendant.example\n"
    )
    result = run_import(client, world.alice, content)
    assert (result["created"], result["rejected"]) == (3, 0), result
    assert _found(client, world.alice, "vandelay") == ["Vandelay Industries"]
    assert _found(client, world.alice, "kram") == ["Kramerica"]
    assert _found(client, world.alice, "elaine") == ["Pendant Publishing"]
    # The same address again, with a name and a tag: the merge fills the name and adds the tag, and the
    # lead is found by both (the import writes a merged lead's new terms itself).
    again = (
        b"Company,First Name,Last Name,Email,Tags\n"
        b"Pendant Publishing,Elaine,Benes,ELAINE@pendant.example,editor\n"
    )
    assert run_import(client, world.alice, again)["merged"] == 1
    assert _found(client, world.alice, "benes elaine") == ["Pendant Publishing"]
    r = client.get(f"{API}/leads", params={"tag": "editor"}, headers=world.alice.headers)
    assert [i["company_name"] for i in r.json()["items"]] == ["Pendant Publishing"]


@both_databases
def test_the_migration_indexes_existing_leads(client, world, settings):
    _lead(client, world.alice, "Preexisting Partners", first_name="Olga", email="olga+crm@pre.example")
    config = alembic_config(settings.migration_database_url)
    command.downgrade(config, "0019")  # drops the terms and the contacts' email keys
    upgrade("head")  # makes both again from the stored rows
    assert _found(client, world.alice, "olga") == ["Preexisting Partners"]
    assert _found(client, world.alice, "partners pre") == ["Preexisting Partners"]
    with unit_of_work(write=False, org_id=world.alice.org_id) as s:
        found = dedup.find_existing_lead(s, email="olga@pre.example", phone=None, domain=None)
        assert found is not None and found.company.name == "Preexisting Partners"


@both_databases
def test_the_tag_filter_follows_every_way_tags_change(client, world):
    alice = world.alice
    rare = _lead(client, alice, "Rare Tag Co")
    _lead(client, alice, "Untagged Co")

    def tagged(tag: str) -> list[str]:
        r = client.get(f"{API}/leads", params={"tag": tag}, headers=alice.headers)
        assert r.status_code == 200, r.text
        return sorted(i["company_name"] for i in r.json()["items"])

    assert tagged("conference-2026") == []
    r = client.patch(
        f"{API}/leads/{rare['id']}", json={"tags": ["conference-2026", "VIP"]}, headers=alice.headers
    )
    assert r.status_code == 200, r.text
    assert tagged("conference-2026") == ["Rare Tag Co"]
    assert tagged("VIP") == ["Rare Tag Co"] and tagged("vip") == []  # tags match exactly, as stored
    assert _found(client, alice, "conference") == []  # a tag is not a searchable word

    bulk = {"ids": [rare["id"]], "set": {"remove_tags": ["conference-2026"], "add_tags": ["later"]}}
    r = client.post(f"{API}/leads/bulk", json=bulk, headers=alice.headers)
    assert r.status_code == 200, r.text
    assert tagged("conference-2026") == [] and tagged("later") == ["Rare Tag Co"]


@pytest.mark.parametrize("db_kind", ["postgres"], indirect=True)
def test_two_edits_of_one_leads_words_at_once_both_land(client, world):
    """A company renamed while its lead's contact is edited: the second waits for the first's terms, then
    writes its own from what the first committed (unlocked, its insert of a shared term failed)."""
    org = world.alice.org_id
    lead = _lead(client, world.alice, "Zyxo Anvils", first_name="Ann", email="ann@zyxo.example")
    company_id, contact_id = uuid.UUID(lead["company"]["id"]), uuid.UUID(lead["primary_contact"]["id"])
    first = open_session(org_id=org)
    company = first.get(Company, company_id)
    assert company is not None
    company.name = "Globex Anvils"
    first.flush()  # its terms are written, its transaction still open
    errors: list[BaseException] = []

    def edit_contact() -> None:
        try:
            with unit_of_work(org_id=org) as second:
                contact = second.get(Contact, contact_id)
                assert contact is not None
                contact.email = "ann@globex.example"
        except BaseException as exc:  # the assertion below shows it
            errors.append(exc)

    thread = threading.Thread(target=edit_contact)
    thread.start()
    time.sleep(0.5)  # the second transaction is waiting on the lead now
    first.commit()
    first.close()
    thread.join(10)
    assert errors == []
    assert _found(client, world.alice, "globex ann") == ["Globex Anvils"]
    assert _found(client, world.alice, "zyxo") == []
