"""Leads: create (with company and contact inline), update, move between stages, delete."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy.orm import Session

from salesos.auth.principal import Principal
from salesos.db.base import utcnow
from salesos.errors import Conflict, NotFound, ValidationFailed
from salesos.leads import normalize
from salesos.leads.models import Activity, Company, Contact, Lead, LeadStatusHistory, StageKind
from salesos.leads.repository import (
    ActivityRepository,
    CompanyRepository,
    ContactRepository,
    HistoryRepository,
    LeadRepository,
    StageRepository,
)
from salesos.leads.schemas import CompanyIn, ContactIn, LeadCreateIn
from salesos.leads.service.duplicates import schedule_scan
from salesos.leads.service.pipelines import ensure_default_pipeline, first_open_stage, stage_or_422
from salesos.notifications import triggers as notify_on
from salesos.orgs.repository import MembershipRepository, OrganizationRepository
from salesos.realtime.events import publish_after_commit

# Non-null columns: an explicit null in a PATCH resets them to empty.
NOT_NULL_DEFAULTS: dict[str, Any] = {"tags": list, "custom_fields": dict}


def lead_or_404(session: Session, lead_id: uuid.UUID) -> Lead:
    """A lead of this org; another org's id answers exactly like a missing one."""
    lead = LeadRepository(session).get(lead_id)
    if lead is None:
        raise NotFound("Lead not found.")
    return lead


NOT_AN_OWNER = "Choose a member who can own leads: not a viewer, a deactivated account or an outsider."


def require_member(session: Session, user_id: uuid.UUID | None, field: str) -> None:
    """Leads and tasks go to members of this org who may work them: no viewers, no deactivated accounts."""
    if user_id is not None and not MembershipRepository(session).can_own_leads(user_id):
        raise ValidationFailed(NOT_AN_OWNER, field=field)


def new_owner(lead: Lead, changed: list[str]) -> dict[str, str | None]:
    """For an "updated" entry: who the lead went to, when its owner is among the *changed* fields."""
    return {"owner": str(lead.owner_id) if lead.owner_id else None} if "owner_id" in changed else {}


def record(session: Session, lead: Lead, kind: str, actor_id: uuid.UUID | None, **data: Any) -> Activity:
    """Add a timeline entry to *lead* and tell the org's browsers it changed."""
    activity = ActivityRepository(session).add(
        Activity(lead_id=lead.id, actor_id=actor_id, kind=kind, data=data)
    )
    event = "lead.created" if kind == "created" else "lead.updated"
    publish_after_commit(session, lead.org_id, event, {"lead_id": str(lead.id)})
    return activity


def follow_up_done(session: Session, principal: Principal, lead: Lead) -> None:
    """Touching a lead whose follow-up has come clears it: the promise to get back to them is kept.

    Called when an email, call or WhatsApp chat is logged and when a task on the lead is completed. A
    follow-up still to come stays: contact today doesn't cancel the one planned for next month.
    """
    if lead.next_follow_up_at is not None and lead.next_follow_up_at <= utcnow():
        lead.next_follow_up_at = None
        record(session, lead, "follow_up_done", principal.user_id)


def org_region(session: Session) -> str:
    """The region phone numbers without a country code are read in (the org's setting)."""
    org = OrganizationRepository(session).current()
    return org.default_region if org is not None else "US"


def checked_phone(raw: str | None, region: str, field: str) -> str | None:
    """E.164 form of *raw*, None when blank; ValidationFailed on *field* when it is not a phone number."""
    if raw is None or not raw.strip():
        return None
    phone = normalize.normalize_phone(raw, region)
    if phone is None:
        raise ValidationFailed("Not a valid phone number.", field=field)
    return phone


def contact_problems(session: Session, email: str | None, phone: str | None) -> dict[str, str]:
    """What is wrong with an email and a phone number, both at once ("email"/"phone" → the sentence).

    The service refuses the first one it meets; a form checks both first, so one submit names every
    field to fix.
    """
    problems: dict[str, str] = {}
    try:
        checked_email(email, "email")
    except ValidationFailed as exc:
        problems["email"] = exc.detail
    try:
        checked_phone(phone, org_region(session), "phone")
    except ValidationFailed as exc:
        problems["phone"] = exc.detail
    return problems


def checked_email(raw: str | None, field: str) -> str | None:
    """Normalised *raw*, None when blank; ValidationFailed on *field* when it is not an address."""
    if raw is None or not raw.strip():
        return None
    email = normalize.normalize_email(raw)
    if email is None:
        raise ValidationFailed("Not a valid email address.", field=field)
    return email


