"""Who is calling: a user (browser session or bearer token) or an API key, always within one org."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from typing import Literal

from salesos.orgs.models import Role

PrincipalKind = Literal["session", "token", "api_key"]


@dataclass(frozen=True)
class Principal:
    """The authenticated caller of one request, with the role it has in ``org_id`` right now."""

    org_id: uuid.UUID
    role: Role
    kind: PrincipalKind
    user_id: uuid.UUID | None = None
    api_key_id: uuid.UUID | None = None
    session_id: uuid.UUID | None = None
    csrf_token: str | None = None
    scopes: frozenset[str] = field(default_factory=frozenset)

    @property
    def actor_key(self) -> str:
        """A stable id of the caller (user or key), e.g. to scope idempotency records."""
        return f"key:{self.api_key_id}" if self.api_key_id else f"user:{self.user_id}"

    def has_role(self, role: Role) -> bool:
        """True when the caller may do what *role* may do."""
        return self.role.at_least(role)
