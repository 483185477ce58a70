"""Auth request and response bodies."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Literal, get_args

from pydantic import EmailStr, Field, field_validator

from salesos.api.schemas import Output, StrictInput
from salesos.orgs.schemas import known_timezones


class SignupIn(StrictInput):
    name: str = Field(min_length=1, max_length=120)
    email: EmailStr
    password: str = Field(min_length=1, max_length=256)
    org_name: str = Field(min_length=1, max_length=120)


class LoginIn(StrictInput):
    email: EmailStr
    password: str = Field(min_length=1, max_length=256)


class RefreshIn(StrictInput):
    refresh_token: str = Field(min_length=1, max_length=200)


class TokenOut(Output):
    access_token: str
    refresh_token: str
    token_type: Literal["bearer"] = "bearer"
    expires_in: int


class UserOut(Output):
    id: uuid.UUID
    email: str
    name: str
    timezone: str | None
    reminder_minutes: int
    created_at: datetime


class OrgBrief(Output):
    id: uuid.UUID
    name: str
    slug: str


class MeOut(Output):
    user: UserOut | None
    org: OrgBrief
    role: str
    auth: Literal["session", "token", "api_key"]
    scopes: list[str]


# Minutes before a task or call is due that its reminder may arrive (0: at the due time).
ReminderMinutes = Literal[0, 5, 10, 15, 30, 60, 120]
REMINDER_CHOICES: tuple[int, ...] = get_args(ReminderMinutes)


class ProfileIn(StrictInput):
    name: str | None = Field(default=None, min_length=1, max_length=120)
    password: str | None = Field(default=None, min_length=1, max_length=256)
    current_password: str | None = Field(default=None, max_length=256)
    # An IANA zone name; an empty string follows the organisation's timezone again.
    timezone: str | None = Field(default=None, max_length=64)
    # Minutes before a task or call is due that its reminder arrives.
    reminder_minutes: ReminderMinutes | None = None

    @field_validator("timezone")
    @classmethod
    def _known_timezone(cls, value: str | None) -> str | None:
        if value and value not in known_timezones():
            raise ValueError("Use an IANA timezone name such as Europe/Paris.")
        return value


class PasswordResetIn(StrictInput):
    email: EmailStr


class PasswordResetConfirmIn(StrictInput):
    token: str = Field(min_length=1, max_length=200)
    password: str = Field(min_length=1, max_length=256)


class ApiKeyIn(StrictInput):
    name: str = Field(min_length=1, max_length=120)
    scopes: list[Literal["read", "write"]] = Field(min_length=1)


class ApiKeyOut(Output):
    id: uuid.UUID
    name: str
    display_prefix: str
    scopes: list[str]
    created_at: datetime
    last_used_at: datetime | None
    revoked_at: datetime | None


class ApiKeyCreatedOut(ApiKeyOut):
    key: str = Field(description="The secret. Shown once: store it now.")