def new_company(
    session: Session, data: CompanyIn, contact: ContactIn | None, region: str, prefix: str = "company."
) -> Company:
    """A company with its domain (from the website, else the contact's work email) and phone normalised."""
    domain = normalize.domain_from_url(data.domain) or normalize.domain_from_url(data.website)
    if domain is None and contact is not None:
        domain = normalize.company_domain_from_email(contact.email)
    fields = data.model_dump(exclude={"domain", "phone"})
    region = normalize.phone_region(data.country, region)
    company = Company(**fields, domain=domain, phone=checked_phone(data.phone, region, f"{prefix}phone"))
    return CompanyRepository(session).add(company)


def _new_contact(session: Session, data: ContactIn, company_id: uuid.UUID, region: str) -> Contact:
    full_name = " ".join(part for part in (data.first_name, data.last_name) if part)
    fields = data.model_dump(exclude={"email", "phone"})
    contact = Contact(
        **fields,
        company_id=company_id,
        full_name=full_name,
        email=checked_email(data.email, "contact.email"),
        phone=checked_phone(data.phone, region, "contact.phone"),
        is_primary=True,
    )
    return ContactRepository(session).add(contact)


def create_lead(session: Session, principal: Principal, data: LeadCreateIn) -> Lead:
    """Create a lead, its company (or use an existing one) and optional primary contact."""
    if (data.company is None) == (data.company_id is None):
        raise ValidationFailed("Give either a new company or an existing company_id.", field="company")
    require_member(session, data.owner_id, "owner_id")
    if data.stage_id is not None:
        stage = stage_or_422(session, data.stage_id)
    else:
        stage = first_open_stage(ensure_default_pipeline(session))
    if stage.kind == StageKind.LOST.value:
        raise ValidationFailed("A new lead can't start lost.", field="stage_id")
    default_region = org_region(session)
    if data.company is not None:
        company = new_company(session, data.company, data.contact, default_region)
    else:
        found = CompanyRepository(session).get(data.company_id)  # type: ignore[arg-type]
        if found is None:
            raise ValidationFailed("Unknown company.", field="company_id")
        company = found
    region = normalize.phone_region(company.country, default_region)
    # An empty "contact": {} is no contact, not a nameless person.
    given = data.contact if data.contact is not None and data.contact.names_someone() else None
    contact = _new_contact(session, given, company.id, region) if given else None
    lead = LeadRepository(session).add(
        Lead(
            company_id=company.id,
            primary_contact_id=contact.id if contact else None,
            pipeline_id=stage.pipeline_id,
            stage_id=stage.id,
            owner_id=data.owner_id,
            value=data.value,
            currency=data.currency,
            source=data.source,
            tags=list(dict.fromkeys(data.tags)),
            tier=data.tier,
            next_follow_up_at=data.next_follow_up_at,
            custom_fields=dict(data.custom_fields),
        )
    )
    HistoryRepository(session).add(
        LeadStatusHistory(
            lead_id=lead.id, from_stage_id=None, to_stage_id=stage.id, changed_by_id=principal.user_id
        )
    )
    record(session, lead, "created", principal.user_id, stage_id=str(stage.id))
    # Alike names in the same city become merge suggestions a minute later (one scan per burst).
    schedule_scan(session, lead.org_id)
    return lead


def move_stage(
    session: Session,
    lead: Lead,
    stage_id: uuid.UUID,
    *,
    actor_id: uuid.UUID | None,
    reason: str | None = None,
    lost_reason: str | None = None,
    notify: bool = True,
) -> bool:
    """Move *lead* to another stage, writing history and timeline; False if it is already there.

    *notify*: tell the owner; a bulk move leaves it off and tells each owner once for all their leads.
    """
    stage = stage_or_422(session, stage_id)
    lost_reason = (lost_reason or "").strip() or None
    if stage.kind == StageKind.LOST.value and lost_reason is None:
        raise ValidationFailed("Say why the lead was lost.", field="lost_reason")
    if stage.id == lead.stage_id:
        if lost_reason is not None and stage.kind == StageKind.LOST.value:
            lead.lost_reason = lost_reason
            session.flush()
        return False
    from_stage_id = lead.stage_id
    lead.stage_id = stage.id
    lead.pipeline_id = stage.pipeline_id
    lead.lost_reason = lost_reason if stage.kind == StageKind.LOST.value else None
    why = lost_reason or (reason or "").strip() or None
    HistoryRepository(session).add(
        LeadStatusHistory(
            lead_id=lead.id,
            from_stage_id=from_stage_id,
            to_stage_id=stage.id,
            changed_by_id=actor_id,
            reason=why,
        )
    )
    moved = {"from_stage_id": str(from_stage_id), "to_stage_id": str(stage.id)}
    record(session, lead, "stage_changed", actor_id, **moved, **({"reason": why} if why else {}))
    if notify:
        notify_on.stage_changed(session, lead, stage, actor_id)
    return True


