"""What the leads API answers agrees with what it stores and with its other endpoints (QA findings)."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import func, select

from salesos.db.session import unit_of_work
from salesos.leads.models import LeadStatusHistory
from salesos.leads.normalize import normalize_tags
from salesos.leads.service.bulk import INLINE_LIMIT
from tests.conftest import both_databases

API = "/api/v1"


def _stages(client: Any, person: Any) -> dict[str, str]:
    pipelines = client.get(f"{API}/pipelines", headers=person.headers).json()
    return {s["name"]: s["id"] for s in pipelines[0]["stages"]}


def _create(client: Any, person: Any, name: str = "Globex", **extra: Any) -> dict[str, Any]:
    r = client.post(f"{API}/leads", json={"company": {"name": name}, **extra}, headers=person.headers)
    assert r.status_code == 201, r.text
    result: dict[str, Any] = r.json()
    return result


def _post(client: Any, person: Any, path: str, body: dict[str, Any]) -> dict[str, Any]:
    r = client.post(f"{API}/{path}", json=body, headers=person.headers)
    assert r.status_code == 201, r.text
    result: dict[str, Any] = r.json()
    return result


def _problem(response: Any) -> tuple[int, str, str]:
    """(status, first field, its message) of a problem answer."""
    error = response.json()["errors"][0]
    return response.status_code, error["field"], error["message"]


def _history(world: Any, lead_id: str) -> int:
    with unit_of_work(write=False, org_id=world.alice.org_id) as session:
        stmt = select(func.count()).where(LeadStatusHistory.lead_id == uuid.UUID(lead_id))
        return int(session.scalar(stmt) or 0)


# --- 1. a lead's contact --------------------------------------------------------------------------------


def test_a_lead_contact_that_names_nobody_is_refused_like_on_contacts(client, world):
    alice = world.alice
    on_contacts = client.post(f"{API}/contacts", json={"title": "CEO"}, headers=alice.headers)
    assert on_contacts.status_code == 422
    sentence = _problem(on_contacts)[2]
    before = client.get(f"{API}/companies", headers=alice.headers).json()["items"]
    for contact in ({"title": "CEO"}, {"is_decision_maker": True}, {"title": "CEO", "email_consent": True}):
        body = {"company": {"name": "Title only"}, "contact": contact}
        r = client.post(f"{API}/leads", json=body, headers=alice.headers)
        assert _problem(r) == (422, "contact.first_name", sentence), r.text
    assert client.get(f"{API}/companies", headers=alice.headers).json()["items"] == before

    # Nothing filled in is no contact: absent, {}, blanks, unticked flags.
    for contact in (None, {}, {"first_name": "  ", "title": ""}, {"is_decision_maker": False}):
        lead = _create(client, alice, "No one yet", **({} if contact is None else {"contact": contact}))
        assert lead["primary_contact"] is None
    named = _create(client, alice, "Someone", contact={"title": "CEO", "linkedin_url": "linkedin.com/in/x"})
    assert named["primary_contact"]["title"] == "CEO"


# --- 2. bulk lost reason --------------------------------------------------------------------------------


@both_databases
def test_bulk_refuses_a_lost_reason_without_a_lost_stage_like_a_patch(client, world):
    alice, stages = world.alice, _stages(client, world.alice)
    lead = _create(client, alice)
    single = client.patch(
        f"{API}/leads/{lead['id']}",
        json={"stage_id": stages["Won"], "lost_reason": "too expensive"},
        headers=alice.headers,
    )
    sentence = _problem(single)[2]
    assert single.status_code == 422 and sentence == "A lost reason goes with a lost stage."
    for change in (
        {"stage_id": stages["Won"], "lost_reason": "too expensive"},
        {"owner_id": str(world.bob.user_id), "lost_reason": "too expensive"},
    ):
        r = client.post(f"{API}/leads/bulk", json={"ids": [lead["id"]], "set": change}, headers=alice.headers)
        assert _problem(r) == (422, "set.lost_reason", sentence), r.text
    after = client.get(f"{API}/leads/{lead['id']}", headers=alice.headers).json()
    assert (after["stage_id"], after["owner_id"], _history(world, lead["id"])) == (stages["New"], None, 1)

    lost = {"stage_id": stages["Lost"], "lost_reason": "too expensive"}
    r = client.post(f"{API}/leads/bulk", json={"ids": [lead["id"]], "set": lost}, headers=alice.headers)
    assert r.status_code == 200 and r.json()["updated"] == 1
    assert client.get(f"{API}/leads/{lead['id']}", headers=alice.headers).json()["lost_reason"] == (
        "too expensive"
    )


# --- 3. contact phones in their company's country -------------------------------------------------------


@both_databases
def test_a_contact_phone_is_read_in_its_company_country(client, world):
    alice = world.alice
    london = _post(client, alice, "companies", {"name": "London Ltd", "country": "GB"})
    made = _post(
        client, alice, "contacts", {"company_id": london["id"], "first_name": "Liz", "phone": "020 7946 0004"}
    )
    assert made["phone"] == "+442079460004"
    url = f"{API}/contacts/{made['id']}"
    edited = client.patch(url, json={"phone": "020 7946 0005"}, headers=alice.headers)
    assert edited.status_code == 200 and edited.json()["phone"] == "+442079460005", edited.text

    # Moved to a company in the organisation's region (US), the same digits are no number.
    denver = _post(client, alice, "companies", {"name": "Denver Co"})
    moved = client.patch(
        url, json={"company_id": denver["id"], "phone": "020 7946 0006"}, headers=alice.headers
    )
    assert _problem(moved)[:2] == (422, "phone")
    alone = client.post(
        f"{API}/contacts", json={"first_name": "Al", "phone": "020 7946 0007"}, headers=alice.headers
    )
    assert _problem(alone)[:2] == (422, "phone")


# --- 4. the company body's field names ------------------------------------------------------------------


def test_a_company_body_error_names_its_own_field(client, world):
    r = client.post(
        f"{API}/companies",
        json={"name": "QA Co Two", "phone": "0044 20 7946 0000"},
        headers=world.alice.headers,
    )
    assert _problem(r)[:2] == (422, "phone")
    lead = client.post(
        f"{API}/leads", json={"company": {"name": "QA Co", "phone": "12"}}, headers=world.alice.headers
    )
    assert _problem(lead)[:2] == (422, "company.phone")


# --- 5. the bulk endpoint's documentation ---------------------------------------------------------------


def test_the_bulk_endpoint_documents_the_limit_it_applies(client, world):
    operation = client.get("/api/openapi.json").json()["paths"][f"{API}/leads/bulk"]["post"]
    limit = f"{INLINE_LIMIT:,}"
    assert f"over {limit} matches" in operation["description"]
    assert operation["responses"]["202"]["description"] == f"More than {limit} matches: queued as a job"
    assert "1,000 matches" not in str(operation)


# --- 6. values as stored --------------------------------------------------------------------------------


@both_databases
def test_a_written_value_is_answered_as_it_reads_back(client, world):
    alice = world.alice
    lead = _create(client, alice, value="1234.5")
    url = f"{API}/leads/{lead['id']}"
    assert lead["value"] == "1234.50" == client.get(url, headers=alice.headers).json()["value"]
    for value, currency in (("99.9", None), ("7", "JPY"), ("0", None)):
        body = {"value": value} | ({"currency": currency} if currency else {})
        patched = client.patch(url, json=body, headers=alice.headers)
        assert patched.status_code == 200, patched.text
        assert patched.json()["value"] == client.get(url, headers=alice.headers).json()["value"]
    assert client.get(url, headers=alice.headers).json()["value"] == "0.00"
    assert _create(client, alice, "Yen Co", value="1E+3", currency="JPY")["value"] == "1000.00"


# --- 7. fields a lead can't be without ------------------------------------------------------------------


@both_databases
def test_a_null_for_a_field_a_lead_always_has_is_refused(client, world):
    alice, stages = world.alice, _stages(client, world.alice)
    lead = _create(client, alice)
    url = f"{API}/leads/{lead['id']}"
    for field in ("stage_id", "currency"):
        r = client.patch(url, json={field: None}, headers=alice.headers)
        status, named, message = _problem(r)
        assert (status, named) == (422, field) and message.endswith("."), r.text
    with_stage = client.patch(url, json={"stage_id": None, "tags": ["x"]}, headers=alice.headers)
    assert with_stage.status_code == 422
    assert client.get(url, headers=alice.headers).json() == lead

    # A lost lead's reason can be changed but not taken away; an open lead has none to take.
    assert client.patch(url, json={"lost_reason": None}, headers=alice.headers).status_code == 200
    lost = {"stage_id": stages["Lost"], "lost_reason": "budget"}
    assert client.patch(url, json=lost, headers=alice.headers).status_code == 200
    cleared = client.patch(url, json={"lost_reason": None}, headers=alice.headers)
    assert _problem(cleared)[:2] == (422, "lost_reason")
    assert client.get(url, headers=alice.headers).json()["lost_reason"] == "budget"


# --- 8. the company's primary person --------------------------------------------------------------------


def _is_primary(client: Any, person: Any, contact_id: str) -> bool:
    return bool(client.get(f"{API}/contacts/{contact_id}", headers=person.headers).json()["is_primary"])


@both_databases
def test_a_person_no_lead_goes_through_stops_being_primary(client, world):
    alice = world.alice
    first = _create(client, alice, "Hooli", contact={"first_name": "Gail"})
    gail, company_id = first["primary_contact"]["id"], first["company"]["id"]
    second = client.post(f"{API}/leads", json={"company_id": company_id}, headers=alice.headers).json()
    urls = [f"{API}/leads/{first['id']}", f"{API}/leads/{second['id']}"]
    assert client.patch(urls[1], json={"primary_contact_id": gail}, headers=alice.headers).status_code == 200

    # The other lead still goes through Gail: she stays the company's primary person.
    assert client.patch(urls[0], json={"primary_contact_id": None}, headers=alice.headers).status_code == 200
    assert _is_primary(client, alice, gail)
    assert client.patch(urls[1], json={"primary_contact_id": None}, headers=alice.headers).status_code == 200
    assert not _is_primary(client, alice, gail)

    # Changing the person moves the flag; clearing the new one leaves nobody flagged.
    hal = _post(client, alice, "contacts", {"company_id": company_id, "first_name": "Hal"})["id"]
    client.patch(urls[0], json={"primary_contact_id": gail}, headers=alice.headers)
    client.patch(urls[0], json={"primary_contact_id": hal}, headers=alice.headers)
    assert (_is_primary(client, alice, gail), _is_primary(client, alice, hal)) == (False, True)
    client.patch(urls[0], json={"primary_contact_id": None}, headers=alice.headers)
    people = client.get(f"{API}/contacts?company_id={company_id}", headers=alice.headers).json()["items"]
    assert [p["is_primary"] for p in people] == [False, False]

    # A new lead's person at an existing company becomes its one primary person, as a chosen one does.
    _post(client, alice, "leads", {"company_id": company_id, "contact": {"first_name": "Ida"}})
    people = client.get(f"{API}/contacts?company_id={company_id}", headers=alice.headers).json()["items"]
    assert {p["first_name"]: p["is_primary"] for p in people} == {"Gail": False, "Hal": False, "Ida": True}


# --- 9. a person without a name -------------------------------------------------------------------------


def test_a_person_without_a_name_has_a_null_full_name(client, world):
    alice = world.alice
    made = _post(client, alice, "contacts", {"email": "ops@initech.example"})
    assert made["full_name"] is None
    assert client.get(f"{API}/contacts/{made['id']}", headers=alice.headers).json()["full_name"] is None
    lead = _create(client, alice, contact={"phone": "+1 212 555 0142"})
    assert lead["primary_contact"]["full_name"] is None
    listed = client.get(f"{API}/leads?q=globex", headers=alice.headers).json()["items"]
    assert [row["contact_name"] for row in listed] == [None]
    named = client.patch(f"{API}/contacts/{made['id']}", json={"first_name": "Ola"}, headers=alice.headers)
    assert named.json()["full_name"] == "Ola"
    unnamed = client.patch(f"{API}/contacts/{made['id']}", json={"first_name": None}, headers=alice.headers)
    assert unnamed.json()["full_name"] is None


# --- 10. the company delete conflict --------------------------------------------------------------------


def test_the_delete_conflict_counts_leads_in_good_english(client, world):
    alice = world.alice
    for count, sentence in ((1, "1 lead belongs to"), (3, "3 leads belong to")):
        company = _post(client, alice, "companies", {"name": f"Has {count}"})
        for _ in range(count):
            _post(client, alice, "leads", {"company_id": company["id"]})
        r = client.delete(f"{API}/companies/{company['id']}", headers=alice.headers)
        assert r.status_code == 409 and r.json()["detail"].startswith(sentence), r.text


# --- 11. tags -------------------------------------------------------------------------------------------


def test_tags_are_stored_in_one_form():
    assert normalize_tags(["Hot", "hot", " HOT ", "big   deal", "Big Deal", "", "  ", "q4"]) == [
        "Hot",
        "big deal",
        "q4",
    ]


@both_databases
def test_every_lead_write_stores_tags_in_one_form(client, world):
    alice = world.alice
    lead = _create(client, alice, tags=["Hot", "hot", " HOT ", "big   deal"])
    assert lead["tags"] == ["Hot", "big deal"]
    url = f"{API}/leads/{lead['id']}"
    patched = client.patch(url, json={"tags": ["VIP", "vip ", "Hot", "HOT"]}, headers=alice.headers)
    assert patched.json()["tags"] == ["VIP", "Hot"]

    def bulk(change: dict[str, Any]) -> Any:
        return client.post(
            f"{API}/leads/bulk", json={"ids": [lead["id"]], "set": change}, headers=alice.headers
        )

    assert bulk({"add_tags": ["hot", "new   one", "NEW ONE"]}).status_code == 200
    assert client.get(url, headers=alice.headers).json()["tags"] == ["VIP", "Hot", "new one"]
    assert bulk({"remove_tags": ["vip"]}).status_code == 200
    assert client.get(url, headers=alice.headers).json()["tags"] == ["Hot", "new one"]
    both = bulk({"add_tags": ["Cold"], "remove_tags": ["cold"]})
    assert _problem(both)[:2] == (422, "set.remove_tags")
    company = _post(client, alice, "companies", {"name": "Tagged", "tags": ["B2B", "b2b", " saas "]})
    assert company["tags"] == ["B2B", "saas"]


# --- 12. outputs that mirror inputs ---------------------------------------------------------------------


@both_databases
def test_a_task_answers_done_and_people_answer_updated_at(client, world):
    alice = world.alice
    lead = _create(client, alice, contact={"first_name": "Gail"})
    task = _post(client, alice, f"leads/{lead['id']}/tasks", {"title": "Call Gail"})
    assert (task["done"], task["done_at"]) == (False, None)
    url = f"{API}/leads/{lead['id']}/tasks/{task['id']}"
    done = client.patch(url, json={"done": True}, headers=alice.headers).json()
    assert done["done"] is True and done["done_at"] is not None
    assert client.get(url, headers=alice.headers).json()["done"] is True
    listed = client.get(f"{API}/leads/{lead['id']}/tasks", headers=alice.headers).json()["items"]
    assert [t["done"] for t in listed] == [True]

    company, contact = lead["company"], lead["primary_contact"]
    assert company["updated_at"] and contact["updated_at"]
    renamed = client.patch(
        f"{API}/companies/{company['id']}", json={"name": "Globex 2"}, headers=alice.headers
    )
    assert renamed.json()["updated_at"] >= company["updated_at"]
    fetched = client.get(f"{API}/contacts/{contact['id']}", headers=alice.headers).json()
    assert fetched["updated_at"] == contact["updated_at"]
