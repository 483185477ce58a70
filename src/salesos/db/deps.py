"""The request boundary: one session per request, committed before the response is sent."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Annotated

from fastapi import Depends, Request

from salesos.db.session import AppSession, open_session
from salesos.errors import DomainError

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def get_db(request: Request) -> Iterator[AppSession]:
    """Open a session (BEGIN IMMEDIATE on SQLite for unsafe methods) and commit at the boundary."""
    session = open_session(write=request.method not in SAFE_METHODS)
    try:
        yield session
        session.commit()
    except DomainError as exc:
        # Some refusals are decisions worth keeping: a counted login failure, a revoked token family.
        if exc.keep_writes:
            session.commit()
        else:
            session.rollback()
        raise
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()


# scope="function": the commit happens before the response goes out, so a failed commit is a 500,
# never a 200 for a write that did not happen.
DbSession = Annotated[AppSession, Depends(get_db, scope="function")]
