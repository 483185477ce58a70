"""Lead workspace actions as HTML forms: log email, call and WhatsApp, schedule a call, assign an owner."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, Response

from salesos.auth.deps import Writer
from salesos.auth.principal import Principal
from salesos.auth.repository import UserRepository
from salesos.calendar import service as calendar
from salesos.calendar.models import CalendarEvent
from salesos.db.base import utcnow
from salesos.db.deps import DbSession
from salesos.errors import Conflict, DomainError, NotFound, ValidationFailed
from salesos.leads import board, follow_ups
from salesos.leads.models import Activity, Lead
from salesos.leads.repository import ActivityRepository, StageRepository
from salesos.leads.service import actions as action_service
from salesos.leads.service import leads as lead_service
from salesos.leads.service import merge as merge_service
from salesos.orgs.models import Role, effective_timezone
from salesos.orgs.repository import MembershipRepository, OrganizationRepository
from salesos.web.forms import FormErrors, attempt, domain_errors
from salesos.web.pages import page, see_other

router = APIRouter(include_in_schema=False)
Text = Annotated[str, Form()]
# How far back the timeline is read for who made the change a stale form ran into: it is one of the
# latest entries, unless a burst of other work came after it (the message then names no one).
WHO_CHANGED_LOOKBACK = 25
# What the owner form's expected_owner_id says for "Unassigned": an empty form field reads as absent.
UNASSIGNED = "none"


def reader_timezone(session: DbSession, principal: Principal) -> str:
    """The zone the caller's forms are labelled, read and shown in: theirs, else the organisation's."""
    user = UserRepository(session).get(principal.user_id) if principal.user_id else None
    return effective_timezone(user, OrganizationRepository(session).current())


def render_detail(
    request: Request, session: DbSession, principal: Principal, lead: Lead, status: int = 200, **ctx: object
) -> HTMLResponse:
    """The lead workspace page, with the given form errors and values."""
    org = OrganizationRepository(session).current()
    user = UserRepository(session).get(principal.user_id) if principal.user_id else None
    can_write = principal.has_role(Role.MEMBER)
    # Viewers can't own work, so the owner select offers writers only.
    owners = MembershipRepository(session).lead_owners() if can_write else []
    tz = effective_timezone(user, org)
    context: dict[str, Any] = {
        "lead": lead,
        "page_url": f"/leads/{lead.id}",  # a refused form's page is shown at the lead's own address
        "tz": tz,
        "durations": calendar.DURATIONS,
        "upcoming_calls": calendar.upcoming_for_lead(session, lead),
        "can_write": can_write,
        "actions": action_service.action_links(
            lead,
            sender=user.name if user else "",
            org=org.name if org else "",
            template=org.whatsapp_template if org else None,
        ),
        "call_outcomes": action_service.CALL_OUTCOMES,
        "owner_choices": owners,
        "stage_errors": {},
        "stage_values": {},
        "note_errors": {},
        "task_errors": {},
        "task_values": {},
        "call_errors": {},
        "call_values": {},
        "email_errors": {},
        "email_values": {},
        "schedule_errors": {},
        "schedule_values": {},
        "owner_errors": {},
        "task_edit_errors": {},
        "contact_errors": {},
        "follow_up_errors": {},
        "follow_up_choices": follow_ups.CHOICES,
        # What logging a call leaves in place: a follow-up still to come (a due one is cleared).
        "follow_up_kept": lead.next_follow_up_at
        if lead.next_follow_up_at and lead.next_follow_up_at > utcnow()
        else None,
        # One-click times for the task and call forms' date fields, as those inputs take them.
        "time_presets": [
            (label, board.local_input(follow_ups.planned(key, tz, utcnow()), tz))
            for key, (label, _days) in follow_ups.CHOICES.items()
        ],
        "contact_values": {},
        "contact_edits": {},  # contact id -> {"errors", "values"} of a refused edit, shown in its open form
        "note_edits": {},  # note id -> {"errors", "body"} of a refused edit, shown in its open form
        **board.workspace(session, lead),
        "duplicates": merge_service.duplicates_of(session, lead),
        **ctx,
    }
    return page(request, session, principal, "leads/detail.html", context, status)


def _refused(
    request: Request, session: DbSession, principal: Principal, lead: Lead, exc: DomainError, **ctx: Any
) -> HTMLResponse:
    """Re-render the workspace with a refused action's message at the top (and by its field)."""
    session.refresh(lead)
    return render_detail(request, session, principal, lead, exc.status_code, action_error=exc.detail, **ctx)


