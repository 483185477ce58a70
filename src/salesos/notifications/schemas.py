"""Notification API shapes."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from pydantic import BaseModel, Field

from salesos.api.schemas import Output, StrictInput


class NotificationOut(Output):
    """One notification, worded for its reader."""

    id: uuid.UUID
    type: str
    text: str = Field(description="The notification as a sentence, e.g. 'Alice assigned Acme to you'")
    lead_id: uuid.UUID | None
    lead_name: str | None
    actor_id: uuid.UUID | None
    actor_name: str | None
    payload: dict[str, Any] = Field(description="Small facts of the type (ids, a stage name, counts)")
    url: str | None = Field(description="Where the notification leads in the web app")
    read_at: datetime | None
    created_at: datetime


class UnreadCountOut(BaseModel):
    """How many of the caller's notifications are unread."""

    unread: int


class ReadAllOut(BaseModel):
    """What marking everything read changed."""

    marked: int
    unread: int


class PreferenceOut(BaseModel):
    """The caller's channels for one type (defaults where nothing was saved)."""

    type: str
    label: str
    in_app: bool
    push: bool
    email_digest: bool
    supports_push: bool
    supports_digest: bool


class PreferenceIn(StrictInput):
    """The channels for one type; channels a type doesn't support are stored but never used."""

    type: str = Field(max_length=40)
    in_app: bool
    push: bool
    email_digest: bool


class PreferencesIn(StrictInput):
    """Preferences to save; types left out keep what they had."""

    preferences: list[PreferenceIn] = Field(max_length=50)


class PreferencesOut(BaseModel):
    """Every type with the caller's channels."""

    items: list[PreferenceOut]
