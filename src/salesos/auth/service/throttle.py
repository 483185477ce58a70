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


def _keys(email: str, ip: str) -> tuple[str, str]:
    return f"account:{email}", f"ip:{ip}"


def check_login_allowed(session: Session, email: str, ip: str) -> None:
    """Raise 429 with Retry-After when the account or the IP failed too often in the window."""
    settings = get_settings()
    window = timedelta(seconds=settings.login_window_seconds)
    now = utcnow()
    repo = LoginFailureRepository(session)
    account_key, ip_key = _keys(email, ip)
    for key, limit in (
        (account_key, settings.login_max_failures),
        (ip_key, settings.login_max_failures * IP_FAILURE_FACTOR),
    ):
        count, oldest = repo.recent(key, now - window)
        if count >= limit and oldest is not None:
            retry_after = math.ceil((oldest + window - now).total_seconds())
            raise TooManyRequests("Too many failed sign-ins. Try again later.", retry_after=retry_after)


def record_login_failure(session: Session, email: str, ip: str) -> None:
    """Count a failure against both the account and the IP, and forget failures past the window."""
    repo = LoginFailureRepository(session)
    repo.record(list(_keys(email, ip)))
    repo.prune(utcnow() - timedelta(seconds=get_settings().login_window_seconds * 10))


def clear_login_failures(session: Session, email: str) -> None:
    """A successful sign-in resets the account's counter (not the IP's)."""
    LoginFailureRepository(session).clear(_keys(email, "")[0])
