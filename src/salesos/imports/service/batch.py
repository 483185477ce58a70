"""A batch of checked records into leads: dedup lookups per batch, merges that fill blanks, bulk inserts.

Per batch: one IN query per key kind (email, phone, domain) and one to load the matched leads, then
every record is matched in memory, in file order, against those leads and the ones earlier records of
the batch created, so a duplicate inside the file merges exactly as it would one row at a time. New
companies, contacts, leads, history and timeline rows go in with one multi-row insert per table.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import datetime
from types import SimpleNamespace
from typing import Any

from sqlalchemy.orm import Session

from salesos.auth.principal import Principal
from salesos.db.base import utcnow, uuid7
from salesos.imports.repository import LeadBulkRepository, LeadKeyRepository
from salesos.imports.service.mapping import MAX_CUSTOM_FIELDS
from salesos.imports.service.rows import CleanRow
from salesos.leads import normalize, search
from salesos.leads.models import (
    Activity,
    Company,
    Contact,
    Lead,
    LeadSearchTerm,
    LeadStatusHistory,
    Note,
    Pipeline,
    PipelineStage,
)
from salesos.leads.repository import ContactRepository
from salesos.leads.service import dedup
from salesos.leads.service.duplicates import schedule_scan
from salesos.leads.service.pipelines import first_open_stage
from salesos.realtime.events import MAX_HINTS_PER_COMMIT, publish_after_commit

EMAIL, PHONE, DOMAIN = "email", "phone", "domain"
# What a new company and contact take from the checked input as is (domain, phones, email normalised).
COMPANY_COLUMNS = ("name", *dedup.COMPANY_FIELDS, "tags")
CONTACT_COLUMNS = ("first_name", "last_name", "title", "linkedin_url", "is_decision_maker", "email_consent",
                   "do_not_contact")  # fmt: skip


@dataclass
class RunState:
    """What one run of an import carries from batch to batch."""

    # The lead of each contact and company this run created, so later batches need no query for them.
    # Ids are kept as ints: a run remembers hundreds of thousands, and unlike UUID objects ints are not
    # tracked by the garbage collector, whose full passes would walk them all again and again.
    contact_lead: dict[int, int] = field(default_factory=dict)
    company_lead: dict[int, int] = field(default_factory=dict)


@dataclass(frozen=True)
class BatchResult:
    """How many records created a lead and how many merged into one."""

    created: int
    merged: int


class _Draft:
    """A lead this batch creates, shaped like ``Lead`` for ``dedup.fill_lead`` until it is inserted."""

    def __init__(
        self, row: CleanRow, stage: PipelineStage, owner_id: uuid.UUID | None, now: datetime
    ) -> None:
        data, keys = row.data, row.keys
        self.stage = stage
        self.id = uuid7()
        self.company_id = uuid7()
        company = data.company
        assert company is not None  # the mapping always builds a company
        self.company = SimpleNamespace(
            **{name: getattr(company, name) for name in COMPANY_COLUMNS},
            id=self.company_id, domain=keys.domain, phone=row.company_phone, created_at=now, updated_at=now,
        )  # fmt: skip
        self.primary_contact: SimpleNamespace | None = None
        self.primary_contact_id: uuid.UUID | None = None
        if data.contact is not None:
            contact = data.contact
            self.primary_contact = self.new_contact(now)
            vars(self.primary_contact).update(
                {name: getattr(contact, name) for name in CONTACT_COLUMNS},
                full_name=" ".join(p for p in (contact.first_name, contact.last_name) if p),
                email=keys.email, phone=keys.phone,
            )  # fmt: skip
        self.row: dict[str, Any] = {
            "id": self.id, "company_id": self.company_id, "pipeline_id": stage.pipeline_id,
            "stage_id": stage.id, "next_follow_up_at": data.next_follow_up_at, "lost_reason": row.lost_reason,
            "created_at": now, "updated_at": now,
        }  # fmt: skip
        self.custom_fields = dict(data.custom_fields)
        self.value, self.currency = data.value, data.currency
        self.owner_id = owner_id
        self.tier = data.tier
        self.source = data.source
        self.tags = list(dict.fromkeys(data.tags))

    @property
    def next_follow_up_at(self) -> datetime | None:
        return self.row["next_follow_up_at"]

    @next_follow_up_at.setter
    def next_follow_up_at(self, moment: datetime | None) -> None:
        self.row["next_follow_up_at"] = moment

    def new_contact(self, now: datetime) -> SimpleNamespace:
        """An empty primary contact (what a merge adds when the lead has none)."""
        contact = SimpleNamespace(
            id=uuid7(), company_id=self.company_id, first_name=None, last_name=None, full_name="",
            title=None, email=None, phone=None, linkedin_url=None, is_primary=True, is_decision_maker=False,
            email_consent=False, do_not_contact=False, created_at=now, updated_at=now,
        )  # fmt: skip
        self.primary_contact_id = contact.id
        return contact

    def lead_row(self) -> dict[str, Any]:
        """The leads row as it stands after every merge of this batch."""
        contact_id, source, tags = self.primary_contact_id, self.source, self.tags
        merged = {"owner_id": self.owner_id, "tier": self.tier, "source": source, "tags": tags,
                  "custom_fields": self.custom_fields, "value": self.value,
                  "currency": self.currency}  # fmt: skip
        return {**self.row, "primary_contact_id": contact_id, **merged}


Target = Lead | _Draft


class _Index:
    """Which lead each key belongs to; the oldest lead wins a key, as in the one-row lookups."""

    def __init__(self, named: list[Lead] | None = None) -> None:
        self.keys: dict[str, dict[str, Target]] = {EMAIL: {}, PHONE: {}, DOMAIN: {}}
        # The leads records name by id (an export going back in): the id wins over every key.
        self.by_id: dict[uuid.UUID, Target] = {lead.id: lead for lead in named or ()}

    def add(self, kind: str, key: str | None, target: Target) -> None:
        if key is None:
            return
        known = self.keys[kind].get(key)
        if known is None or target.id < known.id:
            self.keys[kind][key] = target

    def add_lead(self, target: Target) -> None:
        """Register the keys *target* has now (a merge may have filled some)."""
        contact = target.primary_contact
        if contact is not None:
            self.add(EMAIL, dedup.email_key(contact.email), target)
            self.add(PHONE, contact.phone, target)
        domain = target.company.domain if target.company is not None else None
        if domain and domain not in normalize.FREE_MAIL_DOMAINS:
            self.add(DOMAIN, domain, target)

    def find(self, row: CleanRow) -> Target | None:
        """The lead the record names by id, else the one matching the email key, else the phone (unless
        contradicted), else the company domain."""
        if row.lead_id is not None and row.lead_id in self.by_id:
            return self.by_id[row.lead_id]
        email_key, domain = row.keys.email_key, row.match_domain
        for kind, key in ((EMAIL, email_key), (PHONE, row.keys.phone), (DOMAIN, domain)):
            found = self.keys[kind].get(key) if key is not None else None
            if found is None or (kind == PHONE and dedup.phone_match_contradicted(found, email_key, domain)):
                continue
            return found
        return None


def _lead_ids(
    repo: LeadKeyRepository, state: RunState, contacts: set[uuid.UUID], companies: set[uuid.UUID]
) -> tuple[dict[uuid.UUID, uuid.UUID], dict[uuid.UUID, uuid.UUID]]:
    """The oldest lead of each contact (as its primary contact) and of each company."""
    by_contact = {
        c: uuid.UUID(int=state.contact_lead[c.int]) for c in contacts if c.int in state.contact_lead
    }
    by_company = {
        c: uuid.UUID(int=state.company_lead[c.int]) for c in companies if c.int in state.company_lead
    }
    unknown_contacts, unknown_companies = contacts - by_contact.keys(), companies - by_company.keys()
    for lead_id, contact_id, company_id in repo.leads_of(unknown_contacts, unknown_companies):
        for wanted, found, key in (
            (unknown_contacts, by_contact, contact_id),
            (unknown_companies, by_company, company_id),
        ):
            if key in wanted and (key not in found or lead_id < found[key]):
                found[key] = lead_id
    return by_contact, by_company


def _existing(session: Session, rows: list[CleanRow], state: RunState) -> _Index:
    """This org's leads matching any key of the batch, indexed by those keys."""
    repo = LeadKeyRepository(session)
    email_contacts = repo.contacts_by_email_keys({r.keys.email_key for r in rows if r.keys.email_key})
    phone_contacts = repo.contacts_by_phones({r.keys.phone for r in rows if r.keys.phone})
    domain_companies = repo.companies_by_domains({r.match_domain for r in rows if r.match_domain})
    by_contact, by_company = _lead_ids(
        repo, state, {c for _, c in email_contacts + phone_contacts}, {c for _, c in domain_companies}
    )
    found: dict[str, list[tuple[str, uuid.UUID]]] = {
        EMAIL: [(k, by_contact[c]) for k, c in email_contacts if c in by_contact],
        PHONE: [(k, by_contact[c]) for k, c in phone_contacts if c in by_contact],
        DOMAIN: [(k, by_company[c]) for k, c in domain_companies if c in by_company],
    }
    named = {r.lead_id for r in rows if r.lead_id is not None}
    wanted = {i for pairs in found.values() for _, i in pairs} | named
    # Scoped to this org: another org's export names leads this org can't see, and they match nothing.
    leads = {lead.id: lead for lead in repo.leads(wanted)}
    index = _Index([leads[i] for i in named if i in leads])
    for kind, pairs in found.items():
        for key, lead_id in pairs:
            if lead_id in leads:  # a lead deleted since is no match
                index.add(kind, key, leads[lead_id])
    return index


