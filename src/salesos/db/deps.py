"""The request boundary: one session per request; a write is committed before the response is sent."""

from __future__ import annotations

import asyncio
import contextlib
import weakref
from collections.abc import AsyncIterator
from typing import Annotated, Any

import structlog
from fastapi import Depends, Request
from sqlalchemy import event
from sqlalchemy.orm import ORMExecuteState, Session
from starlette.concurrency import run_in_threadpool

from salesos.db.session import AppSession, open_session
from salesos.errors import DomainError

log = structlog.get_logger(__name__)
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
WROTE_KEY = "wrote"


@event.listens_for(AppSession, "after_flush")
def _mark_flush(session: Session, _context: Any) -> None:
    session.info[WROTE_KEY] = True


@event.listens_for(AppSession, "do_orm_execute")
def _mark_bulk_write(state: ORMExecuteState) -> None:
    if not state.is_select:
        state.session.info[WROTE_KEY] = True


def _has_writes(session: Session) -> bool:
    return bool(session.info.get(WROTE_KEY) or session.new or session.dirty or session.deleted)


# SQLite takes one writer at a time. Without a gate, a burst of writes fills the threadpool with requests
# blocked on the database lock while the lock holder waits for a free thread to commit: a deadlock
# until busy_timeout. Waiting here, in the event loop, costs no thread. One gate per event loop.
_write_gates: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, asyncio.Lock] = weakref.WeakKeyDictionary()


def _write_gate(session: Session) -> contextlib.AbstractAsyncContextManager[Any]:
    if session.get_bind().dialect.name != "sqlite":
        return contextlib.nullcontext()
    loop = asyncio.get_running_loop()
    gate = _write_gates.get(loop)
    if gate is None:
        gate = _write_gates[loop] = asyncio.Lock()
    return gate


def _release_read(session: Session) -> None:
    """End a read-only request's session without holding up its response or the event loop.

    Closing returns the connection to the pool, which resets it with a ROLLBACK. On SQLite that is a
    call into the library; on PostgreSQL it is a round trip to the server, and the event loop (every
    other request of this process) would wait for it. So there it runs in a worker thread, not awaited:
    the rows were read, nothing was written, and the response need not wait for the reset.
    """
    if not session.in_transaction() or session.get_bind().dialect.name == "sqlite":
        session.close()
        return
    released = asyncio.get_running_loop().run_in_executor(None, session.close)
    released.add_done_callback(_log_failed_release)


def _log_failed_release(released: asyncio.Future[None]) -> None:
    if not released.cancelled() and released.exception() is not None:
        log.error("read_session_release_failed", error=repr(released.exception()))


def _finish(session: Session, *, commit: bool) -> None:
    try:
        if commit:
            session.commit()
        else:
            session.rollback()
    finally:
        session.close()


async def get_db(request: Request) -> AsyncIterator[AppSession]:
    """Open a session (BEGIN IMMEDIATE on SQLite for unsafe methods) and finish it at the boundary.

    Async on purpose: every sync dependency costs a threadpool hop (a thread wake-up, ~0.2 ms here).
    Opening a session does no I/O; a request that wrote commits in the threadpool; a read-only
    request returns its connection (``_release_read``).
    """
    write = request.method not in SAFE_METHODS
    session = open_session(write=write)
    async with _write_gate(session) if write else contextlib.nullcontext():
        try:
            yield session
        except DomainError as exc:
            # Some refusals are decisions worth keeping: a counted login failure, a revoked token family.
            await run_in_threadpool(_finish, session, commit=exc.keep_writes)
            raise
        except BaseException:
            await run_in_threadpool(_finish, session, commit=False)
            raise
        if _has_writes(session):
            await run_in_threadpool(_finish, session, commit=True)
        else:
            _release_read(session)


# scope="function": the session is finished before the response goes out, so a failed commit is a
# 500, never a 200 for a write that did not happen.
DbSession = Annotated[AppSession, Depends(get_db, scope="function")]
