"""Saved views of the lead list: a user's named filters and sort, optionally shared with the org."""

from __future__ import annotations

import uuid
from collections.abc import Container
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.orm import Session

from salesos.auth.principal import Principal
from salesos.errors import Forbidden, NotFound, ValidationFailed
from salesos.leads.board_repository import user_names
from salesos.leads.models import SavedView
from salesos.leads.repository import LeadRepository, SavedViewRepository
from salesos.leads.schemas import LeadFilters, SavedViewIn
from salesos.orgs.models import Role


def _user(principal: Principal) -> uuid.UUID:
    # A view belongs to a person; an API key has nobody to own it.
    if principal.user_id is None:
        raise Forbidden("Saved views belong to users, not API keys.")
    return principal.user_id


def _check_sharing(principal: Principal, shared: bool) -> None:
    if shared and not principal.has_role(Role.MEMBER):
        raise Forbidden("Viewers can't share views with the organisation.")


def _check_name(session: Session, user_id: uuid.UUID, name: str, current: SavedView | None = None) -> None:
    existing = SavedViewRepository(session).named(user_id, name)
    if existing is not None and existing is not current:
        raise ValidationFailed("You already have a view with this name.", field="name")


def list_views(session: Session, principal: Principal) -> list[SavedView]:
    """The caller's own views and the org's shared views."""
    return SavedViewRepository(session).visible_to(_user(principal))


def view_or_404(session: Session, principal: Principal, view_id: uuid.UUID) -> SavedView:
    """A view the caller may see; someone else's private view and another org's view look missing."""
    view = SavedViewRepository(session).visible(view_id, _user(principal))
    if view is None:
        raise NotFound("View not found.")
    return view


def _check_owner(principal: Principal, view: SavedView) -> None:
    if view.user_id != principal.user_id and not principal.has_role(Role.ADMIN):
        raise Forbidden("Only the view's owner or an admin can change it.")


def create_view(session: Session, principal: Principal, data: SavedViewIn) -> SavedView:
    """Save the caller's filters and sort under a name."""
    user_id = _user(principal)
    _check_sharing(principal, data.shared)
    _check_name(session, user_id, data.name)
    view = SavedView(
        user_id=user_id,
        name=data.name,
        filters=data.filters.model_dump(mode="json", exclude_none=True),
        sort=data.sort,
        shared=data.shared,
    )
    return SavedViewRepository(session).add(view)


def update_view(
    session: Session, principal: Principal, view: SavedView, changes: dict[str, Any]
) -> SavedView:
    """Rename, refilter, resort or (un)share a view: its owner or an admin."""
    _check_owner(principal, view)
    if changes.get("shared"):
        _check_sharing(principal, True)
    for name in ("name", "sort", "shared"):
        if changes.get(name) is not None:
            if name == "name":
                _check_name(session, view.user_id, changes[name], view)
            setattr(view, name, changes[name])
    if changes.get("filters") is not None:
        view.filters = {k: v for k, v in changes["filters"].items() if v is not None}
    session.flush()
    return view


def delete_view(session: Session, principal: Principal, view: SavedView) -> None:
    """Delete a view: its owner or an admin."""
    _check_owner(principal, view)
    SavedViewRepository(session).delete(view)


def view_filters(view: SavedView) -> LeadFilters:
    """The view as lead-list filters with its sort (a stored filter that no longer parses is dropped)."""
    known = {k: v for k, v in view.filters.items() if k in LeadFilters.model_fields}
    try:
        return LeadFilters.model_validate({**known, "sort": view.sort})
    except ValueError:
        return LeadFilters(sort=view.sort)  # type: ignore[arg-type]


@dataclass(frozen=True)
class CheckedFilters:
    """The list's filters once checked against the stages and members there are now."""

    filters: LeadFilters
    notes: list[str] = field(default_factory=list)  # what the reader is told about the filters
    # An owner filtered on who is no longer a member, and how to show them: "Rita Patel (left)".
    former_owner: tuple[uuid.UUID, str] | None = None


def check_filters(
    session: Session,
    filters: LeadFilters,
    stage_ids: Container[uuid.UUID],
    member_ids: Container[uuid.UUID],
    *,
    view: SavedView | None = None,
) -> CheckedFilters:
    """Filters (of *view*, or of a link) naming a stage or an owner that is gone, made plain.

    A deleted stage would match no lead while the Stage filter reads "Any": it is dropped, and said so. A
    member who left still owns their leads: that filter stays, with their name, so it never reads "Anyone".
    """
    notes: list[str] = []
    if filters.stage_id is not None and filters.stage_id not in stage_ids:
        filters = filters.model_copy(update={"stage_id": None})
        if view is not None:
            notes.append("This view's stage was deleted, so it now shows leads in any stage.")
        else:
            notes.append("The stage this list was filtered on was deleted, so it shows leads in any stage.")
    former = None
    if isinstance(filters.owner_id, uuid.UUID) and filters.owner_id not in member_ids:
        name = former_member_name(session, filters.owner_id)
        former = (filters.owner_id, f"{name or 'Former member'} (left)")
        if view is not None:
            who = name or "someone"
            notes.append(f"This view shows the leads of {who}, who is no longer a member of the team.")
    return CheckedFilters(filters, notes, former)


def former_member_name(session: Session, user_id: uuid.UUID) -> str | None:
    """The name of someone who left but still owns leads here, as the lead page shows it.

    None unless they own a lead of this org: another org's person, say, must not be named.
    """
    leads = LeadRepository(session)
    if not leads.count_matching(LeadFilters(owner_id=user_id)):
        return None
    return user_names(leads, {user_id}).get(user_id)
