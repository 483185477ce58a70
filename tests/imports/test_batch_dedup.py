"""The batched import path: "+tag" emails, fills across and inside batches, resume, hints, intake's key."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from sqlalchemy import select

from salesos.db.session import unit_of_work
from salesos.imports.service import runner
from salesos.leads.models import Activity, Lead
from salesos.leads.service import dedup
from salesos.realtime.hub import set_hub
from salesos.realtime.memory import MemoryHub
from tests.conftest import both_databases
from tests.imports.helpers import API, emails, lead_count, upload


class Killed(Exception):
    pass


def _start(client: Any, person: Any, content: str) -> uuid.UUID:
    up = upload(client, person, content.encode()).json()
    started = client.post(
        f"{API}/imports/{up['id']}/start", json={"mapping": up["mapping"]}, headers=person.headers
    )
    assert started.status_code == 200, started.text
    return uuid.UUID(up["id"])


def _import(client: Any, person: Any, content: str, batch_size: int = 500) -> runner.Progress:
    result = runner.run_import(person.org_id, _start(client, person, content), batch_size=batch_size)
    assert result is not None
    return result


def test_email_key_drops_the_tag_only() -> None:
    assert dedup.email_key("jane+news@gmail.com") == "jane@gmail.com"
    assert dedup.email_key("jane+a+b@x.example") == "jane@x.example"
    assert dedup.email_key("+only@x.example") == "+only@x.example"
    assert dedup.email_key("plain@x.example") == "plain@x.example"
    assert dedup.email_key(None) is None


@both_databases
def test_tagged_emails_merge_across_batches_a_crash_and_imports(client, world):
    org = world.alice.org_id
    before = lead_count(org)
    # Free-mail addresses, so only the email can match (no company domain).
    content = (
        "Company,Email,City\n"
        "Acme,jane+news@gmail.com,\n"
        "Acme Two, JANE@Gmail.com ,Berlin\n"
        "Acme Three,jane+crm@gmail.com,Paris\n"
        "Other,otto@gmail.com,\n"
    )
    import_id = _start(client, world.alice, content)

    def crash(progress: runner.Progress) -> None:
        raise Killed

    with pytest.raises(Killed):
        runner.run_import(org, import_id, batch_size=1, after_batch=crash)
    # The resumed run knows the tagged address the crashed one stored, from the database.
    runner.run_import(org, import_id, batch_size=1)
    final = client.get(f"{API}/imports/{import_id}", headers=world.alice.headers).json()
    assert (final["created"], final["merged"], final["rejected"]) == (2, 2, 0)
    # Stored as given (the first one), matched without the tag; the blank city was filled once.
    assert "jane+news@gmail.com" in emails(org) and "jane@gmail.com" not in emails(org)
    again = _import(client, world.alice, "Company,Email\nAcme Four,Jane+Other@gmail.com\n")
    assert (again.created, again.merged) == (0, 1)
    assert lead_count(org) == before + 2
    with unit_of_work(write=False, org_id=org) as s:
        cities = {
            lead.company.name: lead.company.city for lead in s.scalars(select(Lead).where(Lead.org_id == org))
        }
    assert cities["Acme"] == "Berlin" and cities["Other"] is None


@pytest.mark.parametrize("batch_size", [1, 500])
def test_merges_fill_blanks_inside_and_across_batches(client, world, batch_size):
    org = world.alice.org_id
    content = (
        "Company,Email,Phone,City\n"
        "Acme,ann@gmail.com,,\n"
        "ACME corp,ANN@gmail.com,+1 212 555 0100,Berlin\n"  # fills phone and city
        "Other,,(212) 555-0100,Paris\n"  # matches the phone the row above filled (no email to say otherwise)
    )
    result = _import(client, world.alice, content, batch_size=batch_size)
    assert (result.created, result.merged) == (1, 2)
    with unit_of_work(write=False, org_id=org) as s:
        lead = s.scalars(select(Lead).where(Lead.org_id == org).order_by(Lead.id.desc())).first()
        assert lead is not None and lead.company.name == "Acme" and lead.company.city == "Berlin"
        assert lead.primary_contact is not None
        assert (lead.primary_contact.email, lead.primary_contact.phone) == ("ann@gmail.com", "+12125550100")
        kinds: Any = s.scalars(select(Activity.data).where(Activity.lead_id == lead.id).order_by(Activity.id))
        merged = [d for d in kinds if "fields" in d]
    assert [m["fields"] for m in merged] == [
        ["company.city", "contact.phone"],
        [],
    ]  # Paris never overwrote Berlin


class RecordingHub(MemoryHub):
    def __init__(self, **kw: Any) -> None:
        super().__init__(**kw)
        self.published: list[str] = []

    def publish(self, org_id: uuid.UUID, event: str, data: dict[str, Any]) -> None:
        if event.startswith(("lead.", "import.", "resync")):  # other domains' hints aren't under test
            self.published.append(event)
        super().publish(org_id, event, data)


def test_realtime_hints_are_coalesced_per_batch(client, world):
    hub = RecordingHub(queue_size=10)
    set_hub(hub)
    try:
        few = _import(client, world.alice, "Company\nA1\nA2\n")
        assert few.created == 2
        assert sorted(hub.published) == ["import.progress", "import.progress", "lead.created", "lead.created"]
        hub.published.clear()
        rows = "\n".join(f"Co {i}" for i in range(60))
        _import(client, world.alice, f"Company\n{rows}\n", batch_size=30)
        # Two batches of 30 new leads: one "resync" each, then the finish's progress hint.
        assert hub.published == ["resync", "resync", "import.progress"]
    finally:
        set_hub(None)


@both_databases
def test_intake_lookup_matches_tagged_addresses_in_both_directions(client, world):
    _import(client, world.alice, "Company,Email\nAcme,ann@gmail.com\nTagged Co,zoe+news@gmail.com\n")
    with unit_of_work(write=False, org_id=world.alice.org_id) as s:
        found = dedup.find_existing_lead(s, email="ann+crm@gmail.com", phone=None, domain=None)
        assert found is not None and found.company.name == "Acme"
        # The stored address has the tag and the incoming one none, or another one: the key matches.
        for incoming in ("zoe@gmail.com", "zoe+other@gmail.com"):
            found = dedup.find_existing_lead(s, email=incoming, phone=None, domain=None)
            assert found is not None and found.company.name == "Tagged Co", incoming
        assert dedup.find_existing_lead(s, email="bob+ann@gmail.com", phone=None, domain=None) is None


@both_databases
def test_the_stored_key_follows_every_edit_of_the_address(client, world):
    from salesos.leads.models import Contact

    with unit_of_work(org_id=world.alice.org_id) as s:
        contact = Contact(org_id=world.alice.org_id, email="amy+lists@example.org")
        s.add(contact)
        s.flush()
        assert contact.email_key == "amy@example.org"
        contact.email = "amy@example.org"
        assert contact.email_key == "amy@example.org"
        contact.email = None
        s.flush()
        assert s.scalar(select(Contact.email_key).where(Contact.id == contact.id)) is None


@both_databases
def test_a_shared_phone_does_not_merge_businesses_whose_emails_or_websites_differ(client, world):
    org = world.alice.org_id
    before = lead_count(org)
    # Within one file, then against stored leads: a switchboard answers for both businesses.
    one_file = (
        "Company,Email,Phone,Website,City\n"
        "Acme Roofing,ann@acmeroofing.example,+1 303 555 0177,,\n"
        "Zenith Dental,bob@zenithdental.example,(303) 555-0177,zenithdental.example,Denver\n"
        "Acme Roofing Denver,,303.555.0177,,Denver\n"
    )
    first = _import(client, world.alice, one_file)
    # The third row has no email or website to disagree with: the phone is its only evidence.
    assert (first.created, first.merged) == (2, 1)
    later = _import(client, world.alice, "Company,Email,Phone\nGlobex,gina@globex.example,+13035550177\n")
    assert (later.created, later.merged) == (1, 0)
    with unit_of_work(write=False, org_id=org) as session:
        acme = session.scalars(
            select(Lead).join(Lead.company).where(Lead.company.has(name="Acme Roofing"))
        ).one()
        assert (acme.company.website, acme.company.city) == (None, "Denver")
    assert lead_count(org) == before + 3
    # The same holds for intake and the API: a lead found by phone whose email disagrees is no match.
    with unit_of_work(write=False, org_id=org) as session:
        by_phone = dedup.find_existing_lead(
            session, email="zed@zenith.example", phone="+13035550177", domain="zenith.example"
        )
        assert by_phone is None
        assert dedup.find_existing_lead(session, email=None, phone="+13035550177", domain=None) is not None