@router.post("/leads/{lead_id}/actions/email", response_class=HTMLResponse)
def log_email(
    request: Request,
    lead_id: uuid.UUID,
    principal: Writer,
    session: DbSession,
    notes: Text = "",
    follow_up: Text = "",
) -> Response:
    """Log an email sent from the user's own mail program: what it was about (a note), the next follow-up."""
    lead = lead_service.lead_or_404(session, lead_id)
    values = {"notes": notes, "follow_up": follow_up}
    try:
        with attempt(session):
            _check_follow_up(follow_up)
            action_service.log_email(session, principal, lead, notes=notes.strip()[:20000])
            _plan_follow_up(session, principal, lead, follow_up)
    except DomainError as exc:
        errors: FormErrors = domain_errors(exc, "notes")
        return _refused(request, session, principal, lead, exc, email_errors=errors, email_values=values)
    return see_other(f"/leads/{lead.id}?done=email")


def _check_follow_up(follow_up: str) -> None:
    if follow_up and follow_up not in follow_ups.CHOICES:
        raise ValidationFailed("Choose when to follow up.", field="follow_up")


def _plan_follow_up(session: DbSession, principal: Principal, lead: Lead, follow_up: str) -> None:
    """After logged contact (which clears a due follow-up): the next one is the plan it led to."""
    if follow_up:
        when = follow_ups.planned(follow_up, reader_timezone(session, principal), utcnow())
        lead_service.update_lead(session, principal, lead, {"next_follow_up_at": when})


@router.post("/leads/{lead_id}/actions/call", response_class=HTMLResponse)
def log_call(
    request: Request,
    lead_id: uuid.UUID,
    principal: Writer,
    session: DbSession,
    outcome: Text = "",
    duration_minutes: Text = "",
    notes: Text = "",
    follow_up: Text = "",
) -> Response:
    """Log a call: outcome, minutes, optional notes (kept as a note) and, if chosen, the next follow-up."""
    lead = lead_service.lead_or_404(session, lead_id)
    values = dict(outcome=outcome, duration_minutes=duration_minutes, notes=notes, follow_up=follow_up)
    try:
        with attempt(session):
            try:
                minutes = int(duration_minutes) if duration_minutes.strip() else None
            except ValueError:
                raise ValidationFailed("Enter whole minutes.", field="duration_minutes") from None
            _check_follow_up(follow_up)
            action_service.log_call(
                session, principal, lead, outcome=outcome, minutes=minutes, notes=notes.strip()[:20000]
            )
            _plan_follow_up(session, principal, lead, follow_up)
    except DomainError as exc:
        errors = domain_errors(exc, "outcome")
        return _refused(request, session, principal, lead, exc, call_errors=errors, call_values=values)
    return see_other(f"/leads/{lead.id}?done=call")


@router.post("/leads/{lead_id}/actions/whatsapp", response_class=HTMLResponse)
def open_whatsapp(request: Request, lead_id: uuid.UUID, principal: Writer, session: DbSession) -> Response:
    """Log the WhatsApp chat, then send the browser on to wa.me (a plain form: works without JS)."""
    lead = lead_service.lead_or_404(session, lead_id)
    try:
        with attempt(session):
            action_service.log_whatsapp(session, principal, lead)
    except DomainError as exc:
        return _refused(request, session, principal, lead, exc)
    user = UserRepository(session).get(principal.user_id) if principal.user_id else None
    org = OrganizationRepository(session).current()
    links = action_service.action_links(
        lead,
        sender=user.name if user else "",
        org=org.name if org else "",
        template=org.whatsapp_template if org else None,
    )
    return see_other(links.whatsapp or f"/leads/{lead.id}")