def _activity(lead_id: uuid.UUID, actor_id: uuid.UUID | None, kind: str, now: datetime, **data: Any) -> dict:
    return {"id": uuid7(), "lead_id": lead_id, "actor_id": actor_id, "kind": kind, "data": data,
            "created_at": now, "updated_at": now}  # fmt: skip


def store(
    session: Session,
    principal: Principal,
    rows: list[CleanRow],
    state: RunState,
    default_owner_id: uuid.UUID | None,
    pipeline: Pipeline,
) -> BatchResult:
    """Merge each record into its match or create a lead; flushes, the runner commits the batch.

    *default_owner_id* owns the new leads of records that name no owner; a new lead whose record names
    no stage starts at the first open stage of *pipeline*, the import's.
    """
    with search.written_by_caller(session):
        return _store(session, principal, rows, state, default_owner_id, first_open_stage(pipeline))


def _fill_work(target: Target, row: CleanRow) -> list[str]:
    """A merge gives an unowned lead the owner its record names, an untiered lead the tier, a lead with no
    follow-up the record's, and adds the custom fields the lead lacks (up to the 50 a lead holds)."""
    filled = []
    room = MAX_CUSTOM_FIELDS - len(target.custom_fields)
    new_fields = [(k, v) for k, v in row.data.custom_fields.items() if k not in target.custom_fields][:room]
    if new_fields:
        target.custom_fields = {**target.custom_fields, **dict(new_fields)}  # JSON columns see reassignment
        filled.append("custom_fields")
    if target.owner_id is None and row.data.owner_id is not None:
        target.owner_id = row.data.owner_id
        filled.append("owner")
    if target.tier is None and row.data.tier is not None:
        target.tier = row.data.tier
        filled.append("tier")
    if target.next_follow_up_at is None and row.data.next_follow_up_at is not None:
        target.next_follow_up_at = row.data.next_follow_up_at
        filled.append("next_follow_up_at")
    return filled


