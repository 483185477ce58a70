"""Stage names from other tools: the mapping lists the file's own stage values and sends each to a stage."""

from __future__ import annotations

import re
import uuid

from sqlalchemy import select
from typer.testing import CliRunner

from salesos.cli import app
from salesos.db.session import unit_of_work
from salesos.imports.models import ImportJob
from salesos.imports.service import stage_values
from salesos.jobs.testing import drain
from salesos.leads.models import Company, Lead, PipelineStage
from salesos.leads.service.pipelines import ensure_default_pipeline
from salesos.orgs.repository import OrganizationRepository
from tests.conftest import both_databases
from tests.imports.helpers import API, upload
from tests.web.test_pages import browser, sign_in  # noqa: F401  (browser is a fixture)

HUBSPOT = (
    "Company,Deal Stage,Closed Lost Reason\n"
    "Acme,Appointment Scheduled,\n"
    "Brick,Closed Won,\n"
    "Cobalt,closed won,\n"
    "Dune,Closed Lost,Budget\n"
    "Ember,Not Qualified,\n"
    "Fjord,qualified,\n"
)


def _stages(org_id: uuid.UUID) -> dict[str, uuid.UUID]:
    """The default pipeline's stages by name (the one an import fills)."""
    with unit_of_work(org_id=org_id) as session:
        return {stage.name: stage.id for stage in ensure_default_pipeline(session).stages}


def _imported(org_id: uuid.UUID) -> dict[str, str]:
    """The file's companies that became leads → their stage."""
    with unit_of_work(write=False, org_id=org_id) as session:
        rows = session.execute(
            select(Company.name, PipelineStage.name)
            .join(Lead, Lead.company_id == Company.id)
            .join(PipelineStage, PipelineStage.id == Lead.stage_id)
            .where(Company.name.in_(["Acme", "Brick", "Cobalt", "Dune", "Ember", "Fjord"]))
        )
        return dict(rows.all())


def test_a_stage_is_proposed_for_a_value_that_names_exactly_one() -> None:
    stages = [PipelineStage(id=uuid.uuid4(), name=name) for name in ("New", "Qualified", "Won", "Lost")]
    ids = {stage.name: stage.id for stage in stages}
    assert stages_for(stages, "won", "Closed Won", "closed_lost", "Not Qualified", "Won or Lost", "Demo") == [
        ids["Won"], ids["Won"], ids["Lost"], None, None, None,
    ]  # fmt: skip


def stages_for(stages, *values):  # type: ignore[no-untyped-def]
    return [stage_values.suggest(value, stages) for value in values]


@both_databases
def test_the_api_lists_the_values_and_imports_with_the_stages_given(client, world):
    alice = world.alice
    stages = _stages(alice.org_id)
    up = upload(client, alice, HUBSPOT.encode(), preset="hubspot")
    assert up.status_code == 201, up.text
    body = up.json()
    found = {v["value"]: (v["rows"], v["suggested_stage_id"]) for v in body["stage_values_found"]}
    assert found == {
        "Closed Won": (2, str(stages["Won"])),  # "closed won" counted with it, first spelling kept
        "Appointment Scheduled": (1, None),
        "Closed Lost": (1, str(stages["Lost"])),
        "Not Qualified": (1, None),  # names Qualified, but says it was not reached
        "qualified": (1, str(stages["Qualified"])),
    }
    bad = client.post(
        f"{API}/imports/{body['id']}/start",
        json={"mapping": body["mapping"], "stage_values": {"Closed Won": str(uuid.uuid4())}},
        headers=alice.headers,
    )
    assert bad.status_code == 422 and bad.json()["errors"][0]["field"] == "stage_values"
    stranger = client.post(
        f"{API}/imports/{body['id']}/start",
        json={
            "mapping": body["mapping"],
            "stage_values": {"Closed Won": str(stages["Won"])},
            "default_owner_id": str(world.carol.user_id),
        },
        headers=alice.headers,
    )
    assert stranger.status_code == 422  # refused after the stage values were checked: none kept
    with unit_of_work(write=False, org_id=alice.org_id) as session:
        job = session.get_one(ImportJob, uuid.UUID(body["id"]))
        assert (job.status, job.stage_values, job.pipeline_id) == ("uploaded", {}, None)
    started = client.post(
        f"{API}/imports/{body['id']}/start",
        json={
            "mapping": body["mapping"],
            "stage_values": {
                "Appointment Scheduled": str(stages["Contacted"]),
                "CLOSED WON": str(stages["Won"]),
                "Closed Lost": str(stages["Lost"]),
            },
        },
        headers=alice.headers,
    )
    assert started.status_code == 200, started.text
    assert started.json()["stage_values"]["closed won"] == str(stages["Won"])
    drain()
    done = client.get(f"{API}/imports/{body['id']}", headers=alice.headers).json()
    assert (done["status"], done["created"], done["rejected"]) == ("done", 5, 1)
    assert _imported(alice.org_id) == {
        "Acme": "Contacted",
        "Brick": "Won",
        "Cobalt": "Won",
        "Dune": "Lost",
        "Fjord": "Qualified",  # by name, as before
    }  # Ember's "Not Qualified" was sent nowhere and names no stage: set aside


