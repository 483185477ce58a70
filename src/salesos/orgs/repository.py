"""Every query of the orgs domain."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import Row, bindparam, func, select, text

from salesos.auth.models import User
from salesos.db.base import utcnow, uuid_text
from salesos.db.pagination import Page, TenantPageQuery
from salesos.db.repository import Repository
from salesos.orgs.models import Invitation, Membership, Organization, Role


class OrganizationRepository(Repository[Organization]):
    model = Organization

    def current(self) -> Organization | None:
        """The organisation the session is scoped to."""
        return self.session.get(Organization, self.org_id)

    def id_for_slug(self, slug: str) -> uuid.UUID | None:
        """Resolve a slug to an org id; on PostgreSQL through a SECURITY DEFINER function (RLS)."""
        if self.session.get_bind().dialect.name == "postgresql":
            value = self.session.scalar(text("SELECT app_org_id_for_slug(:slug)"), {"slug": slug})
            return uuid.UUID(str(value)) if value else None
        return self.session.scalar(select(Organization.id).where(Organization.slug == slug))

    def all_ids(self) -> list[uuid.UUID]:
        """Every organisation's id, for scans that visit each tenant (PostgreSQL: app_org_ids(), RLS)."""
        if self.session.get_bind().dialect.name == "postgresql":
            return [uuid.UUID(str(v)) for v in self.session.scalars(text("SELECT app_org_ids()"))]
        return list(self.session.scalars(select(Organization.id).order_by(Organization.id)))

    def for_user(self, user_id: uuid.UUID) -> list[tuple[Organization, str]]:
        """Organisations the user belongs to, with the role in each."""
        stmt = (
            select(Organization, Membership.role)
            .join(Membership, Membership.org_id == Organization.id)
            .where(Membership.user_id == user_id)
            .order_by(Organization.name)
        )
        return [(org, role) for org, role in self.session.execute(stmt)]


MEMBER_COLUMNS = (
    uuid_text(Membership.id),
    uuid_text(Membership.user_id),
    Membership.role,
    Membership.created_at,
    User.name,
    User.email,
)
MEMBER_PAGE = TenantPageQuery(
    select(*MEMBER_COLUMNS).join(User, User.id == Membership.user_id), Membership.org_id, Membership.id
)
# Runs on every authenticated request, so it is built once (see TenantPageQuery for why).
ROLE_OF_ACTIVE_USER = (
    select(Membership.role)
    .join(User, User.id == Membership.user_id)
    .where(
        Membership.org_id == bindparam("org_id"),
        Membership.user_id == bindparam("user_id"),
        User.is_active.is_(True),
    )
)


class MembershipRepository(Repository[Membership]):
    model = Membership

    def for_user(self, user_id: uuid.UUID) -> Membership | None:
        """The user's membership in the current org."""
        return self.session.scalars(self.scoped().where(Membership.user_id == user_id)).first()

    def first_for_user(self, user_id: uuid.UUID) -> Membership | None:
        """Any membership of the user (oldest first): where a fresh sign-in lands."""
        stmt = select(Membership).where(Membership.user_id == user_id).order_by(Membership.id)
        return self.session.scalars(stmt).first()

    def listing(self) -> list[Membership]:
        """Members of the current org, oldest first."""
        return list(self.session.scalars(self.scoped().order_by(Membership.id)))

    def lead_owners(self) -> list[Membership]:
        """Members who can own leads and tasks, oldest first: active accounts, viewers excluded."""
        return [m for m in self.listing() if m.user.is_active and Role(m.role).at_least(Role.MEMBER)]

    def can_own_leads(self, user_id: uuid.UUID) -> bool:
        """Whether *user_id* is a member here with an active account and a role that may own leads."""
        stmt = self.scoped(Membership.role).join(User, User.id == Membership.user_id)
        role = self.session.scalar(stmt.where(Membership.user_id == user_id, User.is_active.is_(True)))
        return role is not None and Role(role).at_least(Role.MEMBER)

    def active_user_ids(self, user_ids: list[uuid.UUID]) -> set[uuid.UUID]:
        """Which of *user_ids* are members here with an active account (one query for them all)."""
        if not user_ids:
            return set()
        stmt = (
            self.scoped(Membership.user_id)
            .join(User, User.id == Membership.user_id)
            .where(Membership.user_id.in_(user_ids), User.is_active.is_(True))
        )
        return set(self.session.scalars(stmt))

    def page(self, *, limit: int, cursor: str | None) -> Page[Row[Any]]:
        """One page of members with their name and email, newest first (keyset on the time-ordered id)."""
        return MEMBER_PAGE.page(self.session, self.org_id, limit=limit, cursor=cursor)

    def role_of_active_user(self, user_id: uuid.UUID) -> str | None:
        """The role of *user_id* in the current org, if they are a member with an active account.

        One indexed lookup: it runs on every authenticated request.
        """
        params = {"org_id": self.org_id, "user_id": user_id}
        return self.session.connection().execute(ROLE_OF_ACTIVE_USER, params).scalar()

    def count_role(self, role: Role) -> int:
        """How many members hold *role*."""
        return self.count(self.scoped().where(Membership.role == role.value))


class InvitationRepository(Repository[Invitation]):
    model = Invitation

    def pending(self) -> list[Invitation]:
        """Invitations not yet accepted, revoked or expired."""
        stmt = self.scoped().where(
            Invitation.accepted_at.is_(None),
            Invitation.revoked_at.is_(None),
            Invitation.expires_at > utcnow(),
        )
        return list(self.session.scalars(stmt.order_by(Invitation.id.desc())))

    def by_hash(self, token_hash: str) -> Invitation | None:
        """The invitation with this token hash in the current tenant."""
        return self.session.scalars(self.scoped().where(Invitation.token_hash == token_hash)).first()

    def pending_for_email(self, email: str) -> Invitation | None:
        """An open invitation already sent to *email*."""
        stmt = self.scoped().where(
            func.lower(Invitation.email) == email.lower(),
            Invitation.accepted_at.is_(None),
            Invitation.revoked_at.is_(None),
            Invitation.expires_at > utcnow(),
        )
        return self.session.scalars(stmt).first()
