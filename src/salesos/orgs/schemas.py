"""Organisation, member and invitation bodies."""

from __future__ import annotations

import uuid
from datetime import datetime
from functools import lru_cache
from string import Formatter
from typing import Annotated, Literal
from zoneinfo import available_timezones

from fastapi import Query
from pydantic import EmailStr, Field, PlainValidator, WithJsonSchema, field_validator

from salesos.api.schemas import Output, StrictInput

AssignableRole = Literal["admin", "member", "viewer"]


class OrgOut(Output):
    id: uuid.UUID
    name: str
    slug: str
    default_region: str
    timezone: str
    whatsapp_template: str | None
    # Prospects the org may enrich per month; None uses the server's default.
    lead_credits_monthly: int | None
    created_at: datetime


# What a message template may mention, filled in per lead when the message is written.
MESSAGE_PLACEHOLDERS = ("first_name", "company", "sender", "org")
DEFAULT_WHATSAPP_TEMPLATE = (
    "Hi {first_name}, this is {sender} from {org}. "
    "I'd love to hear how things are going at {company}. Do you have a few minutes this week?"
)


def check_message_template(template: str) -> None:
    """ValueError unless *template* uses only the known {placeholders}, with no format tricks."""
    try:
        fields = [
            (name, spec, conv) for _, name, spec, conv in Formatter().parse(template) if name is not None
        ]
    except ValueError as exc:
        raise ValueError("Unbalanced braces: write {first_name}, {company}, {sender} or {org}.") from exc
    for name, spec, conversion in fields:
        if name not in MESSAGE_PLACEHOLDERS or spec or conversion:
            allowed = ", ".join("{" + p + "}" for p in MESSAGE_PLACEHOLDERS)
            raise ValueError(f"Unknown placeholder {{{name}}}; use {allowed}.")


@lru_cache(maxsize=1)
def known_timezones() -> frozenset[str]:
    """IANA zone names this machine knows."""
    return frozenset(available_timezones())


class OrgUpdateIn(StrictInput):
    name: str | None = Field(default=None, min_length=1, max_length=120)
    default_region: str | None = Field(default=None, pattern=r"^[A-Za-z]{2}$")
    timezone: str | None = Field(default=None, min_length=1, max_length=64)
    # An empty string goes back to the built-in message.
    whatsapp_template: str | None = Field(default=None, max_length=1000)
    lead_credits_monthly: int | None = Field(default=None, ge=0, le=1_000_000)

    @field_validator("whatsapp_template")
    @classmethod
    def _known_placeholders(cls, value: str | None) -> str | None:
        if value is not None:
            check_message_template(value)
        return value

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


class MemberWorkOut(Output):
    leads: int
    open_tasks: int


def _hand_to(value: object) -> uuid.UUID | Literal["nobody"] | None:
    # One plain check, so a bad value is one error on the field rather than one per member of the union.
    if value is None or isinstance(value, uuid.UUID):
        return value
    if value == "nobody":
        return "nobody"
    try:
        return uuid.UUID(str(value))
    except ValueError:
        raise ValueError("Use the user id of a member who can own leads, or nobody.") from None


# Who takes over a removed member's leads and open tasks: a member's user id, "nobody", or not said.
HandToInput = Annotated[
    uuid.UUID | Literal["nobody"] | None,
    PlainValidator(_hand_to),
    WithJsonSchema({"anyOf": [{"type": "string", "format": "uuid"}, {"const": "nobody"}]}),
]
HandToQuery = Annotated[HandToInput, Query(description="A member's user id, or nobody")]


class RemovalIn(StrictInput):
    hand_to: HandToInput = None


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
