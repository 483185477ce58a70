"""The signed intake webhook: authentication, idempotency, per-row results, merge, limits."""

from __future__ import annotations

import uuid
from datetime import timedelta

import pytest
from sqlalchemy import select, update

from salesos.db.base import utcnow
from salesos.db.session import unit_of_work
from salesos.intake.models import IntakeEndpoint
from salesos.leads.models import Activity, Lead
from tests.conftest import both_databases
from tests.intake.helpers import API, counts, encode, make_endpoint, now, post, row, signed_headers


@both_databases
def test_signed_post_creates_a_lead(client, world, settings):
    ep = make_endpoint(client, world.alice)
    body = row(
        "g-1",
        company={"name": "Initech", "website": "https://www.initech.com", "city": "Austin"},
        contact={"first_name": "Peter", "email": " Peter@Initech.COM ", "phone": "(512) 555-0199"},
        tags=["scraped"],
    )
    r = post(client, ep["url"], body, ep["secret"])
    assert r.status_code == 200, r.text
    result = r.json()
    assert (result["created"], result["merged"], result["duplicates"], result["rejected"]) == (1, 0, 0, 0), (
        result["results"]
    )
    assert result["results"][0]["status"] == "created" and result["results"][0]["external_id"] == "g-1"
    lead = client.get(f"{API}/leads/{result['results'][0]['lead_id']}", headers=world.alice.headers).json()
    assert lead["source"] == "maps" and lead["tags"] == ["scraped"]
    assert lead["company"]["domain"] == "initech.com"
    assert lead["primary_contact"]["email"] == "peter@initech.com"
    assert lead["primary_contact"]["phone"] == "+15125550199"
    listed = client.get(f"{API}/intake-endpoints", headers=world.alice.headers).json()
    assert listed[0]["last_used_at"] is not None and "secret" not in listed[0]
    # The address to give the scraper, whole, as Settings shows it.
    base = settings.base_url.rstrip("/")
    assert listed[0]["url"] == ep["url"] and ep["url"].startswith(f"{base}/api/v1/intake/")


def _refusals(client, world, ep):  # type: ignore[no-untyped-def]
    raw = encode(row("x-1"))
    org_hex = world.alice.org_id.hex
    url, secret = ep["url"], ep["secret"]
    return {
        "missing": client.post(url, content=raw, headers={"Content-Type": "application/json"}),
        "wrong secret": client.post(url, content=raw, headers=signed_headers("whsec_wrong", raw)),
        "stale": client.post(url, content=raw, headers=signed_headers(secret, raw, now() - 301)),
        # Well past the 300 s tolerance: a signature 301 s ahead comes within it if the request is slow.
        "future": client.post(url, content=raw, headers=signed_headers(secret, raw, now() + 330)),
        "edited body": client.post(
            url, content=raw.replace(b"Globex", b"Evil Co"), headers=signed_headers(secret, raw)
        ),
        "garbage header": client.post(
            url, content=raw, headers={"Content-Type": "application/json", "X-SalesOS-Signature": "v1=zz"}
        ),
        "unknown endpoint": client.post(
            f"{API}/intake/ie_{org_hex}_{uuid.uuid4().hex}", content=raw, headers=signed_headers(secret, raw)
        ),
        "not an id": client.post(f"{API}/intake/nope", content=raw, headers=signed_headers(secret, raw)),
        "other org": client.post(
            f"{API}/intake/ie_{world.carol.org_id.hex}_{ep['id'].replace('-', '')}",
            content=raw,
            headers=signed_headers(secret, raw),
        ),
    }


@both_databases
def test_bad_stale_or_edited_signatures_are_refused_and_write_nothing(client, world):
    ep = make_endpoint(client, world.alice)
    before = counts(world.alice.org_id)
    answers = _refusals(client, world, ep)
    for case, r in answers.items():
        assert r.status_code == 401, (case, r.text)
        assert r.headers["content-type"] == "application/problem+json", case
    # One answer for all: an unknown endpoint can't be told from a wrong signature.
    assert len({r.json()["detail"] for r in answers.values()}) == 1
    assert counts(world.alice.org_id) == before
    listed = client.get(f"{API}/intake-endpoints", headers=world.alice.headers).json()
    assert listed[0]["last_used_at"] is None
    # Within the tolerance, either direction, it is accepted.
    assert post(client, ep["url"], row("x-2"), ep["secret"], now() - 290).status_code == 200
    assert post(client, ep["url"], row("x-3"), ep["secret"], now() + 290).status_code == 200


