"""Access tokens: what the verified-token cache may and may not answer."""

from __future__ import annotations

import datetime
import uuid

import jwt
import pytest

from salesos.auth import security
from salesos.config import get_settings


def _token(secret: str, *, exp: int, sub: uuid.UUID, org: uuid.UUID) -> str:
    claims = {"sub": str(sub), "org": str(org), "aud": security.JWT_AUDIENCE, "exp": exp}
    return jwt.encode(claims, secret, algorithm=security.JWT_ALGORITHM)


def test_a_cached_token_still_expires(settings, monkeypatch: pytest.MonkeyPatch) -> None:
    clock = _Clock(1_900_000_000.0)
    monkeypatch.setattr(security.time, "time", lambda: clock.now)
    monkeypatch.setattr(jwt.api_jwt, "datetime", clock.datetime_class())  # PyJWT's own exp check
    user_id, org_id = uuid.uuid4(), uuid.uuid4()
    token = _token(get_settings().secret_key, exp=int(clock.now) + 60, sub=user_id, org=org_id)
    assert security.decode_access_token(token) == (user_id, org_id)
    assert token in security._verified  # the next call is answered from the cache
    assert security.decode_access_token(token) == (user_id, org_id)
    clock.now += 61
    assert security.decode_access_token(token) is None
    assert token not in security._verified


def test_the_cache_answers_only_for_the_key_that_signed(settings, monkeypatch: pytest.MonkeyPatch) -> None:
    user_id, org_id = uuid.uuid4(), uuid.uuid4()
    token, _ = security.issue_access_token(user_id, org_id)
    assert security.decode_access_token(token) == (user_id, org_id)
    monkeypatch.setenv("SALESOS_SECRET_KEY", "another-secret-" + "x" * 40)
    get_settings.cache_clear()
    assert security.decode_access_token(token) is None


def test_forged_and_malformed_tokens_never_enter_the_cache(settings) -> None:
    user_id, org_id = uuid.uuid4(), uuid.uuid4()
    forged = _token("not-the-secret-" + "y" * 40, exp=2_000_000_000, sub=user_id, org=org_id)
    garbage = _token(get_settings().secret_key, exp=2_000_000_000, sub=user_id, org=org_id)[:-3] + "abc"
    no_uuid = jwt.encode(
        {"sub": "alice", "org": str(org_id), "aud": security.JWT_AUDIENCE, "exp": 2_000_000_000},
        get_settings().secret_key,
        algorithm=security.JWT_ALGORITHM,
    )
    for token in (forged, garbage, no_uuid):
        assert security.decode_access_token(token) is None
        assert token not in security._verified


def test_the_cache_is_bounded(settings, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(security, "_VERIFIED_MAX", 3)
    monkeypatch.setattr(security, "_verified", {})
    tokens = [security.issue_access_token(uuid.uuid4(), uuid.uuid4())[0] for _ in range(5)]
    for token in tokens:
        assert security.decode_access_token(token) is not None
    assert list(security._verified) == tokens[2:]  # first in, first out


class _Clock:
    """One frozen clock for the cache (``time.time``) and for PyJWT (``datetime.now``)."""

    def __init__(self, now: float) -> None:
        self.now = now

    def datetime_class(self) -> type[datetime.datetime]:
        clock = self

        class FrozenDatetime(datetime.datetime):
            @classmethod
            def now(cls, tz: datetime.tzinfo | None = None) -> FrozenDatetime:  # type: ignore[override]
                return cls.fromtimestamp(clock.now, tz)

        return FrozenDatetime
