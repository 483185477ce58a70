"""Companies and contacts API: create, edit and delete with normalisation, refusals and isolation."""

from __future__ import annotations

import uuid

from tests.conftest import both_databases

API = "/api/v1"


def _company(client, person, **body):  # type: ignore[no-untyped-def]
    r = client.post(f"{API}/companies", json={"name": "Initech", **body}, headers=person.headers)
    assert r.status_code == 201, r.text
    return r.json()


@both_databases
def test_companies_are_created_normalised_edited_and_deleted(client, world):
    alice = world.alice
    company = _company(client, alice, website="https://www.Initech.example/about", phone="512.555.0134")
    assert company["domain"] == "initech.example" and company["phone"] == "+15125550134"

    r = client.patch(
        f"{API}/companies/{company['id']}",
        json={"website": "https://initrode.example", "city": "Austin", "tags": ["b2b", "b2b"]},
        headers=alice.headers,
    )
    assert r.status_code == 200, r.text
    edited = r.json()
    assert edited["domain"] == "initrode.example" and edited["city"] == "Austin" and edited["tags"] == ["b2b"]
    cleared = client.patch(f"{API}/companies/{company['id']}", json={"city": None}, headers=alice.headers)
    assert cleared.json()["city"] is None and cleared.json()["name"] == "Initech"

    bad_phone = client.patch(
        f"{API}/companies/{company['id']}", json={"phone": "call me"}, headers=alice.headers
    )
    assert bad_phone.status_code == 422 and bad_phone.json()["errors"][0]["field"] == "phone"
    no_name = client.patch(f"{API}/companies/{company['id']}", json={"name": None}, headers=alice.headers)
    assert no_name.status_code == 422
    unknown = client.patch(f"{API}/companies/{company['id']}", json={"org_id": "x"}, headers=alice.headers)
    assert unknown.status_code == 422
    assert (
        client.get(f"{API}/companies/{company['id']}", headers=alice.headers).json()["phone"]
        == "+15125550134"
    )

    assert client.delete(f"{API}/companies/{company['id']}", headers=alice.headers).status_code == 204
    assert client.get(f"{API}/companies/{company['id']}", headers=alice.headers).status_code == 404


@both_databases
def test_a_company_with_leads_is_not_deleted(client, world):
    alice = world.alice
    company = _company(client, alice)
    lead = client.post(f"{API}/leads", json={"company_id": company["id"]}, headers=alice.headers)
    assert lead.status_code == 201
    r = client.delete(f"{API}/companies/{company['id']}", headers=alice.headers)
    assert r.status_code == 409 and "1 lead belongs to" in r.json()["detail"]
    assert client.get(f"{API}/companies/{company['id']}", headers=alice.headers).status_code == 200


@both_databases
def test_contacts_are_created_at_a_company_edited_and_deleted(client, world):
    alice, carol = world.alice, world.carol
    company = _company(client, alice)
    r = client.post(
        f"{API}/contacts",
        json={"company_id": company["id"], "first_name": "Peter", "email": " Peter@Initech.EXAMPLE "},
        headers=alice.headers,
    )
    assert r.status_code == 201, r.text
    contact = r.json()
    assert contact["email"] == "peter@initech.example" and contact["full_name"] == "Peter"
    assert contact["company_id"] == company["id"] and contact["is_primary"] is False

    listed = client.get(f"{API}/contacts", params={"company_id": company["id"]}, headers=alice.headers)
    assert [c["id"] for c in listed.json()["items"]] == [contact["id"]]

    r = client.patch(
        f"{API}/contacts/{contact['id']}",
        json={"last_name": "Gibbons", "phone": "(512) 555-0199", "do_not_contact": True},
        headers=alice.headers,
    )
    assert r.status_code == 200, r.text
    edited = r.json()
    assert edited["full_name"] == "Peter Gibbons" and edited["phone"] == "+15125550199"
    assert edited["do_not_contact"] is True

    theirs = _company(client, carol, name="Bravo Co")
    for body in ({"company_id": theirs["id"]}, {"company_id": str(uuid.uuid4())}):
        moved = client.patch(f"{API}/contacts/{contact['id']}", json=body, headers=alice.headers)
        assert moved.status_code == 422 and moved.json()["errors"][0]["field"] == "company_id"
    bad = client.post(f"{API}/contacts", json={"email": "not an email"}, headers=alice.headers)
    assert bad.status_code == 422 and bad.json()["errors"][0]["field"] == "email"
    assert client.get(f"{API}/contacts/{contact['id']}", headers=carol.headers).status_code == 404
    assert client.delete(f"{API}/contacts/{contact['id']}", headers=carol.headers).status_code == 404

    assert client.delete(f"{API}/contacts/{contact['id']}", headers=alice.headers).status_code == 204
    assert client.get(f"{API}/contacts/{contact['id']}", headers=alice.headers).status_code == 404


@both_databases
def test_deleting_a_primary_contact_keeps_the_lead(client, world):
    alice = world.alice
    lead = client.post(
        f"{API}/leads",
        json={"company": {"name": "Globex"}, "contact": {"first_name": "Hank"}},
        headers=alice.headers,
    ).json()
    contact_id = lead["primary_contact"]["id"]
    assert client.delete(f"{API}/contacts/{contact_id}", headers=alice.headers).status_code == 204
    again = client.get(f"{API}/leads/{lead['id']}", headers=alice.headers)
    assert again.status_code == 200 and again.json()["primary_contact"] is None


def test_a_domain_set_on_its_own_outlives_a_change_of_website(client, world):
    """The domain is the key imports and intake merge on: one given explicitly is not the website's to
    overwrite; one taken from the website follows it."""
    explicit = _company(client, world.alice, domain="explicit.example", website="https://site.example")
    url = f"{API}/companies/{explicit['id']}"
    for website in ("https://other.example", None):
        r = client.patch(url, json={"website": website}, headers=world.alice.headers)
        assert r.status_code == 200 and r.json()["domain"] == "explicit.example", website
    derived = _company(client, world.alice, website="https://derived.example")
    url = f"{API}/companies/{derived['id']}"
    moved = client.patch(url, json={"website": "https://moved.example"}, headers=world.alice.headers)
    assert moved.json()["domain"] == "moved.example"
    assert client.patch(url, json={"domain": "chosen.example"}, headers=world.alice.headers).json()[
        "domain"
    ] == ("chosen.example")


def test_an_edit_may_not_leave_a_contact_nameless(client, world):
    company = _company(client, world.alice)
    r = client.post(
        f"{API}/contacts",
        json={"company_id": company["id"], "email": "x@initech.example"},
        headers=world.alice.headers,
    )
    url = f"{API}/contacts/{r.json()['id']}"
    emptied = client.patch(url, json={"email": None}, headers=world.alice.headers)
    assert emptied.status_code == 422 and emptied.json()["errors"][0]["field"] == "first_name"
    assert client.get(url, headers=world.alice.headers).json()["email"] == "x@initech.example"
    renamed = client.patch(url, json={"email": None, "first_name": "Xavi"}, headers=world.alice.headers)
    assert renamed.status_code == 200 and renamed.json()["full_name"] == "Xavi"
