"""The lead list's filters are read as one model from the query string: refused values are located like
any query parameter's, unknown parameters are refused (a misspelt filter would list everything), and the
OpenAPI document still lists them."""

from __future__ import annotations

from salesos.leads.schemas import LeadFilters

API = "/api/v1/leads"


def test_a_refused_filter_is_a_422_on_that_field(client, world) -> None:
    for query, field in (
        ("tier=Z", "tier"),
        ("stage_id=not-a-uuid", "stage_id"),
        ("created_after=2026-01-01T00:00:00", "created_after"),  # no timezone: ambiguous
        ("q=" + "x" * 201, "q"),
        ("sort=-colour", "sort"),
    ):
        response = client.get(f"{API}?{query}", headers=world.alice.headers)
        assert response.status_code == 422, (query, response.text)
        assert [e["field"] for e in response.json()["errors"]] == [field], (query, response.json())


def test_filters_parse_from_text_and_other_parameters_keep_their_own_rules(client, world) -> None:
    ok = client.get(
        f"{API}?limit=1&stage_id={world.ids['stage_id']}&created_after=2020-01-01T00:00:00Z&q=%20acme%20",
        headers=world.alice.headers,
    )
    assert ok.status_code == 200, ok.text
    assert client.get(f"{API}?limit=0", headers=world.alice.headers).status_code == 422
    unknown = client.get(f"{API}?utm_source=mail", headers=world.alice.headers)
    assert unknown.status_code == 422 and unknown.json()["errors"] == [
        {"field": "utm_source", "message": "Unknown field."}
    ]


def test_the_openapi_document_lists_every_filter_as_a_query_parameter(client) -> None:
    spec = client.get("/api/openapi.json").json()
    for path in (API, f"{API}/export.csv"):
        parameters = {p["name"]: p for p in spec["paths"][path]["get"]["parameters"]}
        assert set(LeadFilters.model_fields) <= set(parameters), path
        assert all(parameters[name]["in"] == "query" for name in LeadFilters.model_fields)
        assert parameters["tier"]["schema"]["anyOf"][0]["enum"] == ["A", "B", "C"]
        assert parameters["q"]["description"]
