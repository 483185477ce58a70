"""Organisations (tenants), memberships with roles, and invitations."""

from __future__ import annotations

import enum
import uuid
from datetime import datetime

from sqlalchemy import ForeignKey, Index, Integer, String, Text, UniqueConstraint, Uuid
from sqlalchemy.orm import Mapped, mapped_column, relationship

from salesos.auth.models import User
from salesos.db.base import Base, IdMixin, TenantMixin, TimestampMixin


class Role(enum.StrEnum):
    """Roles from most to least powerful; the order is what ``Role.rank`` compares."""

    OWNER = "owner"
    ADMIN = "admin"
    MEMBER = "member"
    VIEWER = "viewer"

    @property
    def rank(self) -> int:
        return {"owner": 3, "admin": 2, "member": 1, "viewer": 0}[self.value]

    def at_least(self, other: Role) -> bool:
        """True when this role includes everything *other* may do."""
        return self.rank >= other.rank

    @property
    def with_article(self) -> str:
        """The role as a sentence says it: "an admin", "a viewer"."""
        return f"{'an' if self.value[0] in 'aeiou' else 'a'} {self.value}"


class Organization(IdMixin, TimestampMixin, Base):
    """A tenant: every tenant-owned row points here through org_id."""

    __tablename__ = "organizations"

    name: Mapped[str] = mapped_column(String(120))
    slug: Mapped[str] = mapped_column(String(64), unique=True)
    # Phone numbers typed without a country code are read in this region (ISO 3166 alpha-2).
    default_region: Mapped[str] = mapped_column(String(2), default="US")
    timezone: Mapped[str] = mapped_column(String(64), default="UTC")
    # The WhatsApp message a lead's page pre-fills; None means the built-in default.
    whatsapp_template: Mapped[str | None] = mapped_column(Text, nullable=True)
    # Prospects this org may enrich per calendar month; None means the deployment's default.
    lead_credits_monthly: Mapped[int | None] = mapped_column(Integer, nullable=True)


class Membership(IdMixin, TenantMixin, TimestampMixin, Base):
    """A user's role in one organisation."""

    __tablename__ = "memberships"
    __table_args__ = (
        UniqueConstraint("org_id", "user_id"),
        Index("ix_memberships_org_id_id", "org_id", "id"),
    )

    user_id: Mapped[uuid.UUID] = mapped_column(Uuid, ForeignKey("users.id", ondelete="CASCADE"), index=True)
    role: Mapped[str] = mapped_column(String(16))

    user: Mapped[User] = relationship(lazy="joined")


class Invitation(IdMixin, TenantMixin, TimestampMixin, Base):
    """An emailed, single-use link that adds a person to the organisation with a role."""

    __tablename__ = "invitations"
    __table_args__ = (Index("ix_invitations_org_id_id", "org_id", "id"),)

    email: Mapped[str] = mapped_column(String(320))
    role: Mapped[str] = mapped_column(String(16))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    # The link is emailed by a job after commit; jobs carry ids only, so the token waits here, sealed.
    token_sealed: Mapped[str] = mapped_column(String(255))
    invited_by_id: Mapped[uuid.UUID | None] = mapped_column(
        Uuid, ForeignKey("users.id", ondelete="SET NULL"), nullable=True
    )
    expires_at: Mapped[datetime]
    accepted_at: Mapped[datetime | None] = mapped_column(nullable=True)
    # Set once the email went out: a retried job does not send it again.
    emailed_at: Mapped[datetime | None] = mapped_column(nullable=True)
    revoked_at: Mapped[datetime | None] = mapped_column(nullable=True)


def effective_timezone(user: User | None, org: Organization | None) -> str:
    """The zone a person's times are shown and read in: their own, else the organisation's."""
    if user is not None and user.timezone:
        return user.timezone
    return org.timezone if org is not None else "UTC"
