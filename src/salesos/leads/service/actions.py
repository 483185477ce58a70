"""Lead actions: email, call, WhatsApp, scheduled calls and owner changes, each logged on the timeline."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import quote

from sqlalchemy.orm import Session

from salesos.auth.principal import Principal
from salesos.calendar import service as calendar
from salesos.db.base import utcnow
from salesos.errors import Conflict, ValidationFailed
from salesos.leads.models import Activity, Contact, Lead, Note, Task
from salesos.leads.repository import NoteRepository
from salesos.leads.service.leads import follow_up_done, record, update_lead
from salesos.leads.service.work import add_task
from salesos.orgs.schemas import DEFAULT_WHATSAPP_TEMPLATE

CALL_OUTCOMES = {
    "connected": "Connected",
    "no_answer": "No answer",
    "voicemail": "Left a voicemail",
    "wrong_number": "Wrong number",
}
MAX_CALL_MINUTES = 600
DEFAULT_CALL_MINUTES = 15
# A call set for a few minutes ago is still a plan (the form took a while to fill in).
PAST_CALL_GRACE = timedelta(minutes=15)
DO_NOT_CONTACT = "This contact asked not to be contacted."


@dataclass(frozen=True)
class ActionLinks:
    """Where the lead's contact can be reached: mailto, tel and wa.me links, or why not."""

    contact: Contact | None
    do_not_contact: bool
    mailto: str | None
    tel: str | None
    whatsapp: str | None
    whatsapp_text: str


def _first_name(contact: Contact | None) -> str:
    if contact is None:
        return "there"
    return contact.first_name or (contact.full_name.split() or ["there"])[0]


def whatsapp_message(lead: Lead, *, sender: str, org: str, template: str | None = None) -> str:
    """The org's WhatsApp message (or the built-in one), filled in for *lead*."""
    # Templates are checked when saved to use only these names, so format() can't reach anything else.
    return (template or DEFAULT_WHATSAPP_TEMPLATE).format(
        first_name=_first_name(lead.primary_contact), sender=sender, org=org, company=lead.company.name
    )


def action_links(lead: Lead, *, sender: str, org: str, template: str | None = None) -> ActionLinks:
    """The contact links of the lead's primary contact; none when they asked not to be contacted."""
    contact = lead.primary_contact
    text = whatsapp_message(lead, sender=sender, org=org, template=template)
    if contact is None or contact.do_not_contact:
        return ActionLinks(contact, contact is not None, None, None, None, text)
    mailto = f"mailto:{contact.email}?subject={quote(org, safe='')}" if contact.email else None
    # Phones are stored in E.164 already; wa.me wants the same number as digits only.
    digits = "".join(ch for ch in contact.phone or "" if ch.isdigit())
    tel = f"tel:+{digits}" if digits else None
    whatsapp = f"https://wa.me/{digits}?text={quote(text, safe='')}" if digits else None
    return ActionLinks(contact, False, mailto, tel, whatsapp, text)


def _reachable(lead: Lead, channel: str) -> Contact:
    """The primary contact, if it may be reached on *channel* ("email" or "phone")."""
    contact = lead.primary_contact
    if contact is not None and contact.do_not_contact:
        raise Conflict(DO_NOT_CONTACT)
    if contact is None or not getattr(contact, channel):
        raise ValidationFailed(f"The lead's contact has no {channel}.", field=channel)
    return contact


def _linked_note(session: Session, principal: Principal, lead: Lead, notes: str) -> dict[str, str]:
    """What was said in a logged call or email, as a Note the entry links to (``{"note_id"}``, or nothing).

    One timeline entry per call or email: the note is linked from it instead of adding a note_added entry.
    """
    if not notes.strip():
        return {}
    note = NoteRepository(session).add(Note(lead_id=lead.id, author_id=principal.user_id, body=notes))
    return {"note_id": str(note.id)}


def log_email(session: Session, principal: Principal, lead: Lead, *, notes: str = "") -> Activity:
    """Record that an email was sent to the lead's contact (from the user's own mail program); what it
    was about becomes a Note linked from the entry, as a call's notes do."""
    contact = _reachable(lead, "email")
    data = {"contact_id": str(contact.id), **_linked_note(session, principal, lead, notes)}
    activity = record(session, lead, "email_logged", principal.user_id, **data)
    follow_up_done(session, principal, lead)
    return activity


