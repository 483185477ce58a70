"""``salesos import`` in-process with its counts, and the browser flow: upload, map, start, progress."""

from __future__ import annotations

import re

from sqlalchemy import select
from typer.testing import CliRunner

from salesos.cli import app
from salesos.db.session import unit_of_work
from salesos.jobs.testing import drain
from salesos.leads.models import Company, Lead
from salesos.orgs.repository import OrganizationRepository
from tests.imports.helpers import lead_count
from tests.web.test_pages import browser, sign_in  # noqa: F401  (browser is a fixture)

CSV = (
    b"First Name,Last Name,Email,Company name,Phone Number\n"
    b"Ann,Lee,ann@hs.example,HubCo,\nBen,Ode,ANN@hs.example,HubCo,\nCid,Ray,bad,Bad Co,\n"
)


def _slug(org_id):  # type: ignore[no-untyped-def]
    with unit_of_work(write=False, org_id=org_id) as s:
        return OrganizationRepository(s).current().slug  # type: ignore[union-attr]


def test_cli_import_with_preset(world, tmp_path):
    before = lead_count(world.alice.org_id)
    path = tmp_path / "hubspot.csv"
    path.write_bytes(CSV)
    result = CliRunner().invoke(
        app, ["import", str(path), "--org", _slug(world.alice.org_id), "--preset", "hubspot"]
    )
    assert result.exit_code == 0, result.output
    assert "1 created" in result.output and "1 merged" in result.output and "1 rejected" in result.output
    assert lead_count(world.alice.org_id) == before + 1
    missing = CliRunner().invoke(app, ["import", str(path), "--org", "no-such-org"])
    assert missing.exit_code == 1


def test_browser_upload_map_start_and_progress(client, browser, world):  # noqa: F811
    b = browser()
    token = sign_in(b, world.alice.email)
    assert 'href="/leads/import"' in b.get("/leads").text
    assert b.get("/leads/import").status_code == 200
    # A form sent with no file chosen says so (a browser sends the empty input as a nameless part).
    nothing = b.post(
        "/leads/import", data={"csrf_token": token}, files={"file": ("", b"", "application/octet-stream")}
    )
    assert nothing.status_code == 422 and "Choose a CSV file to upload." in nothing.text
    up = b.post(
        "/leads/import",
        data={"csrf_token": token, "preset": "hubspot"},
        files={"file": ("h.csv", CSV, "text/csv")},
    )
    assert up.status_code == 303, up.text
    url = up.headers["location"]
    mapping = b.get(url)
    assert (
        mapping.status_code == 200
        and "HubCo" in mapping.text
        and 'value="company_name" selected' in mapping.text
    )
    form = {f"col_{i}": f for i, f in enumerate(["first_name", "last_name", "email", "company_name", ""])}
    preview = b.post(f"{url}/preview", data={"csrf_token": token, **form}, headers={"HX-Request": "true"})
    assert preview.status_code == 200 and "ann@hs.example" in preview.text and "<html" not in preview.text
    bad = b.post(f"{url}/start", data={"csrf_token": token, **form, "col_3": ""})
    assert bad.status_code == 422 and "Company name" in bad.text
    started = b.post(f"{url}/start", data={"csrf_token": token, **form})
    assert started.status_code == 303
    queued = b.get(f"{url}/progress", headers={"HX-Request": "true"})
    assert 'hx-trigger="every 1s"' in queued.text
    drain()
    done = b.get(f"{url}/progress", headers={"HX-Request": "true"}).text
    assert "100%" in done and "every 1s" not in done and "rejected.csv" in done
    assert re.search(r"1 created · 1 merged", done)
    # Carol can't see org A's import page.
    c = browser()
    sign_in(c, world.carol.email)
    assert c.get(url).status_code == 404


def test_mapping_screen_gives_unnamed_new_leads_to_the_chosen_owner(client, browser, world):  # noqa: F811
    b = browser()
    token = sign_in(b, world.alice.email)
    content = b"Company,Owner,Stage\nMine,,\nBobs,Bob Brooks,qualified\nNobody's,Zed Unknown,\n , ,\n"
    up = b.post("/leads/import", data={"csrf_token": token}, files={"file": ("o.csv", content, "text/csv")})
    url = up.headers["location"]
    screen = b.get(url).text
    # The importer is the proposed owner of new leads without one, as on the new-lead form.
    assert re.search(rf'<option value="{world.alice.user_id}" selected>Alice Anders</option>', screen)
    assert "1 of these 4 rows would be set aside; the Check column says why." in screen
    assert "Zed Unknown" in screen and '<td class="import-check">Empty: skipped</td>' in screen
    form = {"csrf_token": token, "col_0": "company_name", "col_1": "owner", "col_2": "stage"}
    refused = b.post(f"{url}/start", data={**form, "default_owner": "not-an-id"})
    assert refused.status_code == 422 and "Choose a member who can own leads." in refused.text
    started = b.post(f"{url}/start", data={**form, "default_owner": str(world.bob.user_id)})
    assert started.status_code == 303
    drain()
    with unit_of_work(write=False, org_id=world.alice.org_id) as s:
        owners = dict(s.execute(select(Company.name, Lead.owner_id).join(Lead.company)).all())
    assert owners["Mine"] == owners["Bobs"] == world.bob.user_id and "Nobody's" not in owners
    done = b.get(f"{url}/progress", headers={"HX-Request": "true"}).text
    assert "2 created · 0 merged into existing leads · 1 rejected · 1 empty row skipped" in done


def test_cli_import_gives_unnamed_new_leads_to_the_owner_named(world, tmp_path):
    path = tmp_path / "owned.csv"
    path.write_bytes(b"Company,Owner\nCli Owned,\nCli Named,Alice Anders\n")
    slug = _slug(world.alice.org_id)
    result = CliRunner().invoke(app, ["import", str(path), "--org", slug, "--owner", "BOB@a.example"])
    assert result.exit_code == 0, result.output
    with unit_of_work(write=False, org_id=world.alice.org_id) as s:
        owners = dict(s.execute(select(Company.name, Lead.owner_id).join(Lead.company)).all())
    assert (owners["Cli Owned"], owners["Cli Named"]) == (world.bob.user_id, world.alice.user_id)
    unknown = CliRunner().invoke(app, ["import", str(path), "--org", slug, "--owner", "nobody@a.example"])
    assert unknown.exit_code == 1 and "nobody@a.example" in unknown.output