@both_databases
def test_revoked_endpoint_is_refused(client, world):
    ep = make_endpoint(client, world.alice)
    assert client.delete(f"{API}/intake-endpoints/{ep['id']}", headers=world.alice.headers).status_code == 204
    before = counts(world.alice.org_id)
    r = post(client, ep["url"], row("r-1"), ep["secret"])
    assert r.status_code == 401
    assert counts(world.alice.org_id) == before
    rotate = client.post(f"{API}/intake-endpoints/{ep['id']}/rotate", headers=world.alice.headers)
    assert rotate.status_code == 409


@both_databases
def test_rotation_keeps_the_old_secret_for_the_grace_period(client, world):
    ep = make_endpoint(client, world.alice)
    r = client.post(f"{API}/intake-endpoints/{ep['id']}/rotate", headers=world.alice.headers)
    assert r.status_code == 200, r.text
    new_secret = r.json()["secret"]
    assert new_secret != ep["secret"] and r.json()["url"] == ep["url"]
    assert post(client, ep["url"], row("o-1"), ep["secret"]).json()["created"] == 1
    assert post(client, ep["url"], row("n-1", "Hooli"), new_secret).json()["created"] == 1
    with unit_of_work(org_id=world.alice.org_id) as s:
        s.execute(update(IntakeEndpoint).values(previous_expires_at=utcnow() - timedelta(seconds=1)))
    before = counts(world.alice.org_id)
    assert post(client, ep["url"], row("o-2", "Umbrella"), ep["secret"]).status_code == 401
    assert counts(world.alice.org_id) == before
    assert post(client, ep["url"], row("n-2", "Umbrella"), new_secret).json()["created"] == 1


def test_same_external_id_twice_makes_one_lead(client, world):
    ep = make_endpoint(client, world.alice)
    first = post(client, ep["url"], row("dup-1", "Vandelay"), ep["secret"]).json()
    after_first = counts(world.alice.org_id)
    second = post(client, ep["url"], row("dup-1", "Vandelay Renamed"), ep["secret"]).json()
    assert second["duplicates"] == 1 and second["results"][0]["status"] == "duplicate"
    assert second["results"][0]["lead_id"] == first["results"][0]["lead_id"]
    assert counts(world.alice.org_id) == after_first
    # The same id twice inside one batch is also one lead.
    batch = post(
        client, ep["url"], {"leads": [row("dup-2", "Kramerica"), row("dup-2", "Kramerica")]}, ep["secret"]
    )
    assert [r["status"] for r in batch.json()["results"]] == ["created", "duplicate"]


@both_databases
def test_batch_with_bad_rows_creates_the_others(client, world):
    ep = make_endpoint(client, world.alice)
    before = counts(world.alice.org_id)
    body = {
        "leads": [
            row("b-1", "Alpha Co"),
            row("b-2", "Beta Co", contact={"email": "not-an-email"}),
            {"external_id": "b-3", "contact": {"first_name": "No company"}},
            row("b-4", "Delta Co", org_id=str(world.carol.org_id)),
            "not an object",
            row("b-6", "Zeta Co", contact={"phone": "12"}),
            row("b-7", "Eta Co"),
        ]
    }
    r = post(client, ep["url"], body, ep["secret"])
    assert r.status_code == 200, r.text
    result = r.json()
    assert (result["created"], result["rejected"]) == (2, 5)
    by_index = {x["index"]: x for x in result["results"]}
    assert by_index[0]["status"] == by_index[6]["status"] == "created"
    assert by_index[1]["reason"] == "contact.email: Not a valid email address."
    assert by_index[2]["reason"] == "company: Field required" and by_index[2]["external_id"] == "b-3"
    assert by_index[3]["reason"] == "org_id: Unknown field."
    assert by_index[4]["external_id"] is None and by_index[4]["status"] == "rejected"
    assert by_index[5]["reason"] == "contact.phone: Not a valid phone number."
    # Rejected rows left nothing behind (their savepoints rolled back).
    assert counts(world.alice.org_id)["companies"] == before["companies"] + 2
    # A rejected row may be sent again once fixed.
    fixed = post(client, ep["url"], row("b-2", "Beta Co", contact={"email": "ok@beta.example"}), ep["secret"])
    assert fixed.json()["created"] == 1


