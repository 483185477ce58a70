"""Query strings are read strictly on every API route: a parameter the route doesn't read is a 422 (a
misspelt filter would otherwise list everything), and so is a single-valued one given twice (FastAPI would
silently use the last value)."""

from __future__ import annotations

from fastapi import FastAPI, Query
from fastapi.testclient import TestClient

from salesos.api import problems
from salesos.api.query import refuse_unread_parameters_under
from salesos.leads.schemas import CompanyIn, LeadCreateIn
from tests.leads.factories import _alice

API = "/api/v1"
REPEATED = "This parameter was given more than once; send it once."


def _errors(response) -> list[dict[str, str]]:  # type: ignore[no-untyped-def]
    assert response.status_code == 422, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    return response.json()["errors"]  # type: ignore[no-any-return]


def _tagged_leads(world) -> None:  # type: ignore[no-untyped-def]
    from salesos.db.session import unit_of_work
    from salesos.leads.service import leads

    with unit_of_work(org_id=world.alice.org_id, user_id=world.alice.user_id) as session:
        for tag in ("dental", "salon"):
            data = LeadCreateIn(company=CompanyIn(name=f"{tag.title()} Co"), tags=[tag])
            leads.create_lead(session, _alice(world), data)


def test_a_filter_given_twice_is_a_422_not_its_last_value(client, world):
    _tagged_leads(world)
    r = client.get(f"{API}/leads?tag=dental&tag=salon", headers=world.alice.headers)
    assert _errors(r) == [{"field": "tag", "message": REPEATED}]
    once = client.get(f"{API}/leads?tag=salon", headers=world.alice.headers).json()["items"]
    assert [lead["company_name"] for lead in once] == ["Salon Co"]


def test_a_plain_parameter_given_twice_is_a_422_too(client, world):
    for path, field in (
        ("/leads?limit=5&limit=200", "limit"),
        ("/leads/export.csv?sort=value&sort=-value", "sort"),
        ("/members?limit=1&limit=2", "limit"),
        ("/companies?cursor=a&cursor=b", "cursor"),
        ("/notifications?unread=true&unread=false", "unread"),
    ):
        r = client.get(API + path, headers=world.alice.headers)
        assert _errors(r) == [{"field": field, "message": REPEATED}], path


def test_lists_refuse_parameters_they_do_not_read(client, world):
    for path in (
        "/companies?q=maple",
        "/companies?bogus=1",
        "/contacts?bogus=1",
        "/contacts?company=x",
        "/notifications?bogus=1",
        "/members?bogus=1",
        "/intake-endpoints?bogus=1",
    ):
        r = client.get(API + path, headers=world.alice.headers)
        name = path.split("?")[1].split("=")[0]
        assert _errors(r) == [{"field": name, "message": "Unknown field."}], path
    # What they do read still works, and an unknown parameter is reported once however often it is sent.
    assert client.get(f"{API}/companies?limit=1", headers=world.alice.headers).status_code == 200
    contacts = client.get(f"{API}/contacts?company_id={world.ids['company_id']}", headers=world.alice.headers)
    assert contacts.status_code == 200
    unread = client.get(f"{API}/notifications?unread=true&limit=5", headers=world.alice.headers)
    assert unread.status_code == 200
    twice = client.get(f"{API}/companies?x=1&x=2", headers=world.alice.headers)
    assert _errors(twice) == [{"field": "x", "message": "Unknown field."}]


def test_writes_refuse_unread_parameters_before_writing(client, world):
    before = client.get(f"{API}/companies", headers=world.alice.headers).json()["items"]
    r = client.post(f"{API}/companies?dry_run=1", json={"name": "Maple"}, headers=world.alice.headers)
    assert _errors(r) == [{"field": "dry_run", "message": "Unknown field."}]
    assert client.get(f"{API}/companies", headers=world.alice.headers).json()["items"] == before


def test_the_export_refuses_paging_parameters(client, world):
    for query in ("limit=5", "cursor=abc"):
        r = client.get(f"{API}/leads/export.csv?{query}", headers=world.alice.headers)
        assert _errors(r) == [{"field": query.split("=")[0], "message": "Unknown field."}], query
    assert client.get(f"{API}/leads/export.csv?tier=A", headers=world.alice.headers).status_code == 200


def test_list_parameters_may_repeat_and_other_routes_are_left_alone() -> None:
    """The rule follows each route's own declarations: a list parameter takes every value."""
    app = FastAPI()
    problems.install(app)

    @app.get("/api/v1/things")
    def things(tag: list[str] = Query(default=[]), page: int = 1) -> dict[str, object]:
        return {"tag": tag, "page": page}

    @app.get("/elsewhere")
    def elsewhere() -> dict[str, str]:
        return {"ok": "yes"}

    refuse_unread_parameters_under(app.routes, "/api/v1")
    with TestClient(app) as c:
        assert c.get("/api/v1/things?tag=a&tag=b").json() == {"tag": ["a", "b"], "page": 1}
        twice = c.get("/api/v1/things?page=1&page=2").json()["errors"]
        assert twice == [{"field": "page", "message": REPEATED}]
        assert c.get("/api/v1/things?pages=2").status_code == 422
        assert c.get("/elsewhere?anything=1").status_code == 200
