"""Editing a lead from the web: its deal fields, its company and its primary contact on one form."""

from __future__ import annotations

import uuid
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, Response

from salesos.auth.deps import Writer
from salesos.auth.principal import Principal
from salesos.db.deps import DbSession
from salesos.errors import DomainError
from salesos.leads import board, normalize, schemas
from salesos.leads.action_views import reader_timezone
from salesos.leads.models import Lead
from salesos.leads.service import details
from salesos.leads.service import leads as lead_service
from salesos.web.forms import FormErrors, attempt, domain_errors, validate
from salesos.web.pages import page, see_other

router = APIRouter(include_in_schema=False)

# The form's sections: input names are the schema's field names with the section's prefix.
LEAD_FIELDS = ("value", "currency", "tier", "source", "tags", "next_follow_up_at")
COMPANY_FIELDS = (
    "name", "website", "phone", "address", "city", "region", "postal_code", "country", "industry", "size",
)  # fmt: skip
CONTACT_TEXT = ("first_name", "last_name", "title", "email", "phone", "linkedin_url")
CONTACT_FLAGS = ("is_decision_maker", "email_consent", "do_not_contact")
STALE = (
    "Someone else changed this lead while you were editing. Your changes are still here: check them "
    "against the lead's page, then save again to keep yours."
)


async def edit_form(request: Request) -> dict[str, str]:
    """The posted fields as text (Starlette caches the parsed form for the CSRF check and for us)."""
    form = await request.form()
    return {key: value for key, value in form.items() if isinstance(value, str)}


EditForm = Annotated[dict[str, str], Depends(edit_form)]


def _text(value: Any) -> str:
    return "" if value is None else str(value)


def form_values(lead: Lead, tz: str) -> dict[str, str]:
    """The form as the lead is now: what the edit page starts from."""
    follow_up = board.local_input(lead.next_follow_up_at, tz) if lead.next_follow_up_at else ""
    values = {
        "value": _text(lead.value),
        "currency": lead.currency,
        "tier": _text(lead.tier),
        "source": _text(lead.source),
        "tags": ", ".join(lead.tags or []),
        "next_follow_up_at": follow_up,
        "seen": lead.updated_at.isoformat(),
    }
    values |= {f"company_{name}": _text(getattr(lead.company, name)) for name in COMPANY_FIELDS}
    contact = lead.primary_contact
    values |= {f"contact_{name}": _text(getattr(contact, name, None)) for name in CONTACT_TEXT}
    values |= {f"contact_{flag}": "on" if getattr(contact, flag, False) else "" for flag in CONTACT_FLAGS}
    return values


def _or_none(value: str) -> str | None:
    return value.strip() or None


def _prefixed(errors: FormErrors, prefix: str) -> FormErrors:
    return {f"{prefix}{name}": message for name, message in errors.items()}


