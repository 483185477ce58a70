"""The leads nobody owns: owner_id=none on the API, the export and bulk, "Nobody (unassigned)" on the
list and board filters."""

from __future__ import annotations

from tests.conftest import both_databases
from tests.web import test_board
from tests.web.test_board import sign_in

API = "/api/v1/leads"
browser = test_board.browser  # the fixture, shared with the board tests


def _lead(client, person, name: str, **extra):  # type: ignore[no-untyped-def]
    r = client.post(API, json={"company": {"name": name}, **extra}, headers=person.headers)
    assert r.status_code == 201, r.text
    return r.json()


def _unowned(client, world) -> str:  # type: ignore[no-untyped-def]
    """Three leads: one Bob's, one Alice's, one nobody's; returns the last one's id."""
    _lead(client, world.alice, "Owned By Bob", owner_id=str(world.bob.user_id))
    _lead(client, world.alice, "Owned By Alice", owner_id=str(world.alice.user_id))
    loose = _lead(client, world.alice, "Nobody Has It")
    r = client.patch(f"{API}/{loose['id']}", json={"owner_id": None}, headers=world.alice.headers)
    assert r.status_code == 200 and r.json()["owner_id"] is None
    return str(loose["id"])


@both_databases
def test_owner_id_none_lists_exports_and_bulk_updates_the_leads_nobody_owns(client, world):
    loose = _unowned(client, world)
    listed = client.get(f"{API}?owner_id=none", headers=world.alice.headers).json()["items"]
    names = {row["company_name"] for row in listed}
    assert "Nobody Has It" in names and not any(n.startswith("Owned By") for n in names), names
    assert loose in {row["id"] for row in listed}
    exported = client.get(f"{API}/export.csv?owner_id=none", headers=world.alice.headers).text
    assert "Nobody Has It" in exported and "Owned By" not in exported
    bulk = {"filter": {"owner_id": "none", "q": "nobody"}, "set": {"owner_id": str(world.bob.user_id)}}
    done = client.post(f"{API}/bulk", json=bulk, headers=world.alice.headers).json()
    assert (done["matched"], done["updated"]) == (1, 1), done
    assert client.get(f"{API}?owner_id=none&q=nobody", headers=world.alice.headers).json()["items"] == []
    # Anything else that is not a member's id is still refused.
    assert client.get(f"{API}?owner_id=nobody", headers=world.alice.headers).status_code == 422
    # Another org's unowned leads are not this org's.
    theirs = client.get(f"{API}?owner_id=none", headers=world.carol.headers).json()["items"]
    assert loose not in {row["id"] for row in theirs}


def test_the_list_and_board_filter_by_nobody(client, browser, world):
    _unowned(client, world)
    b = browser()
    sign_in(b, world.alice)
    for path in ("/leads/list?owner=none", "/leads?owner=none"):
        page = b.get(path).text
        assert "Nobody Has It" in page and "Owned By Bob" not in page, path
        assert '<option value="none" selected>Nobody (unassigned)</option>' in page, path
