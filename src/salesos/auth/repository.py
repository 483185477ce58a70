"""Every query of the auth domain."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import delete, func, select, update

from salesos.auth.models import ApiKey, LoginFailure, PasswordResetToken, RefreshToken, User, UserSession
from salesos.db.base import utcnow
from salesos.db.repository import Repository


class UserRepository(Repository[User]):
    """Users are global (not tenant-owned); what a user may see of others goes through memberships."""

    model = User

    def by_email(self, email: str) -> User | None:
        """The user with this (normalised) email."""
        return self.session.scalars(select(User).where(User.email == email)).first()

    def by_ids(self, user_ids: set[uuid.UUID]) -> dict[uuid.UUID, User]:
        """The users with these ids, by id (one query)."""
        if not user_ids:
            return {}
        return {u.id: u for u in self.session.scalars(select(User).where(User.id.in_(user_ids)))}


class UserSessionRepository(Repository[UserSession]):
    model = UserSession

    def active_by_hash(self, token_hash: str) -> UserSession | None:
        """The unexpired browser session whose cookie hashes to *token_hash*."""
        stmt = select(UserSession).where(
            UserSession.token_hash == token_hash, UserSession.expires_at > utcnow()
        )
        return self.session.scalars(stmt).first()

    def delete_for_user(self, user_id: uuid.UUID, *, keep: uuid.UUID | None = None) -> None:
        """Sign a user out everywhere (after a password reset), or everywhere but session *keep*."""
        stmt = delete(UserSession).where(UserSession.user_id == user_id)
        if keep is not None:
            stmt = stmt.where(UserSession.id != keep)
        self.session.execute(stmt)


class RefreshTokenRepository(Repository[RefreshToken]):
    model = RefreshToken

    def by_hash(self, token_hash: str) -> RefreshToken | None:
        """The refresh token with this hash in the current tenant."""
        return self.session.scalars(self.scoped().where(RefreshToken.token_hash == token_hash)).first()

    def revoke_family(self, family_id: uuid.UUID) -> None:
        """Revoke every token of a family (reuse was detected, or the user logged out)."""
        self.session.execute(
            update(RefreshToken)
            .where(RefreshToken.org_id == self.org_id, RefreshToken.family_id == family_id)
            .where(RefreshToken.revoked_at.is_(None))
            .values(revoked_at=utcnow())
        )

    def revoke_for_user(self, user_id: uuid.UUID) -> None:
        """Revoke every refresh token the user holds in this organisation (their password changed)."""
        self.session.execute(
            update(RefreshToken)
            .where(RefreshToken.org_id == self.org_id, RefreshToken.user_id == user_id)
            .where(RefreshToken.revoked_at.is_(None))
            .values(revoked_at=utcnow())
        )


class ApiKeyRepository(Repository[ApiKey]):
    model = ApiKey

    def by_hash(self, key_hash: str) -> ApiKey | None:
        """The key with this hash in the current tenant."""
        return self.session.scalars(self.scoped().where(ApiKey.key_hash == key_hash)).first()

    def listing(self) -> list[ApiKey]:
        """All keys of the org, newest first."""
        return list(self.session.scalars(self.scoped().order_by(ApiKey.id.desc())))


class PasswordResetRepository(Repository[PasswordResetToken]):
    model = PasswordResetToken

    def usable_by_hash(self, token_hash: str, *, lock: bool = False) -> PasswordResetToken | None:
        """An unused, unexpired reset token; *lock* holds its row until the transaction ends.

        A reset locks the row: on PostgreSQL a second request for the same link, or for a link another
        password change is retiring, then waits and finds it used instead of setting the password again.
        """
        stmt = select(PasswordResetToken).where(
            PasswordResetToken.token_hash == token_hash,
            PasswordResetToken.used_at.is_(None),
            PasswordResetToken.expires_at > utcnow(),
        )
        if lock:
            stmt = stmt.with_for_update()
        return self.session.scalars(stmt).first()

    def retire_for_user(self, user_id: uuid.UUID) -> None:
        """Mark every unused reset link of the user used (their password just changed)."""
        self.session.execute(
            update(PasswordResetToken)
            .where(PasswordResetToken.user_id == user_id, PasswordResetToken.used_at.is_(None))
            .values(used_at=utcnow())
        )


class LoginFailureRepository(Repository[LoginFailure]):
    model = LoginFailure

    def recent(self, key: str, since: datetime) -> tuple[int, datetime | None]:
        """How many failures for *key* since *since*, and the oldest of them."""
        stmt = select(func.count(), func.min(LoginFailure.attempted_at)).where(
            LoginFailure.key == key, LoginFailure.attempted_at > since
        )
        count, oldest = self.session.execute(stmt).one()
        return int(count), oldest

    def record(self, keys: list[str]) -> None:
        """Count one failure against each key."""
        now = utcnow()
        self.session.add_all([LoginFailure(key=k, attempted_at=now) for k in keys])
        self.session.flush()

    def clear(self, key: str) -> None:
        """Forget failures of *key* after a successful sign-in."""
        self.session.execute(delete(LoginFailure).where(LoginFailure.key == key))

    def prune(self, before: datetime) -> None:
        """Drop failures too old to matter."""
        self.session.execute(delete(LoginFailure).where(LoginFailure.attempted_at < before))
