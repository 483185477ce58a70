"""An export's ``lead_id`` column merges a record into that lead of the org, whatever its keys; its
``next_follow_up_at`` goes back in, and a follow-up date is read in the org's zone."""

from __future__ import annotations

import csv
import io
import uuid
from datetime import UTC, datetime

from salesos.db.session import unit_of_work
from salesos.leads.models import Lead
from salesos.leads.schemas import CompanyIn, ContactIn, LeadCreateIn
from salesos.leads.service import leads
from salesos.orgs.repository import OrganizationRepository
from tests.conftest import both_databases
from tests.imports.helpers import API, lead_count, run
from tests.leads.factories import _alice


def _nameless_lead(world, name: str, follow_up: datetime | None = None) -> uuid.UUID:  # type: ignore[no-untyped-def]
    """A lead with nothing to match on but its company name: no email, phone or website."""
    with unit_of_work(org_id=world.alice.org_id, user_id=world.alice.user_id) as session:
        data = LeadCreateIn(
            company=CompanyIn(name=name), contact=ContactIn(first_name="Nia"), next_follow_up_at=follow_up
        )
        return leads.create_lead(session, _alice(world), data).id


def _follow_up(org_id: uuid.UUID, lead_id: uuid.UUID) -> datetime | None:
    with unit_of_work(write=False, org_id=org_id) as session:
        lead = session.get(Lead, lead_id)
        assert lead is not None
        return lead.next_follow_up_at


def _csv(*rows: list[str]) -> bytes:
    out = io.StringIO()
    csv.writer(out).writerows(rows)
    return out.getvalue().encode()


@both_databases
def test_an_export_merges_by_lead_id_and_keeps_the_follow_up(client, world):
    follow_up = datetime(2027, 1, 15, 9, 30, tzinfo=UTC)
    _nameless_lead(world, "Only A Name", follow_up)
    exported = client.get(f"{API}/leads/export.csv?q=only a name", headers=world.alice.headers)
    assert exported.status_code == 200
    before = lead_count(world.alice.org_id)

    same = run(client, world.alice, exported.content)
    assert (same["created"], same["merged"], same["rejected"]) == (0, 1, 0), same
    assert lead_count(world.alice.org_id) == before

    # Another org can't see alice's lead: the id matches nothing there, and the record is a new lead.
    other = run(client, world.carol, exported.content)
    assert (other["created"], other["merged"], other["rejected"]) == (1, 0, 0), other
    items = client.get(f"{API}/leads?q=only a name", headers=world.carol.headers).json()["items"]
    assert len(items) == 1
    assert items[0]["next_follow_up_at"] == "2027-01-15T09:30:00Z"


@both_databases
def test_a_follow_up_date_fills_a_blank_one_at_nine_in_the_orgs_zone(client, world):
    with unit_of_work(org_id=world.alice.org_id) as session:
        org = OrganizationRepository(session).current()
        assert org is not None
        org.timezone = "Europe/Berlin"
    lead_id = _nameless_lead(world, "Blank Follow Up")
    content = _csv(
        ["lead_id", "company", "next_follow_up_at"], [str(lead_id), "Blank Follow Up", "2027-03-02"]
    )
    result = run(client, world.alice, content)
    assert (result["created"], result["merged"]) == (0, 1), result
    # 09:00 in Berlin in winter is 08:00 UTC.
    assert _follow_up(world.alice.org_id, lead_id) == datetime(2027, 3, 2, 8, 0, tzinfo=UTC)

    # A merge never overwrites: the lead keeps the follow-up it has.
    later = _csv(["lead_id", "company", "next_follow_up_at"], [str(lead_id), "Blank Follow Up", "2027-04-01"])
    assert run(client, world.alice, later)["merged"] == 1
    assert _follow_up(world.alice.org_id, lead_id) == datetime(2027, 3, 2, 8, 0, tzinfo=UTC)


def test_a_date_that_is_not_iso_is_sent_back_with_the_reason(client, world):
    content = _csv(["company", "next follow-up"], ["Slash Dates", "03/04/2027"])
    result = run(client, world.alice, content)
    assert (result["created"], result["rejected"]) == (0, 1), result
    text = client.get(f"{API}/imports/{result['id']}/rejected.csv", headers=world.alice.headers).text
    assert "Next follow-up: write a date as 2026-12-31 (not '03/04/2027')." in text


def test_another_tools_lead_id_is_no_match_and_no_reason_to_reject(client, world):
    lead_id = _nameless_lead(world, "Salesforce Row")
    content = _csv(
        ["Lead ID", "Company"], ["00Q5g00000ABCDE", "Salesforce Row"], [str(uuid.uuid4()), "Unknown Id"]
    )
    before = lead_count(world.alice.org_id)
    result = run(client, world.alice, content)
    # Neither id names a lead of this org: both records are new leads (a company name is no merge key).
    assert (result["created"], result["merged"], result["rejected"]) == (2, 0, 0), result
    assert lead_count(world.alice.org_id) == before + 2
    assert _follow_up(world.alice.org_id, lead_id) is None
