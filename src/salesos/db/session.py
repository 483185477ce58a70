"""Sessions, the tenant context, and hooks that run only after a successful commit."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import structlog
from sqlalchemy import text
from sqlalchemy.orm import Session, sessionmaker

from salesos.db.engine import get_engine

log = structlog.get_logger(__name__)

TENANT_KEY = "org_id"
USER_KEY = "user_id"
ON_COMMIT_KEY = "on_commit"


# Built once: it runs at the start of every PostgreSQL transaction.
_SET_TENANT = text(
    "SELECT set_config('app.current_tenant_id', :org, true), set_config('app.current_user_id', :usr, true)"
)


def _apply_tenant(session: Session, connection: Any) -> None:
    """Set the PostgreSQL GUCs that row-level security policies read, for this transaction only."""
    if connection.dialect.name != "postgresql":
        return
    org_id = session.info.get(TENANT_KEY)
    user_id = session.info.get(USER_KEY)
    connection.execute(
        _SET_TENANT, {"org": str(org_id) if org_id else "", "usr": str(user_id) if user_id else ""}
    )


class AppSession(Session):
    """Session that carries the tenant in ``info`` and re-applies it at every transaction start."""


def _after_begin(session: Session, _transaction: Any, connection: Any) -> None:
    _apply_tenant(session, connection)


def _after_commit(session: Session) -> None:
    hooks: list[Callable[[], None]] = session.info.pop(ON_COMMIT_KEY, [])
    for hook in hooks:
        try:
            hook()
        except Exception:  # a failed notification must not turn a committed write into an error
            log.exception("after_commit_hook_failed", hook=getattr(hook, "__qualname__", repr(hook)))


def _after_rollback(session: Session) -> None:
    session.info.pop(ON_COMMIT_KEY, None)


from sqlalchemy import event  # noqa: E402 - listeners are registered right below the class

event.listen(AppSession, "after_begin", _after_begin)
event.listen(AppSession, "after_commit", _after_commit)
event.listen(AppSession, "after_soft_rollback", lambda s, _t: _after_rollback(s))


def set_tenant(session: Session, org_id: uuid.UUID | None, user_id: uuid.UUID | None = None) -> None:
    """Scope *session* to one organisation; takes effect immediately, also mid-transaction."""
    session.info[TENANT_KEY] = org_id
    if user_id is not None:
        session.info[USER_KEY] = user_id
    if session.in_transaction():
        _apply_tenant(session, session.connection())


def current_tenant(session: Session) -> uuid.UUID:
    """The organisation this session is scoped to; repositories refuse to run without one."""
    org_id = session.info.get(TENANT_KEY)
    if org_id is None:
        raise RuntimeError("tenant-scoped query on a session with no tenant set")
    return org_id


def on_commit(session: Session, hook: Callable[[], None]) -> None:
    """Run *hook* after the current transaction commits; dropped if it rolls back."""
    session.info.setdefault(ON_COMMIT_KEY, []).append(hook)


_factories: dict[bool, sessionmaker[AppSession]] = {}


def session_factory(write: bool) -> sessionmaker[AppSession]:
    """Sessions for reads, or for writes (BEGIN IMMEDIATE on SQLite)."""
    engine = get_engine()
    key = write
    factory = _factories.get(key)
    if factory is None or factory.kw["bind"].engine is not engine:
        bind = engine.execution_options(sqlite_immediate=True) if write else engine
        factory = sessionmaker(bind=bind, class_=AppSession, expire_on_commit=False, autoflush=True)
        _factories[key] = factory
    return factory


def open_session(
    *, write: bool = True, org_id: uuid.UUID | None = None, user_id: uuid.UUID | None = None
) -> AppSession:
    """A new session, optionally already scoped to a tenant."""
    session = session_factory(write)()
    session.info[TENANT_KEY] = org_id
    session.info[USER_KEY] = user_id
    return session


@contextmanager
def fresh_plans(session: Session) -> Iterator[None]:
    """Within the block, PostgreSQL plans every statement for the tables as they are now (no-op on SQLite).

    psycopg prepares a statement on the server at its fifth run, and PostgreSQL may then keep one generic
    plan for it until the table is next analysed. A bulk writer outgrows such a plan within seconds: in a
    100,000-row import, ``UPDATE leads ... WHERE id = $1`` kept the plan made when the org had a few hundred
    leads (walk the org's index, filter on id) and cost 1.9 ms a row at 40,000 leads, more as the table
    grew, because autovacuum analyses once a minute at best. Unprepared, each statement gets a custom plan
    from the table's current size; the foreign-key checks keep their own cached plans.
    """
    connection = session.connection()
    if connection.dialect.name != "postgresql":
        yield
        return
    driver = connection.connection.driver_connection
    saved = driver.prepare_threshold  # type: ignore[union-attr]
    driver.prepare_threshold = None  # type: ignore[union-attr]
    try:
        yield
    finally:
        # The connection goes back to the pool: other requests keep their prepared statements.
        driver.prepare_threshold = saved  # type: ignore[union-attr]


@contextmanager
def unit_of_work(
    *, write: bool = True, org_id: uuid.UUID | None = None, user_id: uuid.UUID | None = None
) -> Iterator[AppSession]:
    """The job/CLI boundary: commit on success, roll back on error, always close."""
    session = open_session(write=write, org_id=org_id, user_id=user_id)
    try:
        yield session
        session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()
