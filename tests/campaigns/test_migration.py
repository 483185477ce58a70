"""Migration 0025 (campaigns.retry_at) matches the model, and goes down and up again on both databases,
a failed campaign becoming a paused one (with its error) on the way down."""

from __future__ import annotations

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import create_engine, inspect, select

from salesos.campaigns.models import Campaign
from salesos.db.migrate import alembic_config, upgrade
from salesos.db.models import Base
from salesos.db.session import unit_of_work
from tests.campaigns.test_views import make_campaign
from tests.conftest import both_databases

TABLES = {"campaigns", "prospects", "prospect_sources"}


def _touches(diff: object) -> bool:
    text = repr(diff)  # diffs are nested tuples of schema objects; their reprs name the table
    return any(f"'{t}'" in text or f"<{t}>" in text for t in TABLES)


@both_databases
def test_migrated_schema_matches_the_models(settings):
    engine = create_engine(settings.migration_database_url)
    with engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": True})
        diffs = compare_metadata(context, Base.metadata)
    engine.dispose()
    assert [d for d in diffs if _touches(d)] == []


@both_databases
def test_down_and_up_again(settings, world):
    campaign_id = make_campaign(world.alice)
    with unit_of_work(org_id=world.alice.org_id) as session:
        failed = session.get(Campaign, campaign_id)
        assert failed is not None
        failed.status, failed.error = "failed", "OpenStreetMap: down"
    command.downgrade(alembic_config(settings.migration_database_url), "0024")
    engine = create_engine(settings.migration_database_url)
    try:
        assert "retry_at" not in {c["name"] for c in inspect(engine).get_columns("campaigns")}
    finally:
        engine.dispose()
    upgrade()
    with unit_of_work(write=False, org_id=world.alice.org_id) as session:
        columns = select(Campaign.status, Campaign.error, Campaign.retry_at)
        row = session.execute(columns.where(Campaign.id == campaign_id)).one()
    assert tuple(row) == ("paused", "OpenStreetMap: down", None)