def _store(
    session: Session,
    principal: Principal,
    rows: list[CleanRow],
    state: RunState,
    default_owner_id: uuid.UUID | None,
    start: PipelineStage,
) -> BatchResult:
    now = utcnow()
    actor = principal.user_id
    index = _existing(session, rows, state)
    drafts: list[_Draft] = []
    activities: list[dict[str, Any]] = []
    hints: dict[uuid.UUID, str] = {}
    merged_leads: dict[uuid.UUID, Lead] = {}
    notes: list[tuple[uuid.UUID, str]] = []
    merged = 0
    for row in rows:
        target = index.find(row)
        if target is None:
            draft = _Draft(row, row.stage or start, row.data.owner_id or default_owner_id, now)
            drafts.append(draft)
            activities.append(_activity(draft.id, actor, "created", now, stage_id=str(draft.stage.id)))
            hints[draft.id] = "lead.created"
            index.add_lead(draft)
            if row.note:
                notes.append((draft.id, row.note))
            continue
        incoming = dedup.incoming_values(row.data, row.keys, row.company_phone)
        filled = dedup.fill_lead(target, incoming, _contact_maker(session, target, now))
        filled += _fill_work(target, row)
        activities.append(_activity(target.id, actor, "merged", now, source=row.data.source, fields=filled))
        if row.note:
            notes.append((target.id, row.note))
        if isinstance(target, Lead):
            merged_leads[target.id] = target
        hints.setdefault(target.id, "lead.updated")
        index.add_lead(target)
        merged += 1
    note_ids = [uuid7() for _ in notes]
    note_rows = [
        {"id": note_id, "lead_id": lead_id, "author_id": actor, "body": body, "created_at": now,
         "updated_at": now}
        for note_id, (lead_id, body) in zip(note_ids, notes, strict=True)
    ]  # fmt: skip
    # The timeline names the note, not its text, as for a note written on the lead page.
    activities += [
        _activity(lead_id, actor, "note_added", now, note_id=str(note_id))
        for note_id, (lead_id, _) in zip(note_ids, notes, strict=True)
    ]
    _insert(session, principal, drafts, list(merged_leads.values()), activities, note_rows, now)
    for draft in drafts:
        state.company_lead[draft.company_id.int] = draft.id.int
        if draft.primary_contact is not None:
            state.contact_lead[draft.primary_contact.id.int] = draft.id.int
    _publish(session, principal.org_id, hints)
    if drafts:
        schedule_scan(session, principal.org_id)  # as create_lead does, once per batch
    return BatchResult(created=len(drafts), merged=merged)


