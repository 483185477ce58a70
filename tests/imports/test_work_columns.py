"""Import columns that name the org's people and pipeline: owner, stage (with lost reason), tier, note,
and the owner new leads get when their row names none."""

from __future__ import annotations

import csv
import io
import uuid
from typing import Any

from sqlalchemy import select

from salesos.db.session import unit_of_work
from salesos.imports.models import ImportJob, ImportStatus
from salesos.jobs.testing import drain
from salesos.leads.models import Activity, Lead, LeadStatusHistory, Note, PipelineStage
from tests.conftest import both_databases
from tests.imports.helpers import API, upload


def _start(client, person, content: str, **body: Any) -> tuple[dict[str, Any], Any]:  # type: ignore[no-untyped-def]
    up = upload(client, person, content.encode())
    assert up.status_code == 201, up.text
    upload_body = up.json()
    started = client.post(
        f"{API}/imports/{upload_body['id']}/start",
        json={"mapping": upload_body["mapping"], **body},
        headers=person.headers,
    )
    return upload_body, started


def _run(client, person, content: str, **body: Any) -> dict[str, Any]:  # type: ignore[no-untyped-def]
    upload_body, started = _start(client, person, content, **body)
    assert started.status_code == 200, started.text
    drain()
    final = client.get(f"{API}/imports/{upload_body['id']}", headers=person.headers).json()
    assert final["status"] == "done", final
    return dict(final)


def _rejects(client, person, import_id: str) -> dict[str, str]:  # type: ignore[no-untyped-def]
    """Company cell → reason, from the rejects download."""
    text = client.get(f"{API}/imports/{import_id}/rejected.csv", headers=person.headers).text
    rows = list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))[1:]
    return {cells[0]: reason for _, reason, *cells in rows}


def _leads(org_id: uuid.UUID) -> dict[str, Lead]:
    """The org's imported leads by company name (the world's own lead left out)."""
    with unit_of_work(write=False, org_id=org_id) as session:
        leads = [lead for lead in session.scalars(select(Lead)).unique() if lead.source == "csv import"]
        for lead in leads:
            session.expunge(lead)
        return {lead.company.name: lead for lead in leads}


def _stage_names(org_id: uuid.UUID) -> dict[uuid.UUID, str]:
    with unit_of_work(write=False, org_id=org_id) as session:
        return {s.id: s.name for s in session.scalars(select(PipelineStage))}


def _make_viewer(client, world) -> None:  # type: ignore[no-untyped-def]
    r = client.patch(
        f"{API}/members/{world.bob.member_id}", json={"role": "viewer"}, headers=world.alice.headers
    )
    assert r.status_code == 200, r.text


@both_databases
def test_owner_stage_tier_and_lost_reason_come_from_their_columns(client, world):
    content = (
        "Company,Owner,Stage,Lost reason,Tier\n"
        "By Email,BOB@a.example,qualified,,a\n"
        "By Name,alice anders,Proposal,,B\n"
        "Lost One,,Lost,Went with a competitor,\n"
        "Open With Reason,,Contacted,Ignored reason,\n"
        "Nobody,,,,\n"
    )
    result = _run(client, world.alice, content)
    assert (result["created"], result["rejected"]) == (5, 0)
    leads, stages = _leads(world.alice.org_id), _stage_names(world.alice.org_id)
    got = {
        name: (lead.owner_id, stages[lead.stage_id], lead.tier, lead.lost_reason)
        for name, lead in leads.items()
    }
    assert got["By Email"] == (world.bob.user_id, "Qualified", "A", None)
    assert got["By Name"] == (world.alice.user_id, "Proposal", "B", None)
    assert got["Lost One"] == (None, "Lost", None, "Went with a competitor")
    # A lost reason means nothing on an open lead; it is not kept.
    assert got["Open With Reason"] == (None, "Contacted", None, None)
    # No owner named and no default owner asked for (the API's default): unassigned, at the first stage.
    assert got["Nobody"] == (None, "New", None, None)
    with unit_of_work(write=False, org_id=world.alice.org_id) as session:
        history = session.scalars(
            select(LeadStatusHistory).where(LeadStatusHistory.lead_id == leads["Lost One"].id)
        ).all()
    assert [(stages[h.to_stage_id], h.reason) for h in history] == [("Lost", "Went with a competitor")]


