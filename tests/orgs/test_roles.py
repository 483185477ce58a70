"""Roles: viewer reads only, member can't manage members, only the owner deletes or transfers."""

from __future__ import annotations

from tests.conftest import both_databases
from tests.support.mail import link_token, sent_mail


def _set_role(client, world, role):  # type: ignore[no-untyped-def]
    r = client.patch(
        f"/api/v1/members/{world.bob.member_id}", json={"role": role}, headers=world.alice.headers
    )
    assert r.status_code == 200, r.text


@both_databases
def test_demoted_user_next_request_has_new_role(client, world):
    _set_role(client, world, "admin")
    assert (
        client.patch("/api/v1/org", json={"name": "Renamed by Bob"}, headers=world.bob.headers).status_code
        == 200
    )
    _set_role(client, world, "viewer")
    # Same access token as before: the role is read per request, not baked into the token.
    r = client.patch("/api/v1/org", json={"name": "Renamed again"}, headers=world.bob.headers)
    assert r.status_code == 403
    assert client.get("/api/v1/org", headers=world.bob.headers).json()["name"] == "Renamed by Bob"


def test_viewer_cannot_write(client, world):
    _set_role(client, world, "viewer")
    assert (
        client.post(
            "/api/v1/invitations", json={"email": "x@a.example"}, headers=world.bob.headers
        ).status_code
        == 403
    )
    assert (
        client.post(
            "/api/v1/api-keys", json={"name": "k", "scopes": ["read"]}, headers=world.bob.headers
        ).status_code
        == 403
    )
    assert client.get("/api/v1/members", headers=world.bob.headers).status_code == 200


def test_member_cannot_manage_members(client, world):
    assert (
        client.patch(
            f"/api/v1/members/{world.alice.member_id}", json={"role": "viewer"}, headers=world.bob.headers
        ).status_code
        == 403
    )
    assert (
        client.post(
            "/api/v1/invitations", json={"email": "x@a.example"}, headers=world.bob.headers
        ).status_code
        == 403
    )
    assert (
        client.delete(f"/api/v1/members/{world.alice.member_id}", headers=world.bob.headers).status_code
        == 403
    )


def test_only_owner_deletes_or_transfers(client, world):
    _set_role(client, world, "admin")
    assert (
        client.request(
            "DELETE", "/api/v1/org", json={"confirm_name": "Acme Alpha"}, headers=world.bob.headers
        ).status_code
        == 403
    )
    assert (
        client.post(
            "/api/v1/org/transfer", json={"member_id": str(world.bob.member_id)}, headers=world.bob.headers
        ).status_code
        == 403
    )
    # The owner's role can't be changed by an admin, nor the owner removed.
    assert (
        client.patch(
            f"/api/v1/members/{world.alice.member_id}", json={"role": "viewer"}, headers=world.bob.headers
        ).status_code
        == 403
    )
    moved = client.post(
        "/api/v1/org/transfer", json={"member_id": str(world.bob.member_id)}, headers=world.alice.headers
    )
    assert moved.status_code == 200 and moved.json()["role"] == "owner"
    roles = {
        m["email"]: m["role"]
        for m in client.get("/api/v1/members", headers=world.alice.headers).json()["items"]
    }
    assert roles == {world.alice.email: "admin", world.bob.email: "owner"}
    wrong_name = client.request(
        "DELETE", "/api/v1/org", json={"confirm_name": "nope"}, headers=world.bob.headers
    )
    assert wrong_name.status_code == 422
    gone = client.request(
        "DELETE", "/api/v1/org", json={"confirm_name": "Acme Alpha"}, headers=world.bob.headers
    )
    assert gone.status_code == 204
    assert client.get("/api/v1/org", headers=world.alice.headers).status_code == 401


def test_owner_role_cannot_be_assigned_directly(client, world):
    r = client.patch(
        f"/api/v1/members/{world.bob.member_id}", json={"role": "owner"}, headers=world.alice.headers
    )
    assert r.status_code == 422


@both_databases
def test_invitation_accept_joins_org(client, world, settings):
    from salesos.jobs.testing import drain

    r = client.post(
        "/api/v1/invitations", json={"email": "dina@a.example", "role": "viewer"}, headers=world.alice.headers
    )
    assert r.status_code == 201
    drain()
    mail = [m for m in sent_mail(settings.var_dir) if m["to"] == "dina@a.example"]
    assert len(mail) == 1
    token = link_token(mail[0]["text"], "invite")
    joined = client.post(
        "/api/v1/invitations/accept", json={"token": token, "name": "Dina", "password": "dina pass 123"}
    )
    assert joined.status_code == 200, joined.text
    me = client.get(
        "/api/v1/auth/me", headers={"Authorization": f"Bearer {joined.json()['access_token']}"}
    ).json()
    assert me["org"]["id"] == str(world.alice.org_id) and me["role"] == "viewer"
    reuse = client.post(
        "/api/v1/invitations/accept", json={"token": token, "name": "Eve", "password": "eve pass 1234"}
    )
    assert reuse.status_code == 409


def test_members_paginate_with_cursor(client, world):
    first = client.get("/api/v1/members?limit=1", headers=world.alice.headers).json()
    assert len(first["items"]) == 1 and first["next_cursor"]
    second = client.get(
        f"/api/v1/members?limit=1&cursor={first['next_cursor']}", headers=world.alice.headers
    ).json()
    assert len(second["items"]) == 1 and second["next_cursor"] is None
    assert {first["items"][0]["email"], second["items"][0]["email"]} == {world.alice.email, world.bob.email}
    bad = client.get("/api/v1/members?cursor=garbage", headers=world.alice.headers)
    assert bad.status_code == 422 and bad.json()["errors"][0]["field"] == "cursor"


def test_member_list_rows_match_the_documented_schema(client, world):
    """The list is serialised from projected rows: hold their labels to the MemberOut schema."""
    from salesos.orgs.schemas import MemberOut

    items = client.get("/api/v1/members", headers=world.alice.headers).json()["items"]
    assert items
    for item in items:
        assert set(item) == set(MemberOut.model_fields)
        assert MemberOut.model_validate(item).model_dump(mode="json") == item
    spec = client.get("/api/openapi.json").json()
    ok = spec["paths"]["/api/v1/members"]["get"]["responses"]["200"]
    schema = ok["content"]["application/json"]["schema"]
    assert schema["$ref"].endswith("PageOut_MemberOut_")
