"""Lead list JSON API beyond paging: bulk updates and saved views."""

from __future__ import annotations

import uuid

from fastapi import APIRouter, Response, status

from salesos.api.schemas import json_response
from salesos.auth.deps import CurrentPrincipal, Writer
from salesos.db.deps import DbSession
from salesos.leads import schemas
from salesos.leads.service import bulk as bulk_service
from salesos.leads.service import saved_views as view_service

router = APIRouter(tags=["leads"])

# Written from the limit the service applies, so the documentation can't drift from it.
BULK_DESCRIPTION = (
    f"Apply `set` to `ids` or to every lead matching `filter`; over {bulk_service.INLINE_LIMIT:,} matches "
    "a job does it (202)."
)


@router.post(
    "/leads/bulk",
    response_model=schemas.LeadBulkOut,
    responses={
        202: {
            "model": schemas.LeadBulkOut,
            "description": f"More than {bulk_service.INLINE_LIMIT:,} matches: queued as a job",
        }
    },
    summary="Move, assign or tag many leads at once",
    description=BULK_DESCRIPTION,
)
def bulk_update(body: schemas.LeadBulkIn, principal: Writer, session: DbSession) -> Response:
    """Apply `set` to the chosen or matching leads, in the request or in a job (see BULK_DESCRIPTION)."""
    result = bulk_service.bulk_update(session, principal, body)
    out = schemas.LeadBulkOut(
        status=result.status,  # type: ignore[arg-type]
        matched=result.matched,
        updated=result.updated,
        not_found=result.not_found,
        job_id=result.job_id,
    )
    code = status.HTTP_202_ACCEPTED if result.status == "queued" else status.HTTP_200_OK
    return json_response(out, code)


@router.get("/lead-views", response_model=list[schemas.SavedViewOut])
def list_views(principal: CurrentPrincipal, session: DbSession) -> list[schemas.SavedViewOut]:
    """Your saved views of the lead list and the ones shared with the organisation."""
    return [schemas.SavedViewOut.model_validate(v) for v in view_service.list_views(session, principal)]


@router.post("/lead-views", status_code=status.HTTP_201_CREATED, response_model=schemas.SavedViewOut)
def create_view(
    body: schemas.SavedViewIn, principal: CurrentPrincipal, session: DbSession
) -> schemas.SavedViewOut:
    """Save filters and a sort under a name (private unless `shared`)."""
    return schemas.SavedViewOut.model_validate(view_service.create_view(session, principal, body))


@router.patch("/lead-views/{view_id}", response_model=schemas.SavedViewOut)
def update_view(
    view_id: uuid.UUID, body: schemas.SavedViewUpdateIn, principal: CurrentPrincipal, session: DbSession
) -> schemas.SavedViewOut:
    """Change a view: its owner or an admin."""
    view = view_service.view_or_404(session, principal, view_id)
    changes = body.model_dump(mode="json", exclude_unset=True)
    return schemas.SavedViewOut.model_validate(view_service.update_view(session, principal, view, changes))


@router.delete("/lead-views/{view_id}", status_code=status.HTTP_204_NO_CONTENT)
def delete_view(view_id: uuid.UUID, principal: CurrentPrincipal, session: DbSession) -> None:
    """Delete a view: its owner or an admin."""
    view_service.delete_view(session, principal, view_service.view_or_404(session, principal, view_id))
