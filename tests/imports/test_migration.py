"""Migrations 0026 (import_jobs.default_owner_id) and 0029 (stage_values, pipeline_id) match the model,
and go down and up again on both databases without touching the imports already there."""

from __future__ import annotations

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import create_engine, inspect, select, text

from salesos.db.migrate import alembic_config, upgrade
from salesos.db.models import Base
from salesos.db.session import unit_of_work
from salesos.imports.models import ImportJob
from tests.conftest import both_databases


def _diffs(url: str) -> list[object]:
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            context = MigrationContext.configure(conn, opts={"compare_type": True})
            return [d for d in compare_metadata(context, Base.metadata) if "import_jobs" in repr(d)]
    finally:
        engine.dispose()


@both_databases
def test_migrated_schema_matches_the_model(settings):
    url = settings.migration_database_url
    if not url.startswith("sqlite"):
        assert _diffs(url) == []
        return
    # SQLite adds the column with an inline REFERENCES clause (no table copy), whose ON DELETE its
    # reflection doesn't read back: the constraint itself is checked through the pragma instead.
    inline = ("default_owner_id", "pipeline_id")
    assert [repr(d) for d in _diffs(url) if not any(column in repr(d) for column in inline)] == []
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            keys = conn.execute(text("PRAGMA foreign_key_list(import_jobs)")).mappings().all()
    finally:
        engine.dispose()
    [owner] = [k for k in keys if k["from"] == "default_owner_id"]
    assert (owner["table"], owner["to"], owner["on_delete"]) == ("users", "id", "SET NULL")
    [pipeline] = [k for k in keys if k["from"] == "pipeline_id"]
    assert (pipeline["table"], pipeline["to"], pipeline["on_delete"]) == ("pipelines", "id", "SET NULL")


@both_databases
def test_down_and_up_again(settings, world):
    with unit_of_work(write=False, org_id=world.alice.org_id) as session:
        before = session.scalars(select(ImportJob.id)).all()
    command.downgrade(alembic_config(settings.migration_database_url), "0025")
    engine = create_engine(settings.migration_database_url)
    try:
        columns = {c["name"] for c in inspect(engine).get_columns("import_jobs")}
        assert not {"default_owner_id", "stage_values", "pipeline_id"} & columns
    finally:
        engine.dispose()
    upgrade()
    with unit_of_work(write=False, org_id=world.alice.org_id) as session:
        rows = session.execute(
            select(ImportJob.id, ImportJob.default_owner_id, ImportJob.stage_values, ImportJob.pipeline_id)
        ).all()
    assert world.ids["import_id"] in before  # the world's import survived the round trip
    assert sorted(r.id for r in rows) == sorted(before) and all(r.default_owner_id is None for r in rows)
    assert all(r.stage_values == {} and r.pipeline_id is None for r in rows)  # as imports were before
