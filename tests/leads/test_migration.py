"""The migrations create exactly what the leads models declare, on SQLite and PostgreSQL, and 0028 goes
down and up again."""

from __future__ import annotations

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import create_engine, inspect, select

from salesos.db.migrate import alembic_config, upgrade
from salesos.db.models import Base
from salesos.db.session import unit_of_work
from salesos.leads.models import Note
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


@both_databases
def test_note_edited_at_goes_down_and_up_again(settings, world):
    """Migration 0028 (notes.edited_at): down and up again keeps the notes, none marked edited."""
    with unit_of_work(write=False, org_id=world.alice.org_id) as session:
        before = sorted(session.scalars(select(Note.id)).all())
    assert world.ids["note_id"] in before
    command.downgrade(alembic_config(settings.migration_database_url), "0027")
    engine = create_engine(settings.migration_database_url)
    try:
        assert "edited_at" not in {c["name"] for c in inspect(engine).get_columns("notes")}
    finally:
        engine.dispose()
    upgrade()
    with unit_of_work(write=False, org_id=world.alice.org_id) as session:
        rows = session.execute(select(Note.id, Note.edited_at)).all()
    assert sorted(r.id for r in rows) == before and all(r.edited_at is None for r in rows)
