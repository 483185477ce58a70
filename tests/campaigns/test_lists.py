"""A campaign over the user's own list (CSV or JSON): checked on upload, then enriched like any source."""

from __future__ import annotations

from pathlib import Path

from typer.testing import CliRunner

from salesos.cli import app
from salesos.jobs.testing import drain
from tests.campaigns.test_cli import _slug

API = "/api/v1/campaigns"
BODY = {"name": "My list", "business_type": "dentists", "location": "Austin, TX", "sources": ["file"]}


def list_csv(fakes) -> bytes:  # type: ignore[no-untyped-def]
    bright, lakeside = fakes.practices[0], fakes.practices[1]
    port = fakes.web.port
    return (
        "Business Name,Website,Phone,City,Reviews,Rating\n"
        f"Bright Smiles Dental,http://{bright.domain}:{port}/,(512) 555-0100,Austin,12,4.9\n"
        f"{lakeside.name},http://{lakeside.domain}:{port}/,(512) 555-0101,Austin,300,4.1\n"
        "Corner Dental (no site),,(512) 555-0199,Austin,,\n"
    ).encode()


def upload(client, person, campaign_id: str, name: str, data: bytes):  # type: ignore[no-untyped-def]
    files = {"file": (name, data, "text/csv")}
    return client.put(f"{API}/{campaign_id}/list", files=files, headers=person.headers)


def test_a_list_is_checked_then_enriched_and_scored(client, world, prospecting, fakes, tmp_path):
    draft = client.post(API, json={**BODY, "start": False}, headers=world.alice.headers).json()
    url = f"{API}/{draft['id']}"
    not_yet = client.post(f"{url}/start", headers=world.alice.headers)
    assert not_yet.status_code == 422 and "Upload the list" in not_yet.text

    assert upload(client, world.alice, draft["id"], "places.xlsx", b"x").status_code == 422
    nameless = upload(client, world.alice, draft["id"], "places.csv", b"Website,Phone\nhttp://a.example,1\n")
    assert nameless.status_code == 422 and "business name" in nameless.text
    stored = tmp_path / "campaign_lists" / str(world.alice.org_id)
    assert not stored.exists() or not any(stored.glob("*"))  # refused uploads leave nothing

    attached = upload(client, world.alice, draft["id"], "austin.csv", list_csv(fakes))
    assert attached.status_code == 200, attached.text
    assert (attached.json()["filename"], attached.json()["businesses"]) == ("austin.csv", 3)

    assert client.post(f"{url}/start", headers=world.alice.headers).status_code == 200
    running = upload(client, world.alice, draft["id"], "other.csv", list_csv(fakes))
    assert running.status_code == 409 and "Pause the campaign" in running.text
    drain(max_rounds=10)
    done = client.get(url, headers=world.alice.headers).json()
    assert (done["status"], done["found"], done["enriched"]) == ("completed", 3, 3)
    items = {
        p["name"]: p for p in client.get(f"{url}/prospects", headers=world.alice.headers).json()["items"]
    }
    assert items["Bright Smiles Dental"]["tier"] == "A"
    assert (items["Bright Smiles Dental"]["rating"], items["Bright Smiles Dental"]["review_count"]) == (
        4.9,
        12,
    )
    assert items["Corner Dental (no site)"]["website"] is None and items["Corner Dental (no site)"]["score"]

    # Deleting the campaign removes its list.
    assert len(list(stored.glob("*"))) == 1
    assert client.delete(url, headers=world.alice.headers).status_code == 204
    assert list(stored.glob("*")) == []


def test_discover_enriches_a_list_file_from_the_terminal(prospecting, world, fakes, tmp_path: Path):
    path = tmp_path / "austin.csv"
    path.write_bytes(list_csv(fakes))
    args = ["discover", "dentists", "Austin, TX", "--org", _slug(world.alice.org_id), "--file", str(path)]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 0, result.output
    assert "Found 3 businesses, 3 new." in result.output and "3 enriched" in result.output
