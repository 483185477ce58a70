"""Organisation, member and invitation bodies."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Literal

from pydantic import EmailStr, Field

from salesos.api.schemas import Output, StrictInput

AssignableRole = Literal["admin", "member", "viewer"]


class OrgOut(Output):
    id: uuid.UUID
    name: str
    slug: str
    default_region: str
    timezone: str
    created_at: datetime


class OrgUpdateIn(StrictInput):
    name: str | None = Field(default=None, min_length=1, max_length=120)
    default_region: str | None = Field(default=None, pattern=r"^[A-Za-z]{2}$")
    timezone: str | None = Field(default=None, min_length=1, max_length=64)


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
