"""Migration 0004 creates exactly what the leads models declare, on SQLite and PostgreSQL."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import create_engine

from salesos.db.models import Base
from tests.conftest import both_databases

LEAD_TABLES = {
    "lead_search_terms",
    "saved_views",
    "merge_suggestions",
    "pipelines",
    "pipeline_stages",
    "companies",
    "contacts",
    "leads",
    "lead_status_history",
    "notes",
    "tasks",
    "activities",
}


def _touches_lead_tables(diff: object) -> bool:
    text = repr(diff)  # diffs are nested tuples of schema objects; their reprs name the table
    return any(f"'{t}'" in text or f"<{t}>" in text for t in LEAD_TABLES)


@both_databases
def test_migrated_schema_matches_the_models(settings):
    engine = create_engine(settings.migration_database_url)
    with engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": True})
        diffs = compare_metadata(context, Base.metadata)
    engine.dispose()
    assert [d for d in diffs if _touches_lead_tables(d)] == []
