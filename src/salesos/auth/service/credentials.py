"""Credentials a signed-in user holds: browser sessions, access/refresh tokens, org API keys."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy.orm import Session

from salesos.auth.models import ApiKey, RefreshToken, User, UserSession
from salesos.auth.repository import ApiKeyRepository, RefreshTokenRepository, UserSessionRepository
from salesos.auth.security import (
    issue_access_token,
    make_routable_token,
    new_token,
    parse_routable_token,
    token_hash,
)
from salesos.config import get_settings
from salesos.db.base import utcnow, uuid7
from salesos.db.session import set_tenant
from salesos.errors import NotFound, Unauthorized, ValidationFailed
from salesos.orgs.repository import MembershipRepository

REFRESH_PREFIX = "srt"
API_KEY_PREFIX = "sos"
API_KEY_SCOPES = ("read", "write")


@dataclass(frozen=True)
class TokenPair:
    """What a token endpoint returns."""

    access_token: str
    refresh_token: str
    expires_in: int


def start_web_session(session: Session, user: User, org_id: uuid.UUID, user_agent: str) -> str:
    """Create a browser session and return the cookie value (only its hash is stored)."""
    token = new_token()
    user.last_org_id = org_id  # the next sign-in, in any browser, returns here
    UserSessionRepository(session).add(
        UserSession(
            token_hash=token_hash(token),
            user_id=user.id,
            current_org_id=org_id,
            csrf_token=new_token(24),
            expires_at=utcnow() + timedelta(days=get_settings().session_days),
            user_agent=user_agent[:255],
        )
    )
    return token


def end_web_session(session: Session, cookie_token: str) -> None:
    """Sign out this browser (the cookie is useless afterwards)."""
    repo = UserSessionRepository(session)
    found = repo.active_by_hash(token_hash(cookie_token))
    if found is not None:
        repo.delete(found)


def landing_org(session: Session, user: User) -> uuid.UUID:
    """The org a fresh sign-in works in: where the user last worked, else their first membership."""
    memberships = MembershipRepository(session)
    if user.last_org_id is not None:
        set_tenant(session, user.last_org_id, user.id)
        if memberships.for_user(user.id) is not None:
            return user.last_org_id
    set_tenant(session, None, user.id)
    membership = memberships.first_for_user(user.id)
    if membership is None:
        raise Unauthorized("This account does not belong to any organisation.", keep_writes=True)
    return membership.org_id


def issue_token_pair(
    session: Session, user_id: uuid.UUID, org_id: uuid.UUID, family_id: uuid.UUID | None = None
) -> TokenPair:
    """A 15-minute access token and a new refresh token (of *family_id*, or a new family)."""
    set_tenant(session, org_id, user_id)
    refresh = make_routable_token(REFRESH_PREFIX, org_id)
    RefreshTokenRepository(session).add(
        RefreshToken(
            user_id=user_id,
            family_id=family_id or uuid7(),
            token_hash=token_hash(refresh),
            expires_at=utcnow() + timedelta(days=get_settings().refresh_token_days),
        )
    )
    access, lifetime = issue_access_token(user_id, org_id)
    return TokenPair(access_token=access, refresh_token=refresh, expires_in=lifetime)


def rotate_refresh_token(session: Session, refresh: str) -> TokenPair:
    """Exchange a refresh token for a new pair; presenting a used one revokes its whole family."""
    org_id = parse_routable_token(REFRESH_PREFIX, refresh)
    if org_id is None:
        raise Unauthorized("Invalid refresh token.")
    set_tenant(session, org_id)
    repo = RefreshTokenRepository(session)
    row = repo.by_hash(token_hash(refresh))
    if row is None or row.revoked_at is not None or row.expires_at <= utcnow():
        raise Unauthorized("Invalid refresh token.")
    if row.used_at is not None:
        # Two parties hold the same family: one of them stole it. Cut both off.
        repo.revoke_family(row.family_id)
        raise Unauthorized("Refresh token reuse detected; sign in again.", keep_writes=True)
    set_tenant(session, org_id, row.user_id)
    if MembershipRepository(session).for_user(row.user_id) is None:
        repo.revoke_family(row.family_id)
        raise Unauthorized("No longer a member of this organisation.", keep_writes=True)
    row.used_at = utcnow()
    return issue_token_pair(session, row.user_id, org_id, family_id=row.family_id)


def revoke_refresh_token(session: Session, refresh: str) -> None:
    """Log an API client out: its refresh family stops working."""
    org_id = parse_routable_token(REFRESH_PREFIX, refresh)
    if org_id is None:
        return
    set_tenant(session, org_id)
    repo = RefreshTokenRepository(session)
    row = repo.by_hash(token_hash(refresh))
    if row is not None:
        repo.revoke_family(row.family_id)


def create_api_key(
    session: Session, *, name: str, scopes: list[str], created_by: uuid.UUID | None
) -> tuple[ApiKey, str]:
    """A new org API key; the plaintext is returned once and never stored."""
    unknown = set(scopes) - set(API_KEY_SCOPES)
    if unknown or not scopes:
        raise ValidationFailed(f"Scopes must be among {', '.join(API_KEY_SCOPES)}.", field="scopes")
    repo = ApiKeyRepository(session)
    plaintext = make_routable_token(API_KEY_PREFIX, repo.org_id)
    key = repo.add(
        ApiKey(
            name=name.strip(),
            display_prefix=plaintext[:4] + "…" + plaintext[-4:],
            key_hash=token_hash(plaintext),
            # Writing implies reading (a key that may change a lead may see it): stored as both, so the
            # key's listing says what it can do.
            scopes=sorted(set(scopes) | ({"read"} if "write" in scopes else set())),
            created_by_id=created_by,
        )
    )
    return key, plaintext


def revoke_api_key(session: Session, key_id: uuid.UUID) -> ApiKey:
    """Revoke a key of the current org; a key of another org is a 404."""
    key = ApiKeyRepository(session).get(key_id)
    if key is None:
        raise NotFound("API key not found.")
    if key.revoked_at is None:
        key.revoked_at = utcnow()
    session.flush()
    return key