def log_call(
    session: Session, principal: Principal, lead: Lead, *, outcome: str, minutes: int | None, notes: str
) -> Activity:
    """Record a call with its outcome and length; notes become a Note, never timeline data."""
    contact = _reachable(lead, "phone")
    if outcome not in CALL_OUTCOMES:
        raise ValidationFailed("Choose the call's outcome.", field="outcome")
    if minutes is not None and not 0 <= minutes <= MAX_CALL_MINUTES:
        raise ValidationFailed(f"Enter 0 to {MAX_CALL_MINUTES} minutes.", field="duration_minutes")
    data: dict[str, Any] = {"contact_id": str(contact.id), "outcome": outcome, "duration_minutes": minutes}
    data |= _linked_note(session, principal, lead, notes)
    activity = record(session, lead, "call_logged", principal.user_id, **data)
    follow_up_done(session, principal, lead)
    return activity


def log_whatsapp(session: Session, principal: Principal, lead: Lead) -> Activity:
    """Record that a WhatsApp chat was opened with the lead's contact."""
    contact = _reachable(lead, "phone")
    activity = record(session, lead, "whatsapp_opened", principal.user_id, contact_id=str(contact.id))
    follow_up_done(session, principal, lead)
    return activity


def schedule_call(
    session: Session,
    principal: Principal,
    lead: Lead,
    due_at: datetime | None,
    *,
    duration_minutes: int = DEFAULT_CALL_MINUTES,
    notes: str | None = None,
) -> Task:
    """Add a "Call <contact>" task at *due_at* for the caller, and the call to their calendar."""
    if due_at is None:
        raise ValidationFailed("Choose when to call.", field="call_at")
    if due_at < utcnow() - PAST_CALL_GRACE:
        # A call "scheduled" in the past is a typo (a wrong year or month), not a plan: it would only
        # add an overdue task and a calendar event nobody can keep. Logging a call that happened is
        # what the call log is for.
        message = "Choose a time from now on; a call you made goes in the call log."
        raise ValidationFailed(message, field="call_at")
    contact = _reachable(lead, "phone")
    title = f"Call {contact.full_name or lead.company.name}"[:200]
    task = add_task(session, principal, lead, title=title, due_at=due_at, assignee_id=principal.user_id)
    calendar.schedule(
        session,
        principal,
        lead,
        title=f"{title} ({lead.company.name})"[:200] if contact.full_name else title,
        starts_at=due_at,
        duration_minutes=duration_minutes,
        notes=notes,
        task_id=task.id,
    )
    return task


def assign_owner(session: Session, principal: Principal, lead: Lead, owner_id: uuid.UUID | None) -> Lead:
    """Give the lead to a member of this org (None leaves it unassigned)."""
    return update_lead(session, principal, lead, {"owner_id": owner_id})


# How the timeline names what a merge filled in (``dedup.fill_lead``); others read as their field name.
MERGED_FIELD_WORDS = {
    "value": "deal value",
    "custom_fields": "custom fields",
    "contact": "a contact",
    "company.phone": "company phone",
    "contact.title": "job title",
    "contact.linkedin_url": "LinkedIn",
    "next_follow_up_at": "follow-up",
}


def describe(kind: str, data: dict[str, Any]) -> str | None:
    """The timeline's words for an action entry; None for other kinds."""
    if kind == "email_logged":
        return "Logged an email" + (" (with a note)" if data.get("note_id") else "")
    if kind == "whatsapp_opened":
        return "Opened a WhatsApp chat"
    if kind == "call_logged":
        text = "Logged a call: " + CALL_OUTCOMES.get(str(data.get("outcome")), "outcome unknown")
        if data.get("duration_minutes") is not None:
            text += f", {data['duration_minutes']} min"
        return text + (" (with a note)" if data.get("note_id") else "")
    if kind == "call_cancelled":
        return "Cancelled a scheduled call"
    if kind == "call_rescheduled":
        return "Moved a scheduled call"
    if kind == "updated" and data.get("fields") == ["owner_id"]:
        return "Changed the owner"
    if kind == "updated" and data.get("fields") == ["next_follow_up_at"]:
        return "Changed the next follow-up"
    if kind == "lead_merged":
        return f"Merged the duplicate lead {data.get('company') or 'another lead'} into this one"
    if kind == "merged":
        text = "Merged a duplicate" + (f" from {data['source']}" if data.get("source") else "")
        filled = [
            MERGED_FIELD_WORDS.get(name, name.split(".")[-1].replace("_", " "))
            for name in data.get("fields", [])
        ]
        # A merge never overwrites, so say what it added: a reader wondering where the file's value went
        # sees that the lead had one already.
        return text + (f": filled in {', '.join(filled)}" if filled else ": nothing new to fill in")
    return None
