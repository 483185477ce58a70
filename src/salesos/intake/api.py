"""Intake JSON API: the signed webhook scrapers post to, and endpoint management for admins."""

from __future__ import annotations

import re
import uuid

from fastapi import APIRouter, Request, Response, status
from starlette.concurrency import run_in_threadpool

from salesos.api.middleware import allow_large_body
from salesos.api.schemas import json_response, raw_json_body
from salesos.auth.deps import Admin
from salesos.db.deps import DbSession
from salesos.errors import PayloadTooLarge
from salesos.intake import schemas
from salesos.intake.models import IntakeEndpoint
from salesos.intake.repository import IntakeEndpointRepository
from salesos.intake.service import endpoints as endpoint_service
from salesos.intake.service import receive as receive_service
from salesos.intake.signing import SIGNATURE_HEADER

router = APIRouter(tags=["intake"])

# A full batch of 1,000 rich rows can pass the global 1 MiB limit, so this route enforces its own.
INTAKE_MAX_BYTES = 10 * 1024 * 1024
allow_large_body(re.escape(endpoint_service.INTAKE_PATH) + r"[^/]+", INTAKE_MAX_BYTES)

_INTAKE_DOC = {
    "x-auth": "signature",
    "parameters": [
        {
            "name": SIGNATURE_HEADER,
            "in": "header",
            "required": True,
            "schema": {"type": "string"},
            "description": 't=<unix>,v1=<hex hmac-sha256(secret, "<t>.<raw body>")>, 300 s tolerance',
        }
    ],
    # Read raw, not declared: the signature covers the exact bytes, and is checked before the body is.
    **raw_json_body(
        schemas.IntakeRowIn,
        schemas.IntakeBatchIn,
        description='One lead, or {"leads": [...]} with up to 1,000; each row is accepted or refused alone.',
    ),
}


async def _read_body(request: Request) -> bytes:
    too_large = PayloadTooLarge(f"Intake bodies are limited to {INTAKE_MAX_BYTES} bytes.")
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > INTAKE_MAX_BYTES:
        raise too_large
    chunks, size = [], 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > INTAKE_MAX_BYTES:
            raise too_large
        chunks.append(chunk)
    return b"".join(chunks)


@router.post("/intake/{endpoint_id}", response_model=schemas.IntakeResultOut, openapi_extra=_INTAKE_DOC)
async def receive_leads(endpoint_id: str, request: Request, session: DbSession) -> Response:
    """Receive signed leads (no session or token: the signature authenticates); reports each row."""
    body = await _read_body(request)
    signature = request.headers.get(SIGNATURE_HEADER)
    result = await run_in_threadpool(receive_service.receive, session, endpoint_id, signature, body)
    return json_response(result)


def _out(endpoint: IntakeEndpoint) -> schemas.IntakeEndpointOut:
    return schemas.IntakeEndpointOut(
        id=endpoint.id,
        name=endpoint.name,
        source=endpoint.source,
        url=endpoint_service.webhook_url(endpoint),
        created_at=endpoint.created_at,
        last_used_at=endpoint.last_used_at,
        revoked_at=endpoint.revoked_at,
        previous_expires_at=endpoint.previous_expires_at,
    )


def _with_secret(endpoint: IntakeEndpoint, secret: str) -> schemas.IntakeEndpointSecretOut:
    return schemas.IntakeEndpointSecretOut(**_out(endpoint).model_dump(), secret=secret)


@router.get("/intake-endpoints", response_model=list[schemas.IntakeEndpointOut])
def list_endpoints(principal: Admin, session: DbSession) -> list[schemas.IntakeEndpointOut]:
    """The organisation's intake endpoints (never their secrets)."""
    return [_out(e) for e in IntakeEndpointRepository(session).listing()]


@router.post(
    "/intake-endpoints", status_code=status.HTTP_201_CREATED, response_model=schemas.IntakeEndpointSecretOut
)
def create_endpoint(
    body: schemas.IntakeEndpointIn, principal: Admin, session: DbSession
) -> schemas.IntakeEndpointSecretOut:
    """Create an endpoint; its secret is in this response only."""
    endpoint, secret = endpoint_service.create_endpoint(
        session, name=body.name, source=body.source, created_by=principal.user_id
    )
    return _with_secret(endpoint, secret)


@router.post("/intake-endpoints/{intake_endpoint_id}/rotate", response_model=schemas.IntakeEndpointSecretOut)
def rotate_endpoint(
    intake_endpoint_id: uuid.UUID, principal: Admin, session: DbSession
) -> schemas.IntakeEndpointSecretOut:
    """A new secret, shown once; the previous one keeps working for 24 hours."""
    endpoint, secret = endpoint_service.rotate_endpoint(session, intake_endpoint_id)
    return _with_secret(endpoint, secret)


@router.delete("/intake-endpoints/{intake_endpoint_id}", status_code=status.HTTP_204_NO_CONTENT)
def revoke_endpoint(intake_endpoint_id: uuid.UUID, principal: Admin, session: DbSession) -> None:
    """Revoke an endpoint: its next post gets 401."""
    endpoint_service.revoke_endpoint(session, intake_endpoint_id)