def update_lead(session: Session, principal: Principal, lead: Lead, changes: dict[str, Any]) -> Lead:
    """Apply a PATCH: plain fields directly, a stage change through move_stage."""
    if "primary_contact_id" in changes:
        set_primary_contact(session, principal, lead, changes.pop("primary_contact_id"))
    stage_id = changes.pop("stage_id", None)
    reason = changes.pop("reason", None)
    lost_reason = changes.pop("lost_reason", None)
    expected_stage_id = changes.pop("expected_stage_id", None)
    # Server wins: an edit made against a stage the lead has left since is refused, unless it asked for
    # the stage the lead is in now (a replay of a move that already happened).
    if expected_stage_id is not None and expected_stage_id != lead.stage_id and stage_id != lead.stage_id:
        current = StageRepository(session).get(lead.stage_id)
        raise Conflict(f"This lead moved to {current.name if current else 'another stage'} meanwhile.")
    if stage_id is None and reason is not None:
        raise ValidationFailed("A reason goes with a stage change.", field="reason")
    if lost_reason is not None:
        # A reason sent for an open stage would be dropped without a word; say so instead.
        target = StageRepository(session).get(stage_id or lead.stage_id)
        if target is not None and target.kind != StageKind.LOST.value:
            raise ValidationFailed("A lost reason goes with a lost stage.", field="lost_reason")
        stage_id = stage_id or lead.stage_id  # no stage: editing the reason of a lead already lost
    if "currency" in changes and changes["currency"] is None:
        raise ValidationFailed("Currency can't be empty.", field="currency")
    if "owner_id" in changes and changes["owner_id"] != lead.owner_id:
        require_member(session, changes["owner_id"], "owner_id")
    changed: list[str] = []
    for name, value in changes.items():
        if value is None and name in NOT_NULL_DEFAULTS:
            value = NOT_NULL_DEFAULTS[name]()
        if name == "tags":
            value = list(dict.fromkeys(value))
        if getattr(lead, name) != value:
            setattr(lead, name, value)
            changed.append(name)
    if stage_id is not None:
        move_stage(
            session, lead, stage_id, actor_id=principal.user_id, reason=reason, lost_reason=lost_reason
        )
    if changed:
        session.flush()
        record(
            session, lead, "updated", principal.user_id, fields=sorted(changed), **new_owner(lead, changed)
        )
        if "owner_id" in changed:
            notify_on.lead_assigned(session, lead, principal.user_id)
    return lead


def set_primary_contact(
    session: Session, principal: Principal, lead: Lead, contact_id: uuid.UUID | None
) -> Lead:
    """Make a person at the lead's company the one its email, call and WhatsApp reach (None: nobody)."""
    if contact_id == lead.primary_contact_id:
        return lead
    if contact_id is not None:
        contact = ContactRepository(session).get(contact_id)
        if contact is None or contact.company_id != lead.company_id:
            raise ValidationFailed("Choose a person at the lead's company.", field="primary_contact_id")
    lead.primary_contact_id = contact_id
    if contact_id is not None:
        # The company's primary flag follows: the person a lead is worked through is its company's main
        # contact, and two answers to "who is primary here" would contradict each other.
        for person in ContactRepository(session).of_company(lead.company_id):
            person.is_primary = person.id == contact_id
    session.flush()
    session.expire(lead, ["primary_contact"])  # the joined relationship follows the new id on next read
    record(
        session,
        lead,
        "primary_contact_changed",
        principal.user_id,
        contact_id=str(contact_id) if contact_id else None,
    )
    return lead


def delete_lead(session: Session, lead: Lead) -> None:
    """Delete a lead with its history, notes, tasks, calls and timeline (the company and contacts stay)."""
    from salesos.calendar.service import before_lead_deleted  # the calendar domain builds on this module

    before_lead_deleted(session, lead)
    LeadRepository(session).delete(lead)
    publish_after_commit(session, lead.org_id, "lead.deleted", {"lead_id": str(lead.id)})
