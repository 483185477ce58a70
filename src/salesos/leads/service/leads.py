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
# Non-null columns with no empty value: an explicit null in a PATCH is refused, not ignored. (The pipeline
# is not in a PATCH: it follows the stage.)
NEVER_NULL = {"stage_id": "A lead is always in a stage: choose one.", "currency": "Currency can't be empty."}
# What a contact is known by, one of them at least (ContactDetails.names_someone); /contacts says the same.
NOBODY = "Give a name, an email address, a phone number or a LinkedIn address."


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


def contact_problems(
    session: Session, email: str | None, phone: str | None, region: str | None = None
) -> dict[str, str]:
    """What is wrong with an email and a phone number, both at once ("email"/"phone" → the sentence).

    The service refuses the first one it meets; a form checks both first, so one submit names every
    field to fix. *region*: where the phone is read (a person's company's country), else the org's.
    """
    problems: dict[str, str] = {}
    try:
        checked_email(email, "email")
    except ValidationFailed as exc:
        problems["email"] = exc.detail
    try:
        checked_phone(phone, region or org_region(session), "phone")
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
    fields = data.model_dump(exclude={"domain", "phone", "tags"})
    region = normalize.phone_region(data.country, region)
    phone = checked_phone(data.phone, region, f"{prefix}phone")
    company = Company(**fields, domain=domain, phone=phone, tags=normalize.normalize_tags(data.tags))
    return CompanyRepository(session).add(company)


def wanted_contact(data: ContactIn | None) -> ContactIn | None:
    """The person a new lead's ``contact`` describes; None for an absent or empty one.

    Details that name nobody (a title, a ticked flag) are refused rather than dropped without a word.
    """
    if data is None or data.is_blank():
        return None  # "contact": {} is no contact, not a nameless person
    if not data.names_someone():
        raise ValidationFailed(NOBODY, field="contact.first_name")
    return data


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
    ContactRepository(session).add(contact)
    flag_primary(session, company_id, contact.id)
    return contact


def flag_primary(session: Session, company_id: uuid.UUID, contact_id: uuid.UUID) -> None:
    """Make *contact_id* its company's one primary person (``is_primary``), the others not.

    The person a lead is worked through is its company's main contact, and two answers to "who is
    primary here" would contradict each other.
    """
    for person in ContactRepository(session).of_company(company_id):
        person.is_primary = person.id == contact_id


def release_primary(session: Session, lead: Lead, contact_id: uuid.UUID) -> None:
    """*lead* no longer goes through *contact_id*: the person stops being primary unless another lead
    of their company still goes through them."""
    contact = ContactRepository(session).get(contact_id)
    if contact is None or not contact.is_primary:
        return
    if contact.company_id is None or not LeadRepository(session).others_through(
        contact_id, contact.company_id, lead.id
    ):
        contact.is_primary = False


def create_lead(session: Session, principal: Principal, data: LeadCreateIn) -> Lead:
    """Create a lead, its company (or use an existing one) and optional primary contact."""
    if (data.company is None) == (data.company_id is None):
        raise ValidationFailed("Give either a new company or an existing company_id.", field="company")
    require_member(session, data.owner_id, "owner_id")
    given = wanted_contact(data.contact)
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
    contact = _new_contact(session, given, company.id, region) if given else None
    lead = LeadRepository(session).add(
        Lead(
            company_id=company.id,
            primary_contact_id=contact.id if contact else None,
            pipeline_id=stage.pipeline_id,
            stage_id=stage.id,
            owner_id=data.owner_id,
            value=normalize.stored_amount(data.value),
            currency=data.currency,
            source=data.source,
            tags=normalize.normalize_tags(data.tags),
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


def _refuse_stale(session: Session, lead: Lead, changes: dict[str, Any]) -> None:
    """Server wins: an edit made against a lead that has changed since the client saw it (another stage,
    or with ``expected_updated_at`` any change at all) is refused, unless it asks for the stage the lead
    is in now (a replay of a move that already happened). Pops the two expectations from *changes*."""
    expected_stage_id = changes.pop("expected_stage_id", None)
    expected_updated_at = changes.pop("expected_updated_at", None)
    if changes.get("stage_id") is not None and changes["stage_id"] == lead.stage_id:
        return
    moved = expected_stage_id is not None and expected_stage_id != lead.stage_id
    edited = expected_updated_at is not None and expected_updated_at != lead.updated_at
    if not (moved or edited):
        return
    current = StageRepository(session).get(lead.stage_id)
    where = current.name if current else "another stage"
    if moved:
        raise Conflict(f"This lead moved to {where} meanwhile.")
    raise Conflict(f"This lead was changed by someone else meanwhile (it is at {where}); look again first.")


def update_lead(session: Session, principal: Principal, lead: Lead, changes: dict[str, Any]) -> Lead:
    """Apply a PATCH: plain fields directly, a stage change through move_stage."""
    for name, sentence in NEVER_NULL.items():
        if name in changes and changes[name] is None:
            raise ValidationFailed(sentence, field=name)
    _refuse_stale(session, lead, changes)
    if "primary_contact_id" in changes:
        set_primary_contact(session, principal, lead, changes.pop("primary_contact_id"))
    stage_id = changes.pop("stage_id", None)
    reason = changes.pop("reason", None)
    sent_lost_reason = "lost_reason" in changes
    lost_reason = changes.pop("lost_reason", None)
    if stage_id is None and reason is not None:
        raise ValidationFailed("A reason goes with a stage change.", field="reason")
    if sent_lost_reason:
        target = StageRepository(session).get(stage_id or lead.stage_id)
        lost = target is not None and target.kind == StageKind.LOST.value
        if lost_reason is not None and not lost:
            # A reason sent for an open stage would be dropped without a word; say so instead.
            raise ValidationFailed("A lost reason goes with a lost stage.", field="lost_reason")
        if lost:
            # No stage: editing the reason of a lead already lost; move_stage refuses a null one.
            stage_id = stage_id or lead.stage_id
    if "value" in changes:
        changes["value"] = normalize.stored_amount(changes["value"])
    if "owner_id" in changes and changes["owner_id"] != lead.owner_id:
        require_member(session, changes["owner_id"], "owner_id")
    changed: list[str] = []
    for name, value in changes.items():
        if value is None and name in NOT_NULL_DEFAULTS:
            value = NOT_NULL_DEFAULTS[name]()
        if name == "tags":
            value = normalize.normalize_tags(value)
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
    previous, lead.primary_contact_id = lead.primary_contact_id, contact_id
    # The company's primary flag follows the lead's choice (see flag_primary).
    if contact_id is not None:
        flag_primary(session, lead.company_id, contact_id)
    elif previous is not None:
        release_primary(session, lead, previous)
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
