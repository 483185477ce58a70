"""Turn a request's credentials into a Principal, scoping the DB session to its organisation."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy.orm import Session

from salesos.auth.principal import Principal
from salesos.auth.repository import ApiKeyRepository, UserSessionRepository
from salesos.auth.security import decode_access_token, parse_routable_token, token_hash
from salesos.auth.service.credentials import API_KEY_PREFIX
from salesos.db.base import utcnow
from salesos.db.session import set_tenant
from salesos.orgs.models import Role
from salesos.orgs.repository import MembershipRepository

# Writing last_used_at on every call would turn reads into writes; minute precision is plenty.
LAST_USED_PRECISION = timedelta(minutes=1)


def principal_from_bearer(session: Session, token: str) -> Principal | None:
    """A principal from an ``Authorization: Bearer`` value: an org API key or a JWT access token."""
    if token.startswith(API_KEY_PREFIX + "_"):
        return _from_api_key(session, token)
    decoded = decode_access_token(token)
    if decoded is None:
        return None
    user_id, org_id = decoded
    return _member_principal(session, user_id, org_id, kind="token")


def principal_from_cookie(session: Session, cookie_token: str) -> Principal | None:
    """A principal from the browser session cookie."""
    web = UserSessionRepository(session).active_by_hash(token_hash(cookie_token))
    if web is None:
        return None
    principal = _member_principal(session, web.user_id, web.current_org_id, kind="session")
    if principal is None:
        return None
    return Principal(
        org_id=principal.org_id,
        role=principal.role,
        kind="session",
        user_id=principal.user_id,
        session_id=web.id,
        csrf_token=web.csrf_token,
    )


def _member_principal(session: Session, user_id, org_id, *, kind) -> Principal | None:  # type: ignore[no-untyped-def]
    set_tenant(session, org_id, user_id)
    # The role comes from the membership on every request: a demotion applies to the next call.
    role = MembershipRepository(session).role_of_active_user(user_id)
    if role is None:
        return None
    return Principal(org_id=org_id, role=Role(role), kind=kind, user_id=user_id)


def _from_api_key(session: Session, token: str) -> Principal | None:
    org_id = parse_routable_token(API_KEY_PREFIX, token)
    if org_id is None:
        return None
    set_tenant(session, org_id)
    key = ApiKeyRepository(session).by_hash(token_hash(token))
    if key is None or key.revoked_at is not None:
        return None
    now = utcnow()
    if key.last_used_at is None or now - key.last_used_at > LAST_USED_PRECISION:
        key.last_used_at = now
    scopes = frozenset(key.scopes)
    # A key acts like a member when it may write, like a viewer otherwise; never like an admin.
    role = Role.MEMBER if "write" in scopes else Role.VIEWER
    return Principal(org_id=org_id, role=role, kind="api_key", api_key_id=key.id, scopes=scopes)
