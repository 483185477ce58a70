"""Receiving signed rows: authenticate the endpoint, then create, merge or skip each row on its own."""

from __future__ import annotations

import json
from typing import Any

from pydantic import ValidationError
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from salesos.api.problems import MalformedJson, error_message
from salesos.auth.principal import Principal
from salesos.db.base import utcnow
from salesos.db.session import set_tenant
from salesos.errors import Unauthorized, ValidationFailed
from salesos.intake import signing
from salesos.intake.models import IntakeEndpoint, IntakeRecord
from salesos.intake.repository import IntakeEndpointRepository, IntakeRecordRepository
from salesos.intake.schemas import MAX_BATCH, IntakeResultOut, IntakeRowIn, RowResultOut
from salesos.intake.service.endpoints import parse_public_id, valid_secrets
from salesos.leads.schemas import LeadCreateIn
from salesos.leads.service import dedup
from salesos.leads.service.leads import create_lead
from salesos.orgs.models import Role

# One answer for every failure: it must not tell an unknown endpoint from a wrong signature.
REFUSED = "Unknown intake endpoint or invalid signature."


def authenticate(session: Session, public_id: str, header: str | None, body: bytes) -> IntakeEndpoint:
    """The active endpoint named by *public_id* whose secret signed *body*; 401 otherwise."""
    parsed = parse_public_id(public_id)
    if parsed is None:
        raise Unauthorized(REFUSED)
    org_id, endpoint_id = parsed
    # The tenant comes from the URL; the lookup below is still scoped (and RLS-checked) to it.
    set_tenant(session, org_id)
    endpoint = IntakeEndpointRepository(session).active(endpoint_id)
    if endpoint is None or not signing.verify(header, body, valid_secrets(endpoint, utcnow())):
        raise Unauthorized(REFUSED)
    return endpoint


def parse_rows(body: bytes) -> list[Any]:
    """The raw rows of a body holding one lead or ``{"leads": [...]}``; 400/422 for a bad envelope."""
    try:
        data = json.loads(body)
    except (ValueError, RecursionError):  # bad syntax or not UTF-8; nested deeper than the parser goes
        raise MalformedJson() from None
    if not isinstance(data, dict):
        raise ValidationFailed('Send one lead object or {"leads": [...]}.')
    if "leads" not in data:
        return [data]
    if set(data) != {"leads"}:
        raise ValidationFailed("Unknown field.", field=sorted(set(data) - {"leads"})[0])
    rows = data["leads"]
    if not isinstance(rows, list):
        raise ValidationFailed("Must be a list of leads.", field="leads")
    if len(rows) > MAX_BATCH:
        raise ValidationFailed(
            f"A batch holds at most {MAX_BATCH:,} leads; this one has {len(rows):,}. Split it.", field="leads"
        )
    return rows


NOT_AN_OBJECT = "Each row must be a JSON object."


def _reason(exc: ValidationError) -> str:
    """The first three problems of a row, each with where it is, worded as the API's field errors are."""
    parts = []
    for error in exc.errors()[:3]:
        where = ".".join(str(p) for p in error["loc"])
        message = error_message(dict(error))
        parts.append(f"{where}: {message}" if where else message)
    return "; ".join(parts)


def _external_id(raw: Any) -> str | None:
    value = raw.get("external_id") if isinstance(raw, dict) else None
    return value if isinstance(value, str) else None


def _store(session: Session, endpoint: IntakeEndpoint, row: IntakeRowIn) -> tuple[str, Any]:
    """Merge the row into an exact match or create a lead; record the external id either way."""
    source = row.source or endpoint.source
    data = LeadCreateIn(company=row.company, contact=row.contact, source=source, tags=row.tags)
    keys = dedup.match_keys(session, data)
    lead = dedup.find_existing_lead(session, email=keys.email, phone=keys.phone, domain=keys.domain)
    if lead is not None:
        dedup.merge_into(session, lead, data)
        status = "merged"
    else:
        # Nobody signed in: the endpoint acts for the org with member rights and no user.
        principal = Principal(org_id=endpoint.org_id, role=Role.MEMBER, kind="api_key")
        lead = create_lead(session, principal, data)
        status = "created"
    IntakeRecordRepository(session).add(
        IntakeRecord(endpoint_id=endpoint.id, external_id=row.external_id, lead_id=lead.id, status=status)
    )
    return status, lead.id


def _row(session: Session, endpoint: IntakeEndpoint, index: int, raw: Any) -> RowResultOut:
    if not isinstance(raw, dict):
        return RowResultOut(index=index, external_id=None, status="rejected", reason=NOT_AN_OBJECT)
    try:
        row = IntakeRowIn.model_validate(raw)
    except ValidationError as exc:
        return RowResultOut(
            index=index, external_id=_external_id(raw), status="rejected", reason=_reason(exc)
        )
    records = IntakeRecordRepository(session)
    done = RowResultOut(index=index, external_id=row.external_id, status="duplicate")
    seen = records.by_external_id(endpoint.id, row.external_id)
    if seen is not None:
        return done.model_copy(update={"lead_id": seen.lead_id})
    try:
        # A savepoint per row: a rejected or raced row undoes only its own writes.
        with session.begin_nested():
            status, lead_id = _store(session, endpoint, row)
    except ValidationFailed as exc:
        reason = f"{exc.field}: {exc.detail}" if exc.field else exc.detail
        return done.model_copy(update={"status": "rejected", "reason": reason})
    except IntegrityError:
        # A concurrent request stored this external id first (PostgreSQL lets both get this far).
        seen = records.by_external_id(endpoint.id, row.external_id)
        if seen is None:
            raise
        return done.model_copy(update={"lead_id": seen.lead_id})
    return done.model_copy(update={"status": status, "lead_id": lead_id})


def receive(session: Session, public_id: str, signature: str | None, body: bytes) -> IntakeResultOut:
    """Authenticate, then process every row; the report says what happened to each."""
    endpoint = authenticate(session, public_id, signature, body)
    rows = parse_rows(body)
    results = [_row(session, endpoint, index, raw) for index, raw in enumerate(rows)]
    endpoint.last_used_at = utcnow()
    session.flush()
    statuses = ("created", "merged", "duplicate", "rejected")
    counts = {s: sum(1 for r in results if r.status == s) for s in statuses}
    return IntakeResultOut(
        created=counts["created"],
        merged=counts["merged"],
        duplicates=counts["duplicate"],
        rejected=counts["rejected"],
        results=results,
    )