@router.post("/leads/{lead_id}/actions/schedule-call", response_class=HTMLResponse)
def schedule_call(
    request: Request,
    lead_id: uuid.UUID,
    principal: Writer,
    session: DbSession,
    call_at: Text = "",
    duration_minutes: Text = "15",
    notes: Annotated[str, Form(max_length=2000)] = "",
) -> Response:
    """Schedule a call in the caller's timezone: a "Call <contact>" task and an event on their calendar."""
    lead = lead_service.lead_or_404(session, lead_id)
    tz = reader_timezone(session, principal)
    try:
        with attempt(session):
            try:
                due = board.parse_local(call_at, tz)
            except ValueError:
                raise ValidationFailed("Enter a date and time.", field="call_at") from None
            if not duration_minutes.isdigit():
                raise ValidationFailed("Choose a duration from the list.", field="duration_minutes")
            action_service.schedule_call(
                session, principal, lead, due, duration_minutes=int(duration_minutes), notes=notes
            )
    except DomainError as exc:
        errors = domain_errors(exc, "call_at")
        values = {"call_at": call_at, "duration_minutes": duration_minutes, "notes": notes}
        ctx = {"schedule_errors": errors, "schedule_values": values}
        return _refused(request, session, principal, lead, exc, **ctx)
    return see_other(f"/leads/{lead.id}?done=scheduled#tasks")


def _call_of_lead(session: DbSession, lead: Lead, event_id: uuid.UUID) -> CalendarEvent:
    """A call scheduled on *lead*; another lead's (or org's) event is not found."""
    event = calendar.event_or_404(session, event_id)
    if event.lead_id != lead.id:
        raise NotFound("Event not found.")
    return event


@router.post("/leads/{lead_id}/calls/{event_id}/cancel", response_class=HTMLResponse)
def cancel_call(
    request: Request, lead_id: uuid.UUID, event_id: uuid.UUID, principal: Writer, session: DbSession
) -> Response:
    """Call off a scheduled call: off the calendars, its task and reminder gone, a line in the timeline."""
    lead = lead_service.lead_or_404(session, lead_id)
    event = _call_of_lead(session, lead, event_id)
    try:
        with attempt(session):
            calendar.cancel(session, principal, event)
    except DomainError as exc:
        return _refused(request, session, principal, lead, exc)
    return see_other(f"/leads/{lead.id}?done=call-cancelled#tasks")


@router.post("/leads/{lead_id}/calls/{event_id}/reschedule", response_class=HTMLResponse)
def reschedule_call(
    request: Request,
    lead_id: uuid.UUID,
    event_id: uuid.UUID,
    principal: Writer,
    session: DbSession,
    starts_at: Text = "",
) -> Response:
    """Move a scheduled call to another time in the caller's timezone; its task and reminder follow."""
    lead = lead_service.lead_or_404(session, lead_id)
    event = _call_of_lead(session, lead, event_id)
    tz = reader_timezone(session, principal)
    try:
        with attempt(session):
            try:
                when = board.parse_local(starts_at, tz)
            except ValueError:
                when = None
            if when is None:
                raise ValidationFailed("Enter the new date and time.", field="starts_at")
            calendar.reschedule(session, principal, event, when)
    except DomainError as exc:
        return _refused(request, session, principal, lead, exc)
    return see_other(f"/leads/{lead.id}?done=call-moved#tasks")


def _latest(session: DbSession, lead: Lead, wanted: Callable[[Activity], bool]) -> Activity | None:
    """The newest of the lead's own timeline entries (not a merged-in lead's) that *wanted* accepts."""
    entries = ActivityRepository(session).page(lead.id, limit=WHO_CHANGED_LOOKBACK, cursor=None).items
    return next((a for a in entries if not a.data.get("merged_from") and wanted(a)), None)