def test_batch_over_the_limit_is_refused_whole(client, world):
    ep = make_endpoint(client, world.alice)
    before = counts(world.alice.org_id)
    r = post(client, ep["url"], {"leads": [row(f"r-{i}") for i in range(1001)]}, ep["secret"])
    assert r.status_code == 422
    assert r.json()["errors"][0]["field"] == "leads" and "at most 1,000" in r.json()["detail"]
    assert counts(world.alice.org_id) == before
    bad_json = post(client, ep["url"], b"{nope", ep["secret"])
    assert bad_json.status_code == 400 and bad_json.headers["content-type"] == "application/problem+json"


def test_bodies_over_one_mib_are_accepted_up_to_the_intake_limit(client, world):
    ep = make_endpoint(client, world.alice)
    padding = "x" * 290
    company = {"address": padding, "industry": padding[:120]}
    rows = [row(f"big-{i}", {"name": f"Company {i}", **company}, tags=["t" * 50] * 10) for i in range(300)]
    # Trailing whitespace is valid JSON: it takes the signed body past the global 1 MiB limit.
    body = {"leads": rows}
    raw = encode(body) + b" " * (1024 * 1024)
    assert len(raw) > 1024 * 1024
    r = client.post(ep["url"], content=raw, headers=signed_headers(ep["secret"], raw))
    assert r.status_code == 200, r.text[:500]
    assert r.json()["created"] == 300
    huge = b" " * (10 * 1024 * 1024 + 1)
    assert client.post(ep["url"], content=huge, headers=signed_headers(ep["secret"], huge)).status_code == 413


@both_databases
def test_merge_by_email_fills_blanks_and_writes_an_activity(client, world):
    made = client.post(
        f"{API}/leads",
        json={
            "company": {"name": "Soylent"},
            "contact": {"first_name": "Sol", "email": "sol@soylent.example"},
        },
        headers=world.alice.headers,
    ).json()
    ep = make_endpoint(client, world.alice)
    incoming = row(
        "m-1",
        company={"name": "Soylent Corp (scraped)", "city": "New York", "phone": "+1 212 555 0123"},
        contact={
            "first_name": "Solomon",
            "last_name": "Green",
            "email": " SOL@Soylent.example",
            "title": "CEO",
        },
        tags=["nyc"],
    )
    r = post(client, ep["url"], incoming, ep["secret"]).json()
    assert r["merged"] == 1 and r["results"][0]["lead_id"] == made["id"]
    lead = client.get(f"{API}/leads/{made['id']}", headers=world.alice.headers).json()
    assert lead["company"]["name"] == "Soylent"  # never overwritten
    assert lead["company"]["city"] == "New York" and lead["company"]["phone"] == "+12125550123"
    assert lead["primary_contact"]["first_name"] == "Sol" and lead["primary_contact"]["last_name"] == "Green"
    assert lead["primary_contact"]["full_name"] == "Sol Green" and lead["primary_contact"]["title"] == "CEO"
    assert lead["tags"] == ["nyc"] and lead["source"] == "maps"
    with unit_of_work(write=False, org_id=world.alice.org_id) as s:
        merged = s.scalars(select(Activity).where(Activity.kind == "merged")).one()
        assert merged.lead_id == uuid.UUID(made["id"])
        assert merged.data["source"] == "maps"
        assert set(merged.data["fields"]) >= {"company.city", "company.phone", "contact.last_name", "tags"}
        assert s.scalar(select(Lead.id).where(Lead.id != merged.lead_id, Lead.source == "maps")) is None
    again = post(client, ep["url"], incoming, ep["secret"]).json()
    assert again["duplicates"] == 1


@pytest.mark.parametrize(
    "method,path", [("GET", ""), ("POST", ""), ("POST", "/{id}/rotate"), ("DELETE", "/{id}")]
)
def test_management_needs_an_admin(client, world, method, path):
    ep = make_endpoint(client, world.alice)
    url = f"{API}/intake-endpoints" + path.format(id=ep["id"])
    kwargs = {"json": {"name": "Bob's"}} if method == "POST" and not path else {}
    r = client.request(method, url, headers=world.bob.headers, **kwargs)
    assert r.status_code == 403, r.text
    assert client.get(f"{API}/intake-endpoints", headers=world.alice.headers).json()[0]["revoked_at"] is None
