"""Upload, start and drain imports through the API; count what they wrote; files that are no CSV."""

from __future__ import annotations

import io
import uuid
import zipfile
from typing import Any

from sqlalchemy import func, select

from salesos.db.session import unit_of_work
from salesos.jobs.testing import drain
from salesos.leads.models import Company, Contact, Lead
from salesos.orgs.repository import OrganizationRepository

API = "/api/v1"


def upload(client, person, content: bytes, filename: str = "leads.csv", preset: str | None = None):  # type: ignore[no-untyped-def]
    """POST the file; returns the response."""
    data = {"preset": preset} if preset else {}
    files = {"file": (filename, content, "text/csv")}
    return client.post(f"{API}/imports", files=files, data=data, headers=person.headers)


def run(client, person, content: bytes, mapping: list[str] | None = None, **kw: Any) -> dict[str, Any]:  # type: ignore[no-untyped-def]
    """Upload, start with the detected (or given) mapping, drain the queue; returns the final import."""
    up = upload(client, person, content, **kw)
    assert up.status_code == 201, up.text
    body = up.json()
    started = client.post(
        f"{API}/imports/{body['id']}/start",
        json={"mapping": mapping or body["mapping"]},
        headers=person.headers,
    )
    assert started.status_code == 200, started.text
    drain()
    final = client.get(f"{API}/imports/{body['id']}", headers=person.headers)
    assert final.status_code == 200
    result: dict[str, Any] = final.json()
    return result


def lead_count(org_id: uuid.UUID) -> int:
    with unit_of_work(write=False, org_id=org_id) as s:
        return int(s.scalar(select(func.count()).select_from(Lead).where(Lead.org_id == org_id)) or 0)


def table_counts(org_id: uuid.UUID) -> dict[str, int]:
    with unit_of_work(write=False, org_id=org_id) as s:
        return {
            m.__tablename__: int(s.scalar(select(func.count()).select_from(m).where(m.org_id == org_id)) or 0)
            for m in (Lead, Company, Contact)
        }


def emails(org_id: uuid.UUID) -> list[str]:
    with unit_of_work(write=False, org_id=org_id) as s:
        return sorted(e for e in s.scalars(select(Contact.email).where(Contact.org_id == org_id)) if e)


def org_slug(org_id: uuid.UUID) -> str:
    """The org's slug, as ``salesos import --org`` takes it."""
    with unit_of_work(write=False, org_id=org_id) as s:
        org = OrganizationRepository(s).current()
        assert org is not None
        return org.slug


# A picture uploaded by mistake: the PNG signature, then chunks full of NULs and binary.
PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x05\x00" + bytes(range(256)) * 20


def xlsx() -> bytes:
    """A workbook as Excel writes it: a ZIP whose parts live under xl/."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as book:
        book.writestr("[Content_Types].xml", '<?xml version="1.0"?><Types/>')
        book.writestr("_rels/.rels", "<Relationships/>")
        book.writestr("xl/workbook.xml", "<workbook><sheets/></workbook>")
        book.writestr("xl/worksheets/sheet1.xml", "<worksheet/>" * 50)
    return buffer.getvalue()
