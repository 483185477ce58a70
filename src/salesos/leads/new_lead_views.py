"""The new-lead form: company, contact, value, owner and tags, with a look for the lead already there.

Import and intake merge exact matches on their own; a person typing a lead in is told instead, with a
link to the existing lead, and may still create theirs ("Create anyway").
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import HTMLResponse, Response

from salesos.auth.deps import Writer
from salesos.auth.principal import Principal
from salesos.db.deps import DbSession
from salesos.errors import DomainError
from salesos.leads import normalize, schemas
from salesos.leads.keys import email_key
from salesos.leads.models import Lead
from salesos.leads.service import dedup
from salesos.leads.service import leads as lead_service
from salesos.leads.service import pipelines as pipeline_service
from salesos.orgs.repository import MembershipRepository
from salesos.web.forms import FormErrors, attempt, domain_errors, validate
from salesos.web.pages import page, see_other

router = APIRouter(include_in_schema=False)
Text = Annotated[str, Form()]
Filter = Annotated[str, Query(max_length=200)]


@router.get("/leads/new", response_class=HTMLResponse)
def new_lead_form(request: Request, principal: Writer, session: DbSession, pipeline: Filter = "") -> Response:
    """The new-lead form (``?pipeline=`` preselects where the lead starts)."""
    return _new_lead_page(request, session, principal, {}, {"pipeline": pipeline})


def _new_lead_page(
    request: Request,
    session: DbSession,
    principal: Principal,
    errors: FormErrors,
    values: dict[str, str],
    status_code: int = 200,
    duplicate: dict[str, Any] | None = None,
) -> HTMLResponse:
    context: dict[str, Any] = {"errors": errors, "values": values, "duplicate": duplicate}
    context["pipelines"] = pipeline_service.list_pipelines(session)
    # Viewers can't own work; the creator is the default owner, so a new lead is on someone's dashboard.
    context["owner_choices"] = MembershipRepository(session).lead_owners()
    values.setdefault("owner", str(principal.user_id or ""))
    return page(request, session, principal, "leads/new.html", context, status_code)


# Service and schema error fields, as the form's input names.
NEW_LEAD_FIELDS = {"company": "company_name", "company.phone": "contact_phone", "contact": "contact_email"}
NEW_LEAD_FIELDS |= {"owner_id": "owner"}
NEW_LEAD_FIELDS |= {"contact.email": "contact_email", "contact.phone": "contact_phone"}


@router.post("/leads/new", response_class=HTMLResponse)
def create_lead(
    request: Request,
    principal: Writer,
    session: DbSession,
    company_name: Text = "",
    website: Text = "",
    contact_name: Text = "",
    contact_email: Text = "",
    contact_phone: Text = "",
    value: Text = "",
    pipeline: Text = "",
    owner: Text = "",
    tags: Text = "",
    create_anyway: Text = "",
) -> Response:
    """Create a lead with its company and primary contact in the first open stage of the chosen pipeline."""
    values = {"company_name": company_name, "website": website, "contact_name": contact_name}
    values |= {"contact_email": contact_email, "contact_phone": contact_phone, "value": value}
    values |= {"pipeline": pipeline, "owner": owner, "tags": tags}
    first, _, last = contact_name.strip().partition(" ")
    contact = {"first_name": first or None, "last_name": last or None}
    contact |= {"email": contact_email or None, "phone": contact_phone or None}
    field_errors: FormErrors = {}
    try:
        site = normalize.web_address(website)
    except ValueError as exc:  # checked here: the schema would put it on "company", the name's field
        site, field_errors["website"] = None, str(exc)
    data: dict[str, Any] = {
        "company": {"name": company_name.strip(), "website": site},
        "contact": contact if any(contact.values()) else None,
        "owner_id": owner or None,
        "tags": [tag.strip() for tag in tags.split(",") if tag.strip()],
    }
    if value.strip():
        try:
            # The form has no currency field: "€1.200,50" makes the lead's currency EUR.
            data["value"], currency = normalize.parse_amount(value)
            if currency is not None:
                data["currency"] = currency
        except normalize.AmountError as exc:
            field_errors["value"] = str(exc)
    form, raw_errors = validate(schemas.LeadCreateIn, data)
    problems = lead_service.contact_problems(session, contact_email, contact_phone)
    errors: FormErrors = {f"contact_{k}": v for k, v in problems.items()}
    errors |= {NEW_LEAD_FIELDS.get(k, k): v for k, v in raw_errors.items()} | field_errors
    status = 422
    if form is not None and not errors:
        try:
            with attempt(session):
                if pipeline:  # a bad choice is refused before any question about duplicates
                    form.stage_id = pipeline_service.start_stage(session, pipeline).id
                existing = None if create_anyway else _existing_lead(session, form)
                if existing is not None:
                    return _new_lead_page(request, session, principal, {}, values, 409, existing)
                lead = lead_service.create_lead(session, principal, form)
            return see_other(f"/leads/{lead.id}?done=created")
        except DomainError as exc:
            found = domain_errors(exc, "company_name")
            errors, status = {NEW_LEAD_FIELDS.get(k, k): v for k, v in found.items()}, exc.status_code
    return _new_lead_page(request, session, principal, errors, values, status)


def _existing_lead(session: DbSession, form: schemas.LeadCreateIn) -> dict[str, Any] | None:
    """The lead this one would be a duplicate of, by the import's exact keys, and which key matched."""
    keys = dedup.match_keys(session, form)  # malformed email or phone: the field's error, as on create
    lead: Lead | None = dedup.find_existing_lead(
        session, email=keys.email, phone=keys.phone, domain=keys.domain
    )
    if lead is None and form.company is not None:
        lead = dedup.lead_named(session, form.company.name)
        if lead is not None:
            return {"id": lead.id, "company": lead.company.name, "why": "the same company name"}
    if lead is None:
        return None
    contact = lead.primary_contact
    if contact is not None and keys.email and email_key(contact.email) == keys.email_key:
        why = "the same contact email"
    elif contact is not None and keys.phone and contact.phone == keys.phone:
        why = "the same contact phone"
    else:
        why = "a company with the same website domain"
    return {"id": lead.id, "company": lead.company.name, "why": why}
