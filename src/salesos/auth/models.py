"""Users and their credentials: web sessions, refresh tokens, API keys, reset tokens, login throttling."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import JSON, Boolean, ForeignKey, Index, Integer, String, Uuid
from sqlalchemy.orm import Mapped, mapped_column

from salesos.db.base import Base, IdMixin, TenantMixin, TimestampMixin, utcnow


class User(IdMixin, TimestampMixin, Base):
    """A person who can sign in; belongs to organisations through memberships."""

    __tablename__ = "users"

    email: Mapped[str] = mapped_column(String(320), unique=True)
    name: Mapped[str] = mapped_column(String(120))
    password_hash: Mapped[str] = mapped_column(String(255))
    is_active: Mapped[bool] = mapped_column(Boolean, default=True)
    last_login_at: Mapped[datetime | None] = mapped_column(nullable=True)
    # IANA zone for this person's times (calendar, reminders, digest); None follows the organisation's.
    timezone: Mapped[str | None] = mapped_column(String(64), nullable=True)
    # How long before a task or call is due its reminder arrives (0: at the due time).
    reminder_minutes: Mapped[int] = mapped_column(Integer, default=10, server_default="10")
    # Where the user last worked: a fresh sign-in returns there while they are still a member.
    last_org_id: Mapped[uuid.UUID | None] = mapped_column(Uuid, nullable=True)


class UserSession(IdMixin, Base):
    """A browser sign-in. The cookie holds a random token; only its hash is stored."""

    __tablename__ = "user_sessions"

    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    user_id: Mapped[uuid.UUID] = mapped_column(Uuid, ForeignKey("users.id", ondelete="CASCADE"), index=True)
    # The organisation the user is working in; a preference of the user, not tenant data.
    current_org_id: Mapped[uuid.UUID] = mapped_column(
        Uuid, ForeignKey("organizations.id", ondelete="CASCADE")
    )
    csrf_token: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime]
    user_agent: Mapped[str] = mapped_column(String(255), default="")


class RefreshToken(IdMixin, TenantMixin, Base):
    """One link of a rotating refresh-token family; reuse of a used link revokes the family."""

    __tablename__ = "refresh_tokens"

    user_id: Mapped[uuid.UUID] = mapped_column(Uuid, ForeignKey("users.id", ondelete="CASCADE"), index=True)
    family_id: Mapped[uuid.UUID] = mapped_column(Uuid, index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime]
    used_at: Mapped[datetime | None] = mapped_column(nullable=True)
    revoked_at: Mapped[datetime | None] = mapped_column(nullable=True)


class ApiKey(IdMixin, TenantMixin, TimestampMixin, Base):
    """An organisation's API key: shown once, stored as a hash, scoped read or read+write."""

    __tablename__ = "api_keys"
    __table_args__ = (Index("ix_api_keys_org_id_id", "org_id", "id"),)

    name: Mapped[str] = mapped_column(String(120))
    display_prefix: Mapped[str] = mapped_column(String(24))
    key_hash: Mapped[str] = mapped_column(String(64), unique=True)
    scopes: Mapped[list[str]] = mapped_column(JSON, default=list)
    created_by_id: Mapped[uuid.UUID | None] = mapped_column(
        Uuid, ForeignKey("users.id", ondelete="SET NULL"), nullable=True
    )
    last_used_at: Mapped[datetime | None] = mapped_column(nullable=True)
    revoked_at: Mapped[datetime | None] = mapped_column(nullable=True)


class PasswordResetToken(IdMixin, Base):
    """A single-use, short-lived password reset link."""

    __tablename__ = "password_reset_tokens"

    user_id: Mapped[uuid.UUID] = mapped_column(Uuid, ForeignKey("users.id", ondelete="CASCADE"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    # Sealed (AES-GCM) so the email job can build the link without the token travelling in a payload.
    token_sealed: Mapped[str] = mapped_column(String(255))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime]
    used_at: Mapped[datetime | None] = mapped_column(nullable=True)
    # Set once the email went out: a retried job does not send it again.
    emailed_at: Mapped[datetime | None] = mapped_column(nullable=True)


class LoginFailure(IdMixin, Base):
    """A failed sign-in, counted per account and per client IP to throttle guessing."""

    __tablename__ = "login_failures"
    __table_args__ = (Index("ix_login_failures_key_at", "key", "attempted_at"),)

    key: Mapped[str] = mapped_column(String(400))
    attempted_at: Mapped[datetime] = mapped_column(default=utcnow)
