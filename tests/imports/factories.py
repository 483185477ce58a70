"""Org-A imports for the isolation battery's id factories (tests/support/world.py)."""

from __future__ import annotations

import io
import uuid
from typing import TYPE_CHECKING

from sqlalchemy.orm import Session

from salesos.auth.principal import Principal
from salesos.imports.service import imports
from salesos.orgs.models import Role

if TYPE_CHECKING:
    from tests.support.world import World


def import_id(session: Session, world: World) -> uuid.UUID:
    """Id of an uploaded (not started) org-A import."""
    principal = Principal(
        org_id=world.alice.org_id, role=Role.OWNER, kind="token", user_id=world.alice.user_id
    )
    data = io.BytesIO(b"Company,Email\nAcme Alpha Imports,a@acme-alpha.example\n")
    return imports.create_import(session, principal, "a.csv", data).id
