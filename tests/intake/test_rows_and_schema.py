"""The intake body: malformed ones answered like the rest of the API, rows refused in the API's words, and
the row's schema in the OpenAPI document."""

from __future__ import annotations

from salesos.intake.signing import SIGNATURE_HEADER, sign
from tests.conftest import both_databases
from tests.intake.helpers import counts, encode, make_endpoint, post, row

MALFORMED = {
    "type": "about:blank",
    "title": "Malformed JSON",
    "status": 400,
    "detail": "The request body is not valid JSON.",
}


def _post_raw(client, ep, raw: bytes):  # type: ignore[no-untyped-def]
    headers = {"Content-Type": "application/json", SIGNATURE_HEADER: sign(ep["secret"], raw)}
    return client.post(ep["url"], content=raw, headers=headers)


def test_a_malformed_body_is_the_apis_malformed_json_problem(client, world):
    ep = make_endpoint(client, world.alice)
    before = counts(world.alice.org_id)
    for name, raw in {
        "bad syntax": b'{"external_id": "1",',
        "not utf-8": b'{"external_id": "\xff"}',
        "too deep": b"[" * 5000 + b"]" * 5000,
    }.items():
        r = _post_raw(client, ep, raw)
        assert r.status_code == 400, (name, r.text)
        problem = {k: v for k, v in r.json().items() if k not in ("instance", "request_id")}
        assert problem == MALFORMED, name
    assert counts(world.alice.org_id) == before


def test_rejected_rows_say_why_in_the_apis_words(client, world):
    ep = make_endpoint(client, world.alice)
    body = {
        "leads": [
            row("w-1", company={"name": "Web Co", "website": "not a web address"}),
            "not a row",
            row("c-1", company="x") | {"company": "Just a name"},
            row("u-1", colour="blue"),
        ]
    }
    results = post(client, ep["url"], body, ep["secret"]).json()["results"]
    assert [r["reason"] for r in results] == [
        "company.website: Enter a web address such as https://example.com.",
        "Each row must be a JSON object.",
        "company: Must be a JSON object.",
        "colour: Unknown field.",
    ]
    assert all(r["status"] == "rejected" for r in results)


@both_databases
def test_a_row_with_a_nul_is_rejected_and_writes_nothing(client, world):
    ep = make_endpoint(client, world.alice)
    before = counts(world.alice.org_id)
    body = {"leads": [row("n-1", company="nul\u0000byte"), row("n-2", tags=["ok", "b\u0000d"])]}
    results = post(client, ep["url"], body, ep["secret"]).json()["results"]
    assert [(r["status"], r["reason"]) for r in results] == [
        ("rejected", "company.name: Text can't contain NUL characters (\\u0000)."),
        ("rejected", "tags: Text can't contain NUL characters (\\u0000)."),
    ]
    assert counts(world.alice.org_id) == before


def test_an_upper_case_signature_is_accepted(client, world):
    ep = make_endpoint(client, world.alice)
    raw = encode(row("hex-1"))
    timestamp, digest = sign(ep["secret"], raw).split(",v1=")
    headers = {"Content-Type": "application/json", SIGNATURE_HEADER: f"{timestamp},v1={digest.upper()}"}
    r = client.post(ep["url"], content=raw, headers=headers)
    assert r.status_code == 200 and r.json()["created"] == 1, r.text


def test_the_openapi_document_describes_the_row(client):
    spec = client.get("/api/openapi.json").json()
    body = spec["paths"]["/api/v1/intake/{endpoint_id}"]["post"]["requestBody"]
    schema = body["content"]["application/json"]["schema"]
    refs = [option["$ref"].rsplit("/", 1)[-1] for option in schema["oneOf"]]
    assert refs == ["IntakeRowIn", "IntakeBatchIn"]
    components = spec["components"]["schemas"]
    row_schema = components["IntakeRowIn"]
    assert set(row_schema["required"]) == {"external_id", "company"}
    assert set(row_schema["properties"]) == {"external_id", "company", "contact", "tags", "source"}
    assert all(p.get("description") for p in row_schema["properties"].values())
    assert row_schema["additionalProperties"] is False
    batch = components["IntakeBatchIn"]["properties"]["leads"]
    assert batch["items"] == {"$ref": "#/components/schemas/IntakeRowIn"} and batch["maxItems"] == 1000
    # Every schema the row refers to is in the document too.
    assert {"CompanyIn", "ContactIn"} <= set(components)
    assert "name" in components["CompanyIn"]["required"]
