"""VAPID (RFC 8292): the key pair that identifies this server to push services, and its signed JWT."""

from __future__ import annotations

import base64
import os
import time
from functools import lru_cache
from pathlib import Path
from urllib.parse import urlsplit

import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec

from salesos.config import Settings, get_settings

# Push services refuse tokens valid for more than 24 hours; 12 leaves room for clock skew.
TOKEN_LIFETIME_SECONDS = 12 * 3600


def b64url(data: bytes) -> str:
    """Unpadded base64url, the encoding of every key and secret in Web Push."""
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def b64url_decode(text: str) -> bytes:
    """Decode unpadded base64url."""
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _stored_key(path: Path) -> str:
    """The private key kept at *path*, generated (mode 0600, first writer wins) on first use."""
    if path.exists():
        return path.read_text().strip()
    path.parent.mkdir(parents=True, exist_ok=True)
    raw = ec.generate_private_key(ec.SECP256R1()).private_numbers().private_value.to_bytes(32, "big")
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return path.read_text().strip()
    with os.fdopen(fd, "w") as fh:
        fh.write(b64url(raw))
    return b64url(raw)


@lru_cache(maxsize=4)
def _private_key(encoded: str) -> ec.EllipticCurvePrivateKey:
    return ec.derive_private_key(int.from_bytes(b64url_decode(encoded), "big"), ec.SECP256R1())


def private_key(settings: Settings | None = None) -> ec.EllipticCurvePrivateKey:
    """This server's VAPID private key (from SALESOS_VAPID_PRIVATE_KEY, else var/vapid_private_key)."""
    settings = settings or get_settings()
    return _private_key(settings.vapid_private_key or _stored_key(settings.var_dir / "vapid_private_key"))


def application_server_key(settings: Settings | None = None) -> str:
    """The public key browsers subscribe with (``applicationServerKey``), uncompressed point, base64url."""
    public = (
        private_key(settings)
        .public_key()
        .public_bytes(serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint)
    )
    return b64url(public)


def subject(settings: Settings | None = None) -> str:
    """Who push services contact about this server: SALESOS_VAPID_SUBJECT, else the email From address."""
    settings = settings or get_settings()
    if settings.vapid_subject:
        return settings.vapid_subject
    address = settings.email_from.rsplit("<", 1)[-1].rstrip(">").strip()
    return f"mailto:{address}"


def authorization(endpoint: str, settings: Settings | None = None, now: float | None = None) -> str:
    """The ``Authorization: vapid t=<jwt>, k=<key>`` value for a push to *endpoint*."""
    parts = urlsplit(endpoint)
    claims = {
        "aud": f"{parts.scheme}://{parts.netloc}",
        "exp": int(now if now is not None else time.time()) + TOKEN_LIFETIME_SECONDS,
        "sub": subject(settings),
    }
    token = jwt.encode(claims, private_key(settings), algorithm="ES256")
    return f"vapid t={token}, k={application_server_key(settings)}"
