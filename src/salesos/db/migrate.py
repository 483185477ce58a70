"""Apply Alembic migrations as the owner, then grant the app role what it needs (and no more)."""

from __future__ import annotations

from functools import lru_cache
from typing import Literal

from alembic import command
from alembic.config import Config
from sqlalchemy import text
from sqlalchemy.engine.url import make_url

from salesos.config import PROJECT_ROOT, get_settings
from salesos.db.engine import make_engine


def alembic_config(url: str) -> Config:
    """Alembic config pointing at the project's migrations and *url*."""
    cfg = Config(str(PROJECT_ROOT / "alembic.ini"))
    cfg.set_main_option("script_location", str(PROJECT_ROOT / "migrations"))
    cfg.attributes["database_url"] = url
    return cfg


def upgrade(revision: str = "head") -> None:
    """Migrate the configured database to *revision*."""
    settings = get_settings()
    owner_url = settings.migration_database_url
    command.upgrade(alembic_config(owner_url), revision)
    if owner_url != settings.database_url and not settings.is_sqlite:
        grant_app_role(owner_url, make_url(settings.database_url).username or "")


def grant_app_role(owner_url: str, app_role: str) -> None:
    """DML on every table for the app role; it never owns tables, so FORCE RLS binds it."""
    if not app_role.replace("_", "").isalnum():
        raise ValueError(f"unexpected role name {app_role!r}")
    engine = make_engine(owner_url, pool_size=1)
    with engine.begin() as conn:
        conn.execute(text(f"GRANT USAGE ON SCHEMA public TO {app_role}"))
        conn.execute(
            text(f"GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO {app_role}")
        )
        conn.execute(text(f"GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO {app_role}"))
        # Read-only: /readyz and `salesos check` compare the schema's revision with the code's.
        conn.execute(text(f"REVOKE ALL ON alembic_version FROM {app_role}"))
        conn.execute(text(f"GRANT SELECT ON alembic_version TO {app_role}"))
    engine.dispose()


def current_revision(url: str | None = None) -> str | None:
    """The revision the database is at (None if never migrated), read as the app role by default."""
    from alembic.runtime.migration import MigrationContext

    engine = make_engine(url or get_settings().database_url, pool_size=1)
    try:
        with engine.connect() as conn:
            return MigrationContext.configure(conn).get_current_revision()
    finally:
        engine.dispose()


@lru_cache
def head_revisions() -> tuple[str, ...]:
    """The head revision(s) of the migrations shipped with this code (read once per process)."""
    from alembic.script import ScriptDirectory

    script = ScriptDirectory.from_config(alembic_config(""))
    return tuple(script.get_heads())


SchemaState = Literal["current", "behind", "not migrated", "ahead"]


def schema_state(revision: str | None) -> SchemaState:
    """How the database at *revision* compares with this code's migrations.

    "ahead" is a revision this code does not know: a newer release migrated the database (a rolling
    upgrade), which the old code can usually still serve.
    """
    from alembic.script import ScriptDirectory
    from alembic.util.exc import CommandError

    if revision is None:
        return "not migrated"
    if revision in head_revisions():
        return "current"
    try:
        ScriptDirectory.from_config(alembic_config("")).get_revision(revision)
    except CommandError:
        return "ahead"
    return "behind"