def test_the_mapping_screen_sends_the_files_stages_where_the_user_says(client, browser, world):  # noqa: F811
    b = browser()
    token = sign_in(b, world.alice.email)
    stages = _stages(world.alice.org_id)
    up = b.post(
        "/leads/import",
        data={"csrf_token": token, "preset": "hubspot"},
        files={"file": ("deals.csv", HUBSPOT.encode(), "text/csv")},
    )
    url = up.headers["location"]
    screen = b.get(url).text
    assert "Stages in this file" in screen
    won = re.search(r'name="stage_source_(\d+)" value="Closed Won"', screen)
    assert won is not None
    assert re.search(
        rf'<select id="f-stage-value-{won[1]}"[^>]*>.*?<option value="{stages["Won"]}" selected>Won</option>',
        screen,
        re.S,
    )
    assert "2 of these 6 rows would be set aside" in screen  # Appointment Scheduled, Not Qualified
    values = re.findall(r'name="stage_source_(\d+)" value="([^"]+)"', screen)
    picks = {v: str(stages["Won"]) if "Won" in v else "" for _, v in values}
    picks["Appointment Scheduled"] = str(stages["Contacted"])
    picks["Closed Lost"] = str(stages["Lost"])
    shown_for = re.search(r'name="stage_pipeline" value="([^"]+)"', screen)
    assert shown_for is not None
    form = {"csrf_token": token, "col_0": "company_name", "col_1": "stage", "col_2": "lost_reason"}
    form["stage_pipeline"] = shown_for[1]
    for i, value in values:
        form[f"stage_source_{i}"] = value
        form[f"stage_value_{i}"] = picks[value]
    preview = b.post(f"{url}/preview", data=form, headers={"HX-Request": "true"}).text
    assert "1 of these 6 rows would be set aside" in preview
    assert "Appointment Scheduled → Contacted" in preview and "qualified →" not in preview
    assert 'id="stage-values"' not in preview  # same column: the selects on screen stay as they are
    moved = b.post(
        f"{url}/preview", data={**form, "col_1": "", "col_2": "stage"}, headers={"HX-Request": "true"}
    )
    assert 'id="stage-values" hx-swap-oob="true"' in moved.text and "Budget" in moved.text
    refused = b.post(f"{url}/start", data={**form, "default_owner": str(world.carol.user_id)})
    assert refused.status_code == 422 and "Choose a member who can own leads." in refused.text
    with unit_of_work(write=False, org_id=world.alice.org_id) as session:
        job = session.get_one(ImportJob, uuid.UUID(url.rsplit("/", 1)[1]))
        assert (job.status, job.stage_values) == ("uploaded", {})  # a refused start keeps nothing
    started = b.post(f"{url}/start", data=form)
    assert started.status_code == 303
    drain()
    assert _imported(world.alice.org_id) == {
        "Acme": "Contacted", "Brick": "Won", "Cobalt": "Won", "Dune": "Lost", "Fjord": "Qualified",
    }  # fmt: skip


def test_the_cli_takes_the_files_stage_names(world, tmp_path):
    path = tmp_path / "deals.csv"
    path.write_text(HUBSPOT)
    slug = _slug(world.alice.org_id)
    wrong = CliRunner().invoke(app, ["import", str(path), "--org", slug, "--stage", "Closed Won=Champion"])
    assert wrong.exit_code == 1 and "a stage of: New, Contacted" in wrong.output
    stages = ["Closed Won=won", "Appointment Scheduled=Contacted", "Closed Lost=Lost"]
    options = [option for pair in stages for option in ("--stage", pair)]
    result = CliRunner().invoke(app, ["import", str(path), "--org", slug, "--preset", "hubspot", *options])
    assert result.exit_code == 0, result.output
    assert "5 created" in result.output and "1 rejected" in result.output
    assert _imported(world.alice.org_id)["Acme"] == "Contacted"
    assert _imported(world.alice.org_id)["Cobalt"] == "Won"


