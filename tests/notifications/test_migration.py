"""Migration 0011 creates exactly what the notification models declare, on SQLite and PostgreSQL."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import create_engine, text

from salesos.db.models import Base
from tests.conftest import both_databases

TABLES = {"notifications", "notification_preferences"}


def _touches(diff: object) -> bool:
    text_ = repr(diff)  # diffs are nested tuples of schema objects; their reprs name the table
    return any(f"'{t}'" in text_ or f"<{t}>" in text_ for t in TABLES)


@both_databases
def test_migrated_schema_matches_the_models(settings):
    engine = create_engine(settings.migration_database_url)
    with engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": True})
        diffs = compare_metadata(context, Base.metadata)
        if conn.dialect.name == "postgresql":
            forced = conn.execute(
                text("SELECT relname FROM pg_class WHERE relforcerowsecurity AND relname = ANY(:t)"),
                {"t": list(TABLES)},
            ).scalars()
            assert set(forced) == TABLES, "both tables have FORCE ROW LEVEL SECURITY"
    engine.dispose()
    assert [d for d in diffs if _touches(d)] == []
