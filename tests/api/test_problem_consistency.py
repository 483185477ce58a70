"""One problem for one mistake: every kind of unparseable JSON body gets the same answer, and a malformed id
in a path answers exactly like an unknown one."""

from __future__ import annotations

import uuid

from tests.support.openapi import operations

API = "/api/v1"
MALFORMED = {
    "type": "about:blank",
    "title": "Malformed JSON",
    "status": 400,
    "detail": "The request body is not valid JSON.",
}


def _problem(response) -> dict[str, object]:  # type: ignore[no-untyped-def]
    assert response.headers["content-type"].startswith("application/problem+json"), response.text
    return {k: v for k, v in response.json().items() if k not in ("instance", "request_id")}


def test_every_unparseable_json_body_is_the_same_problem(client, world):
    headers = {**world.alice.headers, "content-type": "application/json"}
    bodies = {
        "bad syntax": b'{"company": {"name": "x"',
        "not utf-8": b'{"company": {"name": "\xff"}}',
        "too deep": b"[" * 5000 + b"]" * 5000,
    }
    for name, body in bodies.items():
        r = client.post(f"{API}/leads", content=body, headers=headers)
        assert r.status_code == 400 and _problem(r) == MALFORMED, (name, r.text)


def test_a_malformed_id_answers_exactly_like_an_unknown_one(client, world):
    """For every readable route with ids in its path, each id in turn made malformed."""
    spec = client.get("/api/openapi.json").json()
    checked = 0
    for op in operations(spec):
        if op.method != "GET" or not op.params or op.streaming:
            continue
        real = {p: world.ids[p] for p in op.params}
        for param in op.params:
            unknown = client.get(op.url({**real, param: uuid.uuid4()}), headers=world.alice.headers)
            malformed = client.get(op.url({**real, param: "not-an-id"}), headers=world.alice.headers)
            assert unknown.status_code == 404, (op.path, param, unknown.text)
            assert (malformed.status_code, _problem(malformed)) == (404, _problem(unknown)), (op.path, param)
            checked += 1
    assert checked >= 10
    r = client.get(f"{API}/leads/42", headers=world.alice.headers)
    assert _problem(r)["detail"] == "Lead not found."
