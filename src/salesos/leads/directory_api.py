"""Companies and contacts JSON API: list, read, create, edit and delete."""

from __future__ import annotations

import uuid

from fastapi import APIRouter, Response, status

from salesos.api.schemas import Cursor, Limit, PageOut, page_response
from salesos.auth.deps import CurrentPrincipal, Writer
from salesos.db.deps import DbSession
from salesos.db.pagination import DEFAULT_LIMIT
from salesos.leads import schemas
from salesos.leads.repository import CompanyRepository, ContactRepository
from salesos.leads.service import directory

router = APIRouter(tags=["companies and contacts"])


@router.get("/companies", response_model=PageOut[schemas.CompanyOut])
def list_companies(
    principal: CurrentPrincipal, session: DbSession, limit: Limit = DEFAULT_LIMIT, cursor: Cursor = None
) -> Response:
    """Companies, newest first."""
    page = CompanyRepository(session).page(limit=limit, cursor=cursor)
    return page_response(page.items, page.next_cursor, schemas.CompanyOut)


@router.post("/companies", status_code=status.HTTP_201_CREATED, response_model=schemas.CompanyOut)
def create_company(body: schemas.CompanyIn, principal: Writer, session: DbSession) -> schemas.CompanyOut:
    """Create a company; the domain comes from the website when not given, the phone goes to E.164."""
    return schemas.CompanyOut.model_validate(directory.create_company(session, body))


@router.get("/companies/{company_id}", response_model=schemas.CompanyOut)
def get_company(company_id: uuid.UUID, principal: CurrentPrincipal, session: DbSession) -> schemas.CompanyOut:
    """One company."""
    return schemas.CompanyOut.model_validate(directory.company_or_404(session, company_id))


@router.patch("/companies/{company_id}", response_model=schemas.CompanyOut)
def update_company(
    company_id: uuid.UUID, body: schemas.CompanyUpdateIn, principal: Writer, session: DbSession
) -> schemas.CompanyOut:
    """Change a company's details."""
    company = directory.company_or_404(session, company_id)
    changes = body.model_dump(exclude_unset=True)
    return schemas.CompanyOut.model_validate(directory.update_company(session, company, changes))


@router.delete("/companies/{company_id}", status_code=status.HTTP_204_NO_CONTENT)
def delete_company(company_id: uuid.UUID, principal: Writer, session: DbSession) -> None:
    """Delete a company and its contacts; refused (409) while it still has leads."""
    directory.delete_company(session, directory.company_or_404(session, company_id))


@router.get("/contacts", response_model=PageOut[schemas.ContactOut])
def list_contacts(
    principal: CurrentPrincipal,
    session: DbSession,
    company_id: uuid.UUID | None = None,
    limit: Limit = DEFAULT_LIMIT,
    cursor: Cursor = None,
) -> Response:
    """Contacts (of one company with ``company_id``), newest first."""
    page = ContactRepository(session).page(limit=limit, cursor=cursor, company_id=company_id)
    return page_response(page.items, page.next_cursor, schemas.ContactOut)


@router.post("/contacts", status_code=status.HTTP_201_CREATED, response_model=schemas.ContactOut)
def create_contact(
    body: schemas.ContactCreateIn, principal: Writer, session: DbSession
) -> schemas.ContactOut:
    """Create a person, at a company or on their own; email and phone are normalised."""
    return schemas.ContactOut.model_validate(directory.create_contact(session, body))


@router.get("/contacts/{contact_id}", response_model=schemas.ContactOut)
def get_contact(contact_id: uuid.UUID, principal: CurrentPrincipal, session: DbSession) -> schemas.ContactOut:
    """One contact."""
    return schemas.ContactOut.model_validate(directory.contact_or_404(session, contact_id))


@router.patch("/contacts/{contact_id}", response_model=schemas.ContactOut)
def update_contact(
    contact_id: uuid.UUID, body: schemas.ContactUpdateIn, principal: Writer, session: DbSession
) -> schemas.ContactOut:
    """Change a person's details, consent or do-not-contact flag."""
    contact = directory.contact_or_404(session, contact_id)
    changes = body.model_dump(exclude_unset=True)
    return schemas.ContactOut.model_validate(directory.update_contact(session, contact, changes))


@router.delete("/contacts/{contact_id}", status_code=status.HTTP_204_NO_CONTENT)
def delete_contact(contact_id: uuid.UUID, principal: Writer, session: DbSession) -> None:
    """Delete a person; leads that had them as primary contact keep going without one."""
    directory.delete_contact(session, directory.contact_or_404(session, contact_id))