@both_databases
def test_unknown_or_unfit_names_reject_the_row_with_the_reason(client, world):
    _make_viewer(client, world)
    content = (
        "Company,Owner,Stage,Tier\n"
        "Ghost Owner,Zed Unknown,,\n"
        "Viewer Owner,bob@a.example,,\n"  # viewers can't own leads
        "Stranger,carol@b.example,,\n"  # a member of another org is nobody here
        "Odd Stage,,Negotiating,\n"
        "Lost Silently,,lost,\n"
        "Tier D,,,D\n"
        "Fine,alice@a.example,New,C\n"
    )
    result = _run(client, world.alice, content)
    assert (result["created"], result["rejected"]) == (1, 6)
    reasons = _rejects(client, world.alice, result["id"])
    assert "no member who can own leads is called 'Zed Unknown'" in reasons["Ghost Owner"]
    assert "'bob@a.example'" in reasons["Viewer Owner"]
    assert "'carol@b.example'" in reasons["Stranger"]
    assert "no stage 'Negotiating'" in reasons["Odd Stage"] and "New, Contacted" in reasons["Odd Stage"]
    assert "needs a lost reason" in reasons["Lost Silently"]
    assert reasons["Tier D"].startswith("Tier: ")
    assert set(_leads(world.alice.org_id)) == {"Fine"}


def test_two_members_with_one_name_must_be_told_apart_by_email(client, world):
    r = client.patch(f"{API}/auth/me", json={"name": "Alice Anders"}, headers=world.bob.headers)
    assert r.status_code == 200, r.text
    content = "Company,Owner\nShared Name,Alice Anders\nBy Email,bob@a.example\n"
    result = _run(client, world.alice, content)
    assert (result["created"], result["rejected"]) == (1, 1)
    assert "give their email" in _rejects(client, world.alice, result["id"])["Shared Name"]


@both_databases
def test_default_owner_takes_new_leads_without_one_and_never_overrides(client, world):
    # First file: a lead nobody owns, and one Bob owns.
    _run(
        client,
        world.alice,
        "Company,Email,Owner\nUnowned,u@unowned.example,\nBobs,b@bobs.example,Bob Brooks\n",
    )
    content = (
        "Company,Email,Owner,Note\n"
        "Unowned,u@unowned.example,,\n"  # merges: a default owner doesn't take existing leads
        "Bobs,b@bobs.example,Alice Anders,Call after the trade fair.\n"  # merges: stays Bob's, gets the note
        "Fresh,f@fresh.example,,Met at the fair.\n"  # new and unnamed: the default owner's
        "Named,n@named.example,Bob Brooks,\n"  # new and named: Bob's
    )
    result = _run(client, world.alice, content, default_owner_id=str(world.alice.user_id))
    assert (result["created"], result["merged"], result["default_owner_id"]) == (
        2,
        2,
        str(world.alice.user_id),
    )
    leads = _leads(world.alice.org_id)
    owners = {name: lead.owner_id for name, lead in leads.items()}
    assert owners == {
        "Unowned": None,
        "Bobs": world.bob.user_id,
        "Fresh": world.alice.user_id,
        "Named": world.bob.user_id,
    }
    with unit_of_work(write=False, org_id=world.alice.org_id) as session:
        # The world's own lead and note (the isolation battery's) are not the import's.
        world_lead = world.ids["lead_id"]
        notes = {
            (n.lead_id, n.body, n.author_id)
            for n in session.scalars(select(Note).where(Note.lead_id != world_lead))
        }
        note_activities = session.scalars(
            select(Activity).where(Activity.kind == "note_added", Activity.lead_id != world_lead)
        ).all()
    assert notes == {
        (leads["Bobs"].id, "Call after the trade fair.", world.alice.user_id),
        (leads["Fresh"].id, "Met at the fair.", world.alice.user_id),
    }
    # Each note is on its lead's timeline by id, without its text.
    assert {a.lead_id for a in note_activities} == {leads["Bobs"].id, leads["Fresh"].id}
    assert all(set(a.data) == {"note_id"} for a in note_activities)


def test_a_merge_fills_a_blank_owner_and_tier_from_the_row(client, world):
    _run(client, world.alice, "Company,Email\nBlank,x@blank.example\n")
    result = _run(client, world.alice, "Company,Email,Owner,Tier\nBlank,x@blank.example,Bob Brooks,b\n")
    assert result["merged"] == 1
    lead = _leads(world.alice.org_id)["Blank"]
    assert (lead.owner_id, lead.tier) == (world.bob.user_id, "B")