def parse(form: dict[str, str], tz: str) -> tuple[dict[str, Any], dict[str, Any], dict[str, Any], FormErrors]:
    """The three sections' changes, validated with the API's schemas; errors keyed by input name."""
    errors: FormErrors = {}
    currency = form.get("currency", "").strip().upper() or None
    lead_data: dict[str, Any] = {
        "value": None,
        "currency": currency,
        "tier": _or_none(form.get("tier", "")),
        "source": _or_none(form.get("source", "")),
        "tags": [tag.strip() for tag in form.get("tags", "").split(",") if tag.strip()],
    }
    try:
        lead_data["next_follow_up_at"] = board.parse_local(form.get("next_follow_up_at", ""), tz)
    except ValueError:
        errors["next_follow_up_at"] = "Enter a date and time."
    if lead_data["currency"] is None:
        errors["currency"] = "Enter a three-letter currency code, such as USD or EUR."
    if form.get("value", "").strip():
        # The currency field says what the amount is in: a sign or code naming another is refused.
        known = currency if currency in normalize.CURRENCY_CODES else None
        try:
            lead_data["value"], _ = normalize.parse_amount(form["value"], known)
        except normalize.AmountError as exc:
            errors["value"] = str(exc)
    lead_form, lead_errors = validate(schemas.LeadUpdateIn, lead_data)
    company_data = {name: _or_none(form.get(f"company_{name}", "")) for name in COMPANY_FIELDS}
    company_form, company_errors = validate(schemas.CompanyUpdateIn, company_data)
    if company_data["name"] is None:
        company_errors["name"] = "A company needs a name."
    contact_data: dict[str, Any] = {name: _or_none(form.get(f"contact_{name}", "")) for name in CONTACT_TEXT}
    contact_data |= {flag: form.get(f"contact_{flag}") == "on" for flag in CONTACT_FLAGS}
    contact_form, contact_errors = validate(schemas.ContactUpdateIn, contact_data)
    errors |= lead_errors | _prefixed(company_errors, "company_") | _prefixed(contact_errors, "contact_")
    if lead_form is None or company_form is None or contact_form is None or errors:
        return {}, {}, {}, errors
    # Every field of the form is sent: unset ones are explicit clears, not "leave as is".
    lead_changes = {name: getattr(lead_form, name) for name in LEAD_FIELDS}
    company_changes = {name: getattr(company_form, name) for name in COMPANY_FIELDS}
    contact_changes = {name: getattr(contact_form, name) for name in (*CONTACT_TEXT, *CONTACT_FLAGS)}
    return lead_changes, company_changes, contact_changes, {}


def render_edit(
    request: Request,
    session: DbSession,
    principal: Principal,
    lead: Lead,
    values: dict[str, str],
    errors: FormErrors,
    status_code: int = 200,
) -> HTMLResponse:
    """The edit page with *values* in its fields and *errors* beside them."""
    context = {"lead": lead, "values": values, "errors": errors, "tz": reader_timezone(session, principal)}
    return page(request, session, principal, "leads/edit.html", context, status_code)


@router.get("/leads/{lead_id}/edit", response_class=HTMLResponse)
def edit_page(request: Request, lead_id: uuid.UUID, principal: Writer, session: DbSession) -> Response:
    """The lead's deal fields, company and primary contact, ready to edit."""
    lead = lead_service.lead_or_404(session, lead_id)
    values = form_values(lead, reader_timezone(session, principal))
    return render_edit(request, session, principal, lead, values, {})


@router.post("/leads/{lead_id}/edit", response_class=HTMLResponse)
def save_edit(
    request: Request, lead_id: uuid.UUID, principal: Writer, session: DbSession, form: EditForm
) -> Response:
    """Save the edit form: all three sections or nothing, and never over a change made meanwhile unseen."""
    lead = lead_service.lead_or_404(session, lead_id)
    tz = reader_timezone(session, principal)
    values = {key: form.get(key, "") for key in form_values(lead, tz)}
    lead_changes, company_changes, contact_changes, errors = parse(form, tz)
    if errors:
        return render_edit(request, session, principal, lead, values, errors, 422)
    shown_follow_up = values["next_follow_up_at"] == form_values(lead, tz)["next_follow_up_at"]
    if shown_follow_up and lead.next_follow_up_at:
        # The input shows minutes: an untouched follow-up keeps its seconds instead of counting as changed.
        lead_changes["next_follow_up_at"] = lead.next_follow_up_at
    if form.get("seen") != lead.updated_at.isoformat():
        # The user's values stay; the form now carries the current version, so saving again overwrites.
        values["seen"] = lead.updated_at.isoformat()
        return render_edit(request, session, principal, lead, values, {"form": STALE}, 409)
    section = ""  # which part of the form a refusal belongs to, for its field's prefix
    try:
        with attempt(session):
            lead_service.update_lead(session, principal, lead, lead_changes)
            section = "company_"
            fields = details.update_company(session, lead, company_changes)
            section = "contact_"
            fields += details.save_primary_contact(session, lead, contact_changes)
            details.record_edit(session, principal, lead, fields)
    except DomainError as exc:
        session.refresh(lead)
        refused = domain_errors(exc)
        if getattr(exc, "field", None):
            refused = _prefixed(refused, section)
        return render_edit(request, session, principal, lead, values, refused, exc.status_code)
    return see_other(f"/leads/{lead.id}?done=saved")
