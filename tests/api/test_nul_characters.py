"""NUL characters: PostgreSQL refuses them in text (its driver raises, a 500) where SQLite stores them. Any
way text comes in (JSON body, query string, urlencoded form, path) they are a clear 4xx, and nothing is
written on either database."""

from __future__ import annotations

from tests.api.test_bad_input import _row_counts, _tenant_counts
from tests.conftest import both_databases
from tests.web.test_pages import browser, sign_in  # noqa: F401  (browser is a fixture)

API = "/api/v1"
NUL_MESSAGE = "Text can't contain NUL characters (\\u0000)."


def _written(world) -> tuple[dict[str, int], dict[str, int]]:  # type: ignore[no-untyped-def]
    return _row_counts(), _tenant_counts(world.alice.org_id)


def _field_error(response) -> dict[str, str]:  # type: ignore[no-untyped-def]
    assert response.status_code == 422, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    problem = response.json()
    assert problem["title"] == "Validation failed" and problem["request_id"]
    (error,) = problem["errors"]
    return error  # type: ignore[no-any-return]


@both_databases
def test_a_nul_anywhere_in_a_json_body_is_a_422_on_its_field(client, world):
    before = _written(world)
    bodies = {
        "company.name": {"company": {"name": "nul\u0000byte"}},
        "tags": {"company": {"name": "Tagged"}, "tags": ["ok", "b\u0000d"]},
        "custom_fields": {"company": {"name": "Custom"}, "custom_fields": {"k\u0000": "v"}},
        "contact.email": {"company": {"name": "Mail"}, "contact": {"email": "a\u0000@b.example"}},
    }
    for field, body in bodies.items():
        r = client.post(f"{API}/leads", json=body, headers=world.alice.headers)
        assert _field_error(r) == {"field": field, "message": NUL_MESSAGE}, field
    patched = client.patch(f"{API}/org", json={"name": "A\u0000"}, headers=world.alice.headers)
    assert _field_error(patched)["field"] == "name"
    assert _written(world) == before


@both_databases
def test_a_nul_in_the_query_string_is_a_422_on_that_parameter(client, world):
    before = _written(world)
    for path, field in (
        ("/leads?q=%00", "q"),
        ("/leads?tag=a%00b&limit=5", "tag"),
        ("/companies?cursor=%00", "cursor"),
        ("/leads/export.csv?q=x%00", "q"),
        ("/calendar/events?start=%00", "start"),
    ):
        r = client.get(API + path, headers=world.alice.headers)
        assert _field_error(r) == {"field": field, "message": NUL_MESSAGE}, path
    # Not only reads: a query string on a write is refused before the write runs.
    r = client.post(f"{API}/leads?x=%00", json={"company": {"name": "Q"}}, headers=world.alice.headers)
    assert r.status_code == 422
    assert _written(world) == before


@both_databases
def test_a_nul_in_a_web_form_is_refused_and_writes_nothing(client, browser, world):  # noqa: F811
    b = browser()
    token = sign_in(b, world.alice.email)
    before = _written(world)
    lead_id = world.ids["lead_id"]
    note = b.post(f"/leads/{lead_id}/notes", data={"body": "hello\x00there", "csrf_token": token})
    assert note.status_code == 422 and note.headers["content-type"].startswith("text/html")
    assert "NUL characters" in note.text
    # A sign-in looks the email up before any schema could refuse it (and counts failures).
    login = browser().post("/login", data={"email": "alice\x00@a.example", "password": "x"})
    assert login.status_code == 422 and "NUL characters" in login.text
    # The API's own answer when a form is posted to it.
    form = client.post(f"{API}/auth/token", data={"email": "a\x00"}, headers={"Accept": "application/json"})
    assert _field_error(form) == {"field": "email", "message": NUL_MESSAGE}
    assert _written(world) == before


@both_databases
def test_a_nul_in_the_path_names_nothing(client, world):
    for path in (f"{API}/calendar/feed/abc%00def.ics", f"{API}/leads/%00", "/reset-password/%00"):
        r = client.get(path, headers=world.alice.headers)
        assert r.status_code == 404, (path, r.text)