def _slug(org_id: uuid.UUID) -> str:
    with unit_of_work(write=False, org_id=org_id) as session:
        return OrganizationRepository(session).current().slug  # type: ignore[union-attr]


def _partners_pipeline(client, person) -> dict[str, str]:  # type: ignore[no-untyped-def]
    """A second pipeline, "Partners": Prospect → Signed / Dropped; its stage ids by name."""
    stages = [{"name": "Prospect"}, {"name": "Signed", "kind": "won"}, {"name": "Dropped", "kind": "lost"}]
    made = client.post(
        f"{API}/pipelines", json={"name": "Partners", "stages": stages}, headers=person.headers
    )
    assert made.status_code == 201, made.text
    return {"id": made.json()["id"], **{s["name"]: s["id"] for s in made.json()["stages"]}}


@both_databases
def test_an_import_goes_to_the_pipeline_chosen(client, world):
    alice = world.alice
    partners = _partners_pipeline(client, alice)
    content = "Company,Stage\nGamma,Signed\nDelta,\nEpsilon,Closed Won\n"
    body = upload(client, alice, content.encode()).json()
    start = f"{API}/imports/{body['id']}/start"
    unknown = client.post(
        start, json={"mapping": body["mapping"], "pipeline_id": str(uuid.uuid4())}, headers=alice.headers
    )
    assert unknown.status_code == 422 and unknown.json()["errors"][0]["field"] == "pipeline_id"
    default_won = str(_stages(alice.org_id)["Won"])
    elsewhere = client.post(
        start,
        json={
            "mapping": body["mapping"],
            "pipeline_id": partners["id"],
            "stage_values": {"Closed Won": default_won},
        },
        headers=alice.headers,
    )
    assert elsewhere.status_code == 422 and elsewhere.json()["errors"][0]["field"] == "stage_values"
    started = client.post(
        start,
        json={
            "mapping": body["mapping"],
            "pipeline_id": partners["id"],
            "stage_values": {"closed won": partners["Signed"]},
        },
        headers=alice.headers,
    )
    assert started.status_code == 200 and started.json()["pipeline_id"] == partners["id"]
    drain()
    done = client.get(f"{API}/imports/{body['id']}", headers=alice.headers).json()
    assert (done["created"], done["rejected"]) == (3, 0)
    with unit_of_work(write=False, org_id=alice.org_id) as session:
        rows = session.execute(
            select(Company.name, Lead.pipeline_id, PipelineStage.name)
            .join(Lead, Lead.company_id == Company.id)
            .join(PipelineStage, PipelineStage.id == Lead.stage_id)
            .where(Company.name.in_(["Gamma", "Delta", "Epsilon"]))
        ).all()
    assert {name: (str(pipeline), stage) for name, pipeline, stage in rows} == {
        "Gamma": (partners["id"], "Signed"),  # by name, in the chosen pipeline
        "Delta": (partners["id"], "Prospect"),  # no stage: the chosen pipeline's first open stage
        "Epsilon": (partners["id"], "Signed"),
    }


def test_the_mapping_screen_offers_the_pipelines_and_their_stages(client, browser, world):  # noqa: F811
    b = browser()
    token = sign_in(b, world.alice.email)
    partners = _partners_pipeline(client, world.alice)
    up = b.post(
        "/leads/import",
        data={"csrf_token": token},
        files={"file": ("p.csv", b"Company,Stage\nGamma,Signed\n", "text/csv")},
    )
    url = up.headers["location"]
    screen = b.get(url).text
    assert 'name="pipeline_id"' in screen and f'<option value="{partners["id"]}">Partners</option>' in screen
    assert "1 of these 1 rows would be set aside" in screen  # no "Signed" in the default pipeline
    shown_for = re.search(r'name="stage_pipeline" value="([^"]+)"', screen)
    assert shown_for is not None
    form = {"csrf_token": token, "col_0": "company_name", "col_1": "stage", "stage_pipeline": shown_for[1]}
    form |= {"stage_source_0": "Signed", "stage_value_0": "", "pipeline_id": partners["id"]}
    switched = b.post(f"{url}/preview", data=form, headers={"HX-Request": "true"}).text
    # Another pipeline: its stages replace the selects on screen, "Signed" proposed, and the row passes.
    assert 'id="stage-values" hx-swap-oob="true"' in switched
    assert f'<option value="{partners["Signed"]}" selected>Signed</option>' in switched
    assert "These rows would all be imported" in switched
    assert b.post(f"{url}/start", data={**form, "stage_value_0": partners["Signed"]}).status_code == 303
    drain()
    with unit_of_work(write=False, org_id=world.alice.org_id) as session:
        lead = session.scalars(select(Lead).join(Lead.company).where(Company.name == "Gamma")).one()
        assert str(lead.pipeline_id) == partners["id"] and str(lead.stage_id) == partners["Signed"]