def _terms_of(lead: Target) -> set[str]:
    """The terms *lead* is found by, as it stands after every merge of this batch."""
    contact = lead.primary_contact
    if contact is None:
        return search.lead_terms(lead.company.name, None, None, lead.tags)
    return search.lead_terms(lead.company.name, contact.full_name, contact.email, lead.tags)


def _contact_maker(session: Session, target: Target, now: datetime) -> Any:
    if isinstance(target, _Draft):
        return lambda: target.new_contact(now)
    return lambda: ContactRepository(session).add(Contact(company_id=target.company_id, is_primary=True))


def _insert(
    session: Session,
    principal: Principal,
    drafts: list[_Draft],
    merged: list[Lead],
    activities: list[dict[str, Any]],
    notes: list[dict[str, Any]],
    now: datetime,
) -> None:
    bulk = LeadBulkRepository(session)
    # Merged existing leads are ORM objects: their UPDATEs go out first, then the inserts in FK order.
    session.flush()
    bulk.insert(Company, [dict(vars(d.company)) for d in drafts])
    # The key from the address as merged: a merge into a draft fills its email by plain assignment.
    contacts = [vars(d.primary_contact) for d in drafts if d.primary_contact is not None]
    bulk.insert(Contact, [{**c, "email_key": dedup.email_key(c["email"])} for c in contacts])
    bulk.insert(Lead, [d.lead_row() for d in drafts])
    bulk.insert(LeadSearchTerm, [{"term": term, "lead_id": d.id} for d in drafts for term in _terms_of(d)])
    # A merge only fills blanks and adds tags, so a merged lead's terms only grow: add the new ones.
    merged_terms = [{"term": term, "lead_id": lead.id} for lead in merged for term in _terms_of(lead)]
    bulk.insert(LeadSearchTerm, merged_terms, skip_existing=True)
    # A lead imported as lost has its reason in its history, as a move to a lost stage does.
    history = [
        {"id": uuid7(), "lead_id": d.id, "from_stage_id": None, "to_stage_id": d.stage.id,
         "changed_by_id": principal.user_id, "reason": d.row["lost_reason"], "created_at": now,
         "updated_at": now}
        for d in drafts
    ]  # fmt: skip
    bulk.insert(LeadStatusHistory, history)
    bulk.insert(Note, notes)
    bulk.insert(Activity, activities)


def _publish(session: Session, org_id: uuid.UUID, hints: dict[uuid.UUID, str]) -> None:
    # Past MAX_HINTS_PER_COMMIT distinct hints a commit sends one "resync" instead, so one more than
    # that is enough to say "a lot changed" without encoding a hint per lead of a 500-row batch.
    for lead_id, event in list(hints.items())[: MAX_HINTS_PER_COMMIT + 1]:
        publish_after_commit(session, org_id, event, {"lead_id": str(lead_id)})
