"""A role changes only after a confirmation that names the person and the role, and they are told."""

from __future__ import annotations

import uuid
from typing import Any

from tests.conftest import both_databases
from tests.notifications.helpers import notifications_of
from tests.orgs.helpers import give_work
from tests.web.test_board import browser, sign_in  # noqa: F401  (browser is a fixture)

API = "/api/v1"


def _role_of(client: Any, world: Any) -> str:
    member = client.get(f"{API}/members/{world.bob.member_id}", headers=world.alice.headers).json()
    return str(member["role"])


def _told(person: Any) -> list[str]:
    return [n.payload["role_phrase"] for n in notifications_of(person) if n.type == "role_changed"]


def test_choosing_a_role_only_asks_naming_the_person_and_the_role(client, browser, world):  # noqa: F811
    b = browser()
    token = sign_in(b, world.alice)
    members = b.get("/settings/members").text
    assert 'hx-trigger="change"' not in members, "a mis-click in the dropdown must not apply"
    assert f'<form method="get" action="/settings/members/{world.bob.member_id}/role"' in members
    assert "Change role<span" in members

    asked = b.get(f"/settings/members/{world.bob.member_id}/role", params={"role": "viewer"})
    assert asked.status_code == 200
    assert "Make Bob Brooks a viewer?" in asked.text and "Viewers can only read" in asked.text
    assert _role_of(client, world) == "member" and _told(world.bob) == []

    done = b.post(
        f"/settings/members/{world.bob.member_id}/role", data={"role": "viewer", "csrf_token": token}
    )
    assert done.status_code == 303 and _role_of(client, world) == "viewer"
    assert _told(world.bob) == ["a viewer"]


def test_a_demotion_to_viewer_warns_about_the_work_they_hold(client, browser, world):  # noqa: F811
    give_work(world.bob, world.alice, leads=2, tasks=0)
    b = browser()
    sign_in(b, world.alice)
    asked = b.get(f"/settings/members/{world.bob.member_id}/role", params={"role": "viewer"}).text
    assert "Bob Brooks owns 2 leads and has no open tasks." in asked
    admin = b.get(f"/settings/members/{world.bob.member_id}/role", params={"role": "admin"}).text
    assert "Make Bob Brooks an admin?" in admin and "owns 2 leads" not in admin


@both_databases
def test_the_member_is_told_their_new_role_once(client, world):
    for role in ("admin", "admin", "member"):
        changed = client.patch(
            f"{API}/members/{world.bob.member_id}", json={"role": role}, headers=world.alice.headers
        )
        assert changed.status_code == 200
    assert _told(world.bob) == ["an admin", "a member"], "setting the same role again tells nobody"
    items = client.get(f"{API}/notifications", headers=world.bob.headers).json()["items"]
    assert [i["text"] for i in items if i["type"] == "role_changed"] == [
        "Alice Anders made you a member",
        "Alice Anders made you an admin",
    ]


def test_asking_for_the_same_role_or_the_owner_changes_nothing(client, browser, world):  # noqa: F811
    b = browser()
    sign_in(b, world.alice)
    same = b.get(f"/settings/members/{world.bob.member_id}/role", params={"role": "member"})
    assert same.status_code == 200 and "Bob Brooks is already a member." in same.text
    owner = b.get(f"/settings/members/{world.alice.member_id}/role", params={"role": "viewer"})
    assert owner.status_code == 403 and "transferring ownership" in owner.text
    bad = b.get(f"/settings/members/{world.bob.member_id}/role", params={"role": "owner"})
    assert bad.status_code == 422


def test_only_admins_are_asked_and_other_orgs_see_nothing(client, browser, world):  # noqa: F811
    member, outsider = browser(), browser()
    sign_in(member, world.bob)
    sign_in(outsider, world.carol)
    path = f"/settings/members/{world.alice.member_id}/role"
    assert member.get(path, params={"role": "viewer"}).status_code == 403
    assert (
        outsider.get(f"/settings/members/{world.bob.member_id}/role", params={"role": "viewer"}).status_code
        == 404
    )
    assert (
        outsider.get(f"/settings/members/{uuid.uuid4()}/role", params={"role": "viewer"}).status_code == 404
    )


# --- ownership --------------------------------------------------------------------------------------------


def test_the_transfer_confirmation_names_the_new_owner(client, browser, world):  # noqa: F811
    b = browser()
    token = sign_in(b, world.alice)
    org_page = b.get("/settings/organization").text
    assert '<form method="get" action="/settings/organization/transfer"' in org_page
    asked = b.get("/settings/organization/transfer", params={"member_id": str(world.bob.member_id)})
    assert asked.status_code == 200
    assert "Transfer ownership of Acme Alpha to Bob Brooks? You will become an admin." in asked.text
    assert _role_of(client, world) == "member", "asking transfers nothing"
    moved = b.post(
        "/settings/organization/transfer", data={"member_id": str(world.bob.member_id), "csrf_token": token}
    )
    assert moved.status_code == 303 and _role_of(client, world) == "owner"


def test_the_transfer_confirmation_is_the_owners_alone(client, browser, world):  # noqa: F811
    member, outsider = browser(), browser()
    sign_in(member, world.bob)
    sign_in(outsider, world.carol)
    params = {"member_id": str(world.alice.member_id)}
    assert member.get("/settings/organization/transfer", params=params).status_code == 403
    foreign = outsider.get("/settings/organization/transfer", params={"member_id": str(world.bob.member_id)})
    ghost = outsider.get("/settings/organization/transfer", params={"member_id": str(uuid.uuid4())})
    assert foreign.status_code == ghost.status_code == 404
    assert "Bob Brooks" not in foreign.text
