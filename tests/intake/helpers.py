"""Signed posts to intake endpoints, and row counts to prove that refused requests wrote nothing."""

from __future__ import annotations

import json
import time
import uuid
from typing import Any

from sqlalchemy import func, select

from salesos.db.session import unit_of_work
from salesos.intake.models import IntakeRecord
from salesos.intake.signing import SIGNATURE_HEADER, sign
from salesos.leads.models import Activity, Company, Contact, Lead

API = "/api/v1"


def make_endpoint(client, person, name="Maps scraper", source="maps"):  # type: ignore[no-untyped-def]
    """Create an endpoint through the API; returns its JSON with the one-time secret."""
    r = client.post(f"{API}/intake-endpoints", json={"name": name, "source": source}, headers=person.headers)
    assert r.status_code == 201, r.text
    return r.json()


def encode(body: Any) -> bytes:
    return body if isinstance(body, bytes) else json.dumps(body).encode()


def signed_headers(secret: str, raw: bytes, timestamp: int | None = None) -> dict[str, str]:
    return {"Content-Type": "application/json", SIGNATURE_HEADER: sign(secret, raw, timestamp)}


def post(client, url: str, body: Any, secret: str, timestamp: int | None = None):  # type: ignore[no-untyped-def]
    """POST *body* to *url* signed with *secret*."""
    raw = encode(body)
    return client.post(url, content=raw, headers=signed_headers(secret, raw, timestamp))


def row(external_id: str, company: str | dict[str, Any] = "Globex", **extra: Any) -> dict[str, Any]:
    """An intake row; *company* is a name or a whole company object."""
    return {
        "external_id": external_id,
        "company": company if isinstance(company, dict) else {"name": company},
        **extra,
    }


def counts(org_id: uuid.UUID) -> dict[str, int]:
    """Rows of every table intake writes to, in one org."""
    with unit_of_work(write=False, org_id=org_id) as s:
        return {
            m.__tablename__: int(s.scalar(select(func.count()).select_from(m).where(m.org_id == org_id)) or 0)
            for m in (Lead, Company, Contact, Activity, IntakeRecord)
        }


def now() -> int:
    return int(time.time())