def _who(session: DbSession, principal: Principal, user_id: uuid.UUID | None) -> str | None:
    """A person as a stale-form message names them: "You" for the caller (another tab of theirs)."""
    if user_id is None:
        return None
    if user_id == principal.user_id:
        return "You"
    user = UserRepository(session).get(user_id)
    return user.name if user else None


def parse_expected(value: str) -> uuid.UUID | Literal[False] | None:
    """A form's expected_* field: an id, None for "none" (nothing), or False when absent or unreadable.

    Absent means the form predates the check (or is not the lead page's): nothing to compare with.
    """
    value = value.strip()
    if value == UNASSIGNED:
        return None
    try:
        return uuid.UUID(value) if value else False
    except ValueError:
        return False


def stage_changed_meanwhile(session: DbSession, principal: Principal, lead: Lead) -> Conflict:
    """The refusal of a stage change made against a stage the lead has left since, naming who moved it."""
    stage = StageRepository(session).get(lead.stage_id)
    where = stage.name if stage else "another stage"
    moved = _latest(session, lead, lambda a: a.kind in ("stage_changed", "created"))
    who = _who(session, principal, moved.actor_id if moved else None)
    if who:
        return Conflict(f"{who} moved this lead to {where} meanwhile; look again before changing it.")
    return Conflict(f"This lead moved to {where} meanwhile; look again before changing it.")


def owner_changed_meanwhile(session: DbSession, principal: Principal, lead: Lead) -> Conflict:
    """The refusal of an owner change made against an owner the lead has had since, naming who did it."""
    owner = _who(session, principal, lead.owner_id) if lead.owner_id else None
    owner_text = ("you" if owner == "You" else owner) or "another member"
    given = _latest(session, lead, lambda a: a.kind == "updated" and "owner_id" in a.data.get("fields", []))
    who = _who(session, principal, given.actor_id if given else None)
    if who and lead.owner_id is None:
        change = f"{who} left this lead unassigned meanwhile"
    elif who and given is not None and given.actor_id == lead.owner_id:
        change = f"{who} took this lead meanwhile"
    elif who:
        change = f"{who} gave this lead to {owner_text} meanwhile"
    elif lead.owner_id is None:
        change = "This lead was left unassigned meanwhile"
    else:
        change = f"This lead went to {owner_text} meanwhile"
    return Conflict(f"{change}; look again before changing it.")


@router.post("/leads/{lead_id}/owner", response_class=HTMLResponse)
def assign_owner(
    request: Request,
    lead_id: uuid.UUID,
    principal: Writer,
    session: DbSession,
    owner_id: Text = "",
    expected_owner_id: Text = "",
) -> Response:
    """Give the lead to a member (empty: unassigned); a non-member is refused by the service.

    *expected_owner_id* is the owner the form showed ("none": unassigned). When the lead has had another
    owner since, the change is refused rather than silently undoing someone else's (unless it asks for
    the owner the lead has now: nothing would change).
    """
    lead = lead_service.lead_or_404(session, lead_id)
    try:
        with attempt(session):
            try:
                owner = uuid.UUID(owner_id) if owner_id.strip() else None
            except ValueError:
                raise ValidationFailed(lead_service.NOT_AN_OWNER, field="owner_id") from None
            unchanged = owner == lead.owner_id
            seen = parse_expected(expected_owner_id)
            if seen is not False and seen != lead.owner_id and not unchanged:
                raise owner_changed_meanwhile(session, principal, lead)
            action_service.assign_owner(session, principal, lead, owner)
    except DomainError as exc:
        return _refused(request, session, principal, lead, exc, owner_errors=domain_errors(exc, "owner_id"))
    return see_other(f"/leads/{lead.id}?done={'owner-same' if unchanged else 'owner'}")