def test_a_merge_fills_a_blank_deal_value_with_its_currency_and_the_timeline_says_so(client, world):
    # Within one file (the second row merges into the lead the first creates) and into a stored lead.
    header = "Company,Email,Value,Currency\n"
    _run(client, world.alice, header + "Blank,x@blank.example,,\nBlank,x@blank.example,900,EUR\n")
    _run(client, world.alice, "Company,Email,Value,Currency\nKept,k@kept.example,500,USD\n")
    result = _run(client, world.alice, "Company,Email,Value,Currency\nKept,k@kept.example,750,GBP\n")
    assert result["merged"] == 1
    leads = _leads(world.alice.org_id)
    assert (leads["Blank"].value, leads["Blank"].currency) == (900, "EUR")
    assert (leads["Kept"].value, leads["Kept"].currency) == (500, "USD"), "a merge never overwrites"
    from salesos.leads.service.actions import describe

    with unit_of_work(write=False, org_id=world.alice.org_id) as session:
        merges = session.scalars(select(Activity).where(Activity.kind == "merged")).all()
        words = {a.lead_id: describe("merged", a.data) for a in merges}
    assert words[leads["Blank"].id] == "Merged a duplicate from csv import: filled in deal value"
    assert words[leads["Kept"].id] == "Merged a duplicate from csv import: nothing new to fill in"


@both_databases
def test_a_default_owner_who_cannot_own_leads_is_refused_and_nothing_starts(client, world):
    _make_viewer(client, world)
    for user_id in (world.bob.user_id, world.carol.user_id, uuid.uuid4()):
        upload_body, started = _start(client, world.alice, "Company\nAcme\n", default_owner_id=str(user_id))
        assert started.status_code == 422, started.text
        assert started.json()["errors"][0]["field"] == "default_owner_id"
        with unit_of_work(write=False, org_id=world.alice.org_id) as session:
            job = session.get(ImportJob, uuid.UUID(upload_body["id"]))
            assert job is not None
            assert (job.status, job.default_owner_id) == (ImportStatus.UPLOADED, None)


def test_the_upload_preview_says_which_rows_would_be_set_aside(client, world):
    content = "Company,Owner,Stage\nGood,Alice Anders,New\nBad Owner,Nobody Here,\nBad Stage,,Limbo\n"
    r = upload(client, world.alice, content.encode())
    assert r.status_code == 201, r.text
    body = r.json()
    assert body["mapping"] == ["company_name", "owner", "stage"] and body["mapping_problem"] is None
    reasons = body["preview_reasons"]
    assert reasons[0] is None
    assert reasons[1] is not None and "Nobody Here" in reasons[1]
    assert reasons[2] is not None and "Limbo" in reasons[2]
    # Without a company column the mapping itself is the problem, and rows aren't judged one by one.
    r = upload(client, world.alice, b"Owner\nAlice Anders\n")
    assert r.json()["mapping_problem"] == "Map a column to Company name." and r.json()["preview_reasons"] == [
        None
    ]


@both_databases
def test_columns_kept_as_custom_fields_land_on_new_leads_and_fill_merged_ones(client, world):
    first = "Company,Email,Rating\nReviewed,r@reviewed.example,4.5\n"
    _run(client, world.alice, first, mapping=["company_name", "email", "custom"])
    content = (
        "Company,Email,Rating,Reviews , Category\n"
        "Reviewed,r@reviewed.example,3.9,120,Bakery\n"
        "New Co,n@new.example,,7,\n"
    )
    result = _run(
        client, world.alice, content, mapping=["company_name", "email", "custom", "custom", "custom"]
    )
    assert (result["created"], result["merged"]) == (1, 1)
    leads = _leads(world.alice.org_id)
    # A merge adds the fields the lead lacks, keeps the ones it has; names trimmed, empty cells skipped.
    assert leads["Reviewed"].custom_fields == {"Rating": "4.5", "Reviews": "120", "Category": "Bakery"}
    assert leads["New Co"].custom_fields == {"Reviews": "7"}


def test_custom_field_columns_must_have_distinct_names(client, world):
    for header, mapping, problem in (
        ("Company,Rating,rating\n", ["company_name", "custom", "custom"], "Two columns named 'rating'"),
        ("Company,\n", ["company_name", "custom"], "A column without a name"),
        (f"Company,{'x' * 65}\n", ["company_name", "custom"], "up to 64 characters"),
    ):
        _, started = _start(client, world.alice, header + "Acme,1,2\n", mapping=mapping)
        assert started.status_code == 422, started.text
        assert problem in started.json()["detail"], started.json()
