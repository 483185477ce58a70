"""Login throttling per account and per client IP, shared by every process through the database."""

from __future__ import annotations

import math
from datetime import timedelta

from sqlalchemy.orm import Session

from salesos.auth.repository import LoginFailureRepository
from salesos.config import get_settings
from salesos.db.base import utcnow
from salesos.errors import TooManyRequests

# An IP is allowed more failures than an account: an office shares one address.
IP_FAILURE_FACTOR = 4
TOO_MANY_SIGN_INS = "Too many failed sign-ins. Try again later."
TOO_MANY_PASSWORD_CHECKS = "Too many wrong passwords. Try again later."


def _account_key(email: str) -> str:
    return f"account:{email}"


def _keys(email: str, ip: str) -> tuple[str, str]:
    return _account_key(email), f"ip:{ip}"


def _refuse_when_over(session: Session, limits: list[tuple[str, int]], message: str) -> None:
    """Raise 429 with Retry-After when a key failed *limit* times in the window."""
    window = timedelta(seconds=get_settings().login_window_seconds)
    now = utcnow()
    repo = LoginFailureRepository(session)
    for key, limit in limits:
        count, oldest = repo.recent(key, now - window)
        if count >= limit and oldest is not None:
            retry_after = math.ceil((oldest + window - now).total_seconds())
            raise TooManyRequests(message, retry_after=retry_after)


def _record(session: Session, keys: list[str]) -> None:
    repo = LoginFailureRepository(session)
    repo.record(keys)
    repo.prune(utcnow() - timedelta(seconds=get_settings().login_window_seconds * 10))


def check_login_allowed(session: Session, email: str, ip: str) -> None:
    """Raise 429 with Retry-After when the account or the IP failed too often in the window."""
    limit = get_settings().login_max_failures
    account_key, ip_key = _keys(email, ip)
    _refuse_when_over(session, [(account_key, limit), (ip_key, limit * IP_FAILURE_FACTOR)], TOO_MANY_SIGN_INS)


def record_login_failure(session: Session, email: str, ip: str) -> None:
    """Count a failure against both the account and the IP, and forget failures past the window."""
    _record(session, list(_keys(email, ip)))


def clear_login_failures(session: Session, email: str) -> None:
    """A successful sign-in resets the account's counter (not the IP's)."""
    LoginFailureRepository(session).clear(_account_key(email))


# A signed-in user changing their password proves the current one the way a sign-in does. Its failures
# go on the account's sign-in counter: one password, one budget of guesses, so a stolen session (or
# token) adds no guesses to what the sign-in form already allows.


def check_password_check_allowed(session: Session, email: str) -> None:
    """Raise 429 with Retry-After when the account failed too often in the window (sign-ins included)."""
    limit = get_settings().login_max_failures
    _refuse_when_over(session, [(_account_key(email), limit)], TOO_MANY_PASSWORD_CHECKS)


def record_password_check_failure(session: Session, email: str) -> None:
    """Count a wrong current password against the account, like a failed sign-in."""
    _record(session, [_account_key(email)])
