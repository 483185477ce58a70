"""Password hashing, random tokens and their hashes, tenant-routable tokens, JWT access tokens."""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import secrets
import time
import uuid
from datetime import timedelta
from functools import lru_cache
from typing import Any

import jwt
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from salesos.config import get_settings
from salesos.db.base import utcnow

# The test suite (SALESOS_ENV=test, and nothing else) hashes with argon2's minimum cost: a strong hash is
# 0.25 s of CPU, and the suite makes thousands.
_TEST_COST = {"time_cost": 1, "memory_cost": 8, "parallelism": 1}


@lru_cache(maxsize=2)
def _hasher_for(env: str) -> tuple[PasswordHasher, str]:
    # argon2id with the library's RFC 9106 "low memory" profile: strong, and cheap enough for login bursts.
    hasher = PasswordHasher(**_TEST_COST) if env == "test" else PasswordHasher()  # type: ignore[arg-type]
    # Verifying against this keeps the time of "no such user" equal to "wrong password".
    return hasher, hasher.hash("not-a-real-password")


def _hasher() -> PasswordHasher:
    return _hasher_for(get_settings().env)[0]


JWT_ALGORITHM = "HS256"
JWT_AUDIENCE = "salesos-api"


def hash_password(password: str) -> str:
    """argon2id hash of *password*."""
    return _hasher().hash(password)


def verify_password(password_hash: str | None, password: str) -> bool:
    """True when *password* matches; spends the same time when there is no hash."""
    try:
        dummy = _hasher_for(get_settings().env)[1]
        return _hasher().verify(password_hash or dummy, password) and password_hash is not None
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(password_hash: str) -> bool:
    """True when the hash was made with weaker parameters than today's."""
    return _hasher().check_needs_rehash(password_hash)


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


# Pages are gzip-compressed and some reflect what the URL asked for (a search box keeps its words). A secret
# that is the same in every response could then be guessed a character at a time from response sizes
# (BREACH). So pages carry the session's CSRF token masked with a fresh one-time pad each time.


def mask_csrf_token(secret: str) -> str:
    """*secret* as a page carries it: ``pad + (pad XOR secret)``, base64url, different in every response."""
    raw = secret.encode()
    pad = secrets.token_bytes(len(raw))
    return base64.urlsafe_b64encode(pad + bytes(a ^ b for a, b in zip(pad, raw, strict=True))).decode()


def csrf_token_matches(sent: str, secret: str) -> bool:
    """Whether *sent* is the session's *secret*, masked (``mask_csrf_token``) or bare (a page or an offline
    queue entry from before masking). Timing-safe; an empty secret never matches."""
    if not secret or not sent:
        return False
    if constant_time_equals(sent, secret):
        return True
    try:
        both = base64.b64decode(sent.encode(), altchars=b"-_", validate=True)
    except (ValueError, binascii.Error):
        return False
    half = len(both) // 2
    if len(both) % 2 or half != len(secret.encode()):
        return False
    unmasked = bytes(a ^ b for a, b in zip(both[:half], both[half:], strict=True))
    return hmac.compare_digest(unmasked, secret.encode())


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


# Verified access tokens, so a client's next calls skip the signature and claims checks (PyJWT costs
# about 0.1 ms a call, more than the role lookup). Only tokens that passed ``jwt.decode`` get in, each
# under the key that signed it and only until its ``exp``. First in, first out beyond the bound.
_VERIFIED_MAX = 4096
_verified: dict[str, tuple[str, uuid.UUID, uuid.UUID, int]] = {}


def decode_access_token(token: str) -> tuple[uuid.UUID, uuid.UUID] | None:
    """(user_id, org_id) from a valid, unexpired access token, else None."""
    secret = get_settings().secret_key
    hit = _verified.get(token)
    if hit is not None:
        signed_with, user_id, org_id, expires = hit
        if signed_with == secret and time.time() < expires:
            return user_id, org_id
        _verified.pop(token, None)
    try:
        claims = jwt.decode(
            token,
            secret,
            algorithms=[JWT_ALGORITHM],
            audience=JWT_AUDIENCE,
            options={"require": ["exp", "sub", "org"]},
        )
        user_id, org_id = uuid.UUID(claims["sub"]), uuid.UUID(claims["org"])
        expires = int(claims["exp"])
    except (jwt.PyJWTError, ValueError, KeyError, TypeError):
        return None
    while len(_verified) >= _VERIFIED_MAX:
        _verified.pop(next(iter(_verified), ""), None)
    _verified[token] = (secret, user_id, org_id, expires)
    return user_id, org_id
