"""Intake endpoints: create, rotate and revoke, with secrets shown once and sealed at rest."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta

from sqlalchemy.orm import Session

from salesos import crypto
from salesos.auth.security import new_token
from salesos.config import get_settings
from salesos.db.base import utcnow, uuid7
from salesos.errors import Conflict, NotFound
from salesos.intake.models import IntakeEndpoint
from salesos.intake.repository import IntakeEndpointRepository

PUBLIC_PREFIX = "ie"
SECRET_PREFIX = "whsec_"
# How long the secret replaced by a rotation keeps working, so senders can switch without downtime.
ROTATION_GRACE = timedelta(hours=24)
INTAKE_PATH = "/api/v1/intake/"


def public_id(endpoint: IntakeEndpoint) -> str:
    """The id in the webhook URL: it names the org, so the tenant is known before any lookup (RLS)."""
    return f"{PUBLIC_PREFIX}_{endpoint.org_id.hex}_{endpoint.id.hex}"


def parse_public_id(value: str) -> tuple[uuid.UUID, uuid.UUID] | None:
    """(org id, endpoint id) from a public id, or None if it isn't one."""
    parts = value.split("_")
    if len(parts) != 3 or parts[0] != PUBLIC_PREFIX or len(parts[1]) != 32 or len(parts[2]) != 32:
        return None
    try:
        return uuid.UUID(hex=parts[1]), uuid.UUID(hex=parts[2])
    except ValueError:
        return None


def webhook_path(endpoint: IntakeEndpoint) -> str:
    """Path a scraper posts to."""
    return INTAKE_PATH + public_id(endpoint)


def webhook_url(endpoint: IntakeEndpoint) -> str:
    """The full address a scraper posts to, as the deployment is reached (``SALESOS_BASE_URL``)."""
    return get_settings().base_url.rstrip("/") + webhook_path(endpoint)


def _context(endpoint_id: uuid.UUID) -> str:
    return f"intake:{endpoint_id}"


def _new_secret() -> str:
    return SECRET_PREFIX + new_token(32)


def endpoint_or_404(session: Session, endpoint_id: uuid.UUID) -> IntakeEndpoint:
    """An endpoint of this org; another org's id answers exactly like a missing one."""
    endpoint = IntakeEndpointRepository(session).get(endpoint_id)
    if endpoint is None:
        raise NotFound("Intake endpoint not found.")
    return endpoint


def create_endpoint(
    session: Session, *, name: str, source: str, created_by: uuid.UUID | None
) -> tuple[IntakeEndpoint, str]:
    """A new endpoint; its secret is returned once and stored only sealed."""
    endpoint_id = uuid7()  # known before insert: the seal is bound to the row's id
    secret = _new_secret()
    endpoint = IntakeEndpointRepository(session).add(
        IntakeEndpoint(
            id=endpoint_id,
            name=name.strip(),
            source=source.strip(),
            secret_sealed=crypto.encrypt(secret, context=_context(endpoint_id)),
            created_by_id=created_by,
        )
    )
    return endpoint, secret


def rotate_endpoint(session: Session, endpoint_id: uuid.UUID) -> tuple[IntakeEndpoint, str]:
    """Give the endpoint a new secret; the current one stays valid for ROTATION_GRACE."""
    endpoint = endpoint_or_404(session, endpoint_id)
    if endpoint.revoked_at is not None:
        raise Conflict("This intake endpoint is revoked.")
    secret = _new_secret()
    # Only two secrets are ever valid: a second rotation inside the grace drops the oldest.
    endpoint.previous_secret_sealed = endpoint.secret_sealed
    endpoint.previous_expires_at = utcnow() + ROTATION_GRACE
    endpoint.secret_sealed = crypto.encrypt(secret, context=_context(endpoint.id))
    session.flush()
    return endpoint, secret


def revoke_endpoint(session: Session, endpoint_id: uuid.UUID) -> IntakeEndpoint:
    """Revoke the endpoint: its next post gets 401 (revoking twice changes nothing)."""
    endpoint = endpoint_or_404(session, endpoint_id)
    if endpoint.revoked_at is None:
        endpoint.revoked_at = utcnow()
        session.flush()
    return endpoint


def valid_secrets(endpoint: IntakeEndpoint, now: datetime) -> list[str]:
    """The plaintext secrets a signature may use right now: current, and previous within its grace."""
    secrets = [crypto.decrypt(endpoint.secret_sealed, context=_context(endpoint.id))]
    expires = endpoint.previous_expires_at
    if endpoint.previous_secret_sealed and expires is not None and now < expires:
        secrets.append(crypto.decrypt(endpoint.previous_secret_sealed, context=_context(endpoint.id)))
    return secrets