def test_the_cli_imports_into_the_pipeline_named(client, world, tmp_path):
    partners = _partners_pipeline(client, world.alice)
    path = tmp_path / "partners.csv"
    path.write_text("Company,Stage\nZeta,Closed Won\nEta,\n")
    slug = _slug(world.alice.org_id)
    missing = CliRunner().invoke(app, ["import", str(path), "--org", slug, "--pipeline", "Nope"])
    assert missing.exit_code == 1 and "No pipeline is called 'Nope'" in missing.output
    args = ["import", str(path), "--org", slug, "--pipeline", "partners", "--stage", "Closed Won=Signed"]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 0, result.output
    with unit_of_work(write=False, org_id=world.alice.org_id) as session:
        rows = session.execute(
            select(Company.name, Lead.stage_id)
            .join(Lead, Lead.company_id == Company.id)
            .where(Company.name.in_(["Zeta", "Eta"]))
        ).all()
    assert {name: str(stage) for name, stage in rows} == {
        "Zeta": partners["Signed"],
        "Eta": partners["Prospect"],
    }


@both_databases
def test_a_deal_status_puts_closed_deals_at_the_won_or_lost_stage(client, world):
    """Pipedrive keeps won/lost in "Deal - Status"; the stage stays where the deal was when it closed."""
    content = (
        "Organization - Name,Deal - Stage,Deal - Status,Deal - Lost reason\n"
        "Won Co,Negotiations Started,won,\n"
        "Lost Co,Proposal,Lost,Chose a rival\n"
        "Open Co,qualified,open,\n"
        "Blank Co,proposal,,\n"
        "Reasonless Co,Proposal,lost,\n"
        "Odd Co,qualified,maybe,\n"
    )
    up = upload(client, world.alice, content.encode(), preset="pipedrive")
    body = up.json()
    assert body["mapping"] == ["company_name", "stage", "deal_status", "lost_reason"]
    started = client.post(
        f"{API}/imports/{body['id']}/start", json={"mapping": body["mapping"]}, headers=world.alice.headers
    )
    assert started.status_code == 200, started.text
    drain()
    done = client.get(f"{API}/imports/{body['id']}", headers=world.alice.headers).json()
    assert (done["created"], done["rejected"]) == (4, 2)
    with unit_of_work(write=False, org_id=world.alice.org_id) as session:
        rows = session.execute(
            select(Company.name, PipelineStage.name)
            .join(Lead, Lead.company_id == Company.id)
            .join(PipelineStage, PipelineStage.id == Lead.stage_id)
            .where(Company.name.like("% Co"))
        ).all()
    assert dict(rows) == {"Won Co": "Won", "Lost Co": "Lost", "Open Co": "Qualified", "Blank Co": "Proposal"}
    rejects = client.get(f"{API}/imports/{body['id']}/rejected.csv", headers=world.alice.headers).text
    assert "Deal status: a lead imported as lost needs a lost reason" in rejects
    assert "Deal status: 'maybe' is not open, won or lost." in rejects


def test_a_column_of_many_distinct_values_is_not_listed_as_stages(tmp_path) -> None:
    stages = [PipelineStage(id=uuid.uuid4(), name="New")]
    few, many = tmp_path / "few.csv", tmp_path / "many.csv"
    few.write_text("Company,Stage\n" + "".join(f"C{i},{'new' if i % 2 else 'New '}\n" for i in range(10)))
    many.write_text("Company,Stage\n" + "".join(f"C{i},S{i}\n" for i in range(stage_values.MAX_VALUES + 1)))
    mapping = ["company_name", "stage"]

    def found(path):  # type: ignore[no-untyped-def]
        job = ImportJob(stored_path=str(path), encoding="utf-8", delimiter=",")
        return [
            (v.value, v.rows, v.suggested_stage_id) for v in stage_values.found_values(job, mapping, stages)
        ]

    assert found(few) == [("New", 10, stages[0].id)]  # one value, as first written, whatever its case
    assert found(many) == []
