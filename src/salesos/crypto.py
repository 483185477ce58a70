"""Authenticated encryption of secrets at rest (AES-256-GCM with a key id and associated data)."""

from __future__ import annotations

import base64
import os
from functools import lru_cache

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from salesos.config import get_settings

KEY_ID = "k1"


@lru_cache(maxsize=4)
def _key(secret_key: str, key_id: str) -> bytes:
    # Derived, not the secret key itself: a leaked data key does not reveal the signing key.
    return HKDF(
        algorithm=hashes.SHA256(), length=32, salt=None, info=f"salesos-at-rest-{key_id}".encode()
    ).derive(secret_key.encode())


def encrypt(plaintext: str, *, context: str) -> str:
    """Encrypt *plaintext*; *context* (e.g. "invitation:<id>") binds the ciphertext to its row."""
    nonce = os.urandom(12)
    sealed = AESGCM(_key(get_settings().secret_key, KEY_ID)).encrypt(
        nonce, plaintext.encode(), context.encode()
    )
    return f"{KEY_ID}:{base64.urlsafe_b64encode(nonce + sealed).decode()}"


def decrypt(token: str, *, context: str) -> str:
    """Decrypt a value made by ``encrypt`` with the same *context*; raises ValueError if tampered."""
    try:
        key_id, blob = token.split(":", 1)
        raw = base64.urlsafe_b64decode(blob)
        plain = AESGCM(_key(get_settings().secret_key, key_id)).decrypt(raw[:12], raw[12:], context.encode())
    except Exception as exc:  # InvalidTag, bad base64, wrong format: all mean "not ours"
        raise ValueError("ciphertext is invalid or was made for another context") from exc
    return plain.decode()
