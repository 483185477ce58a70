"""Organisation, member and invitation bodies."""

from __future__ import annotations

import uuid
from datetime import datetime
from functools import lru_cache
from typing import Literal
from zoneinfo import available_timezones

from pydantic import EmailStr, Field, field_validator

from salesos.api.schemas import Output, StrictInput

AssignableRole = Literal["admin", "member", "viewer"]


class OrgOut(Output):
    id: uuid.UUID
    name: str
    slug: str
    default_region: str
    timezone: str
    created_at: datetime


@lru_cache(maxsize=1)
def known_timezones() -> frozenset[str]:
    """IANA zone names this machine knows."""
    return frozenset(available_timezones())


class OrgUpdateIn(StrictInput):
    name: str | None = Field(default=None, min_length=1, max_length=120)
    default_region: str | None = Field(default=None, pattern=r"^[A-Za-z]{2}$")
    timezone: str | None = Field(default=None, min_length=1, max_length=64)

    @field_validator("timezone")
    @classmethod
    def _known_timezone(cls, value: str | None) -> str | None:
        if value is not None and value not in known_timezones():
            raise ValueError("Use an IANA timezone name such as Europe/Paris.")
        return value


class OrgDeleteIn(StrictInput):
    confirm_name: str = Field(min_length=1, max_length=120)


class TransferIn(StrictInput):
    member_id: uuid.UUID


class MemberOut(Output):
    id: uuid.UUID
    user_id: uuid.UUID
    name: str
    email: str
    role: str
    created_at: datetime


class RoleIn(StrictInput):
    role: AssignableRole


class InvitationIn(StrictInput):
    email: EmailStr
    role: AssignableRole = "member"


class InvitationOut(Output):
    id: uuid.UUID
    email: str
    role: str
    expires_at: datetime
    created_at: datetime


class AcceptInvitationIn(StrictInput):
    token: str = Field(min_length=1, max_length=200)
    name: str | None = Field(default=None, min_length=1, max_length=120)
    password: str | None = Field(default=None, min_length=1, max_length=256)
