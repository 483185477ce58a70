"""Password hashing, random tokens and their hashes, tenant-routable tokens, JWT access tokens."""

from __future__ import annotations

import hashlib
import hmac
import secrets
import uuid
from datetime import timedelta
from typing import Any

import jwt
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from salesos.config import get_settings
from salesos.db.base import utcnow

# argon2id with the library's RFC 9106 "low memory" profile: strong, and cheap enough for login bursts.
_hasher = PasswordHasher()
# Verifying against this keeps the time of "no such user" equal to "wrong password".
_DUMMY_HASH = _hasher.hash("not-a-real-password")

JWT_ALGORITHM = "HS256"
JWT_AUDIENCE = "salesos-api"


def hash_password(password: str) -> str:
    """argon2id hash of *password*."""
    return _hasher.hash(password)


def verify_password(password_hash: str | None, password: str) -> bool:
    """True when *password* matches; spends the same time when there is no hash."""
    try:
        return _hasher.verify(password_hash or _DUMMY_HASH, password) and password_hash is not None
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(password_hash: str) -> bool:
    """True when the hash was made with weaker parameters than today's."""
    return _hasher.check_needs_rehash(password_hash)


def token_hash(token: str) -> str:
    """SHA-256 of a high-entropy token: enough for lookup, useless to whoever reads the table."""
    return hashlib.sha256(token.encode()).hexdigest()


def new_token(nbytes: int = 32) -> str:
    """A URL-safe random token."""
    return secrets.token_urlsafe(nbytes)


def make_routable_token(prefix: str, org_id: uuid.UUID) -> str:
    """A secret that names its organisation: ``<prefix>_<org hex>_<random>``.

    With row-level security a lookup needs the tenant first; the org part tells which tenant to
    scope the lookup to, and the hash of the whole token must still match inside that tenant.
    """
    return f"{prefix}_{org_id.hex}_{new_token(30)}"


def parse_routable_token(prefix: str, token: str) -> uuid.UUID | None:
    """The org id inside a token made by ``make_routable_token``, or None if it isn't one."""
    parts = token.split("_", 2)
    if len(parts) != 3 or parts[0] != prefix or len(parts[1]) != 32:
        return None
    try:
        return uuid.UUID(hex=parts[1])
    except ValueError:
        return None


def constant_time_equals(a: str, b: str) -> bool:
    """Timing-safe string comparison."""
    return hmac.compare_digest(a.encode(), b.encode())


def issue_access_token(user_id: uuid.UUID, org_id: uuid.UUID) -> tuple[str, int]:
    """A short-lived JWT for API clients; returns (token, lifetime seconds).

    It names who and which org only: the role is read from the membership on every request so that a
    demotion takes effect on the very next call.
    """
    settings = get_settings()
    lifetime = timedelta(minutes=settings.access_token_minutes)
    now = utcnow()
    claims: dict[str, Any] = {
        "sub": str(user_id),
        "org": str(org_id),
        "aud": JWT_AUDIENCE,
        "iat": int(now.timestamp()),
        "exp": int((now + lifetime).timestamp()),
        "jti": uuid.uuid4().hex,
    }
    return jwt.encode(claims, settings.secret_key, algorithm=JWT_ALGORITHM), int(lifetime.total_seconds())


def decode_access_token(token: str) -> tuple[uuid.UUID, uuid.UUID] | None:
    """(user_id, org_id) from a valid, unexpired access token, else None."""
    try:
        claims = jwt.decode(
            token,
            get_settings().secret_key,
            algorithms=[JWT_ALGORITHM],
            audience=JWT_AUDIENCE,
            options={"require": ["exp", "sub", "org"]},
        )
        return uuid.UUID(claims["sub"]), uuid.UUID(claims["org"])
    except (jwt.PyJWTError, ValueError, KeyError):
        return None
