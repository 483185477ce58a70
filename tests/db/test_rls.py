"""Row-level security on PostgreSQL: the database itself refuses cross-tenant reads and writes."""

from __future__ import annotations

import uuid

import psycopg
import pytest
from sqlalchemy import inspect, text
from sqlalchemy.engine.url import make_url

from salesos.db.base import Base
from salesos.db.engine import get_engine
from tests.support.databases import APP_ROLE

pytestmark = pytest.mark.parametrize("db_kind", ["postgres"], indirect=True)


def _tenant_tables() -> list[str]:
    return sorted(t.name for t in Base.metadata.tables.values() if "org_id" in t.columns)


def _app_dsn(settings) -> str:  # type: ignore[no-untyped-def]
    url = make_url(settings.database_url)
    return f"host={url.host} port={url.port} user={url.username} dbname={url.database}"


def test_app_role_is_not_privileged(settings):
    with get_engine().connect() as conn:
        row = conn.execute(
            text("SELECT rolsuper, rolbypassrls FROM pg_roles WHERE rolname = current_user")
        ).one()
        assert conn.execute(text("SELECT current_user")).scalar() == APP_ROLE
        owners = conn.execute(
            text("SELECT DISTINCT tableowner FROM pg_tables WHERE schemaname='public'")
        ).scalars()
        assert APP_ROLE not in set(owners)
    assert row == (False, False)


def test_every_tenant_table_has_forced_rls(settings):
    tables = _tenant_tables()
    assert len(tables) >= 5
    with get_engine().connect() as conn:
        live = {
            name
            for name in inspect(conn).get_table_names()
            if "org_id" in {c["name"] for c in inspect(conn).get_columns(name)}
        }
        rows = conn.execute(
            text("SELECT relname, relrowsecurity, relforcerowsecurity FROM pg_class WHERE relname = ANY(:t)"),
            {"t": sorted(live)},
        ).all()
    assert live == set(tables), "every table with org_id in the database is a tenant model"
    assert {r.relname for r in rows} == live
    for name, enabled, forced in rows:
        assert enabled and forced, f"{name} must ENABLE and FORCE row level security"


def test_no_tenant_set_sees_nothing(settings, world):
    with psycopg.connect(_app_dsn(settings)) as conn:
        for table in _tenant_tables():
            assert conn.execute(f"SELECT count(*) FROM {table}").fetchone() == (0,), table
        assert conn.execute("SELECT count(*) FROM organizations").fetchone() == (0,)


def test_tenant_set_sees_only_its_rows(settings, world):
    with psycopg.connect(_app_dsn(settings)) as conn:
        conn.execute("SELECT set_config('app.current_tenant_id', %s, false)", (str(world.carol.org_id),))
        orgs = conn.execute("SELECT DISTINCT org_id FROM memberships").fetchall()
        assert orgs == [(world.carol.org_id,)]


def test_cross_tenant_insert_is_refused(settings, world):
    with psycopg.connect(_app_dsn(settings)) as conn:
        conn.execute("SELECT set_config('app.current_tenant_id', %s, false)", (str(world.carol.org_id),))
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            conn.execute(
                "INSERT INTO memberships (id, org_id, user_id, role, created_at, updated_at) "
                "VALUES (%s, %s, %s, 'owner', now(), now())",
                (uuid.uuid4(), world.alice.org_id, world.carol.user_id),
            )


def test_cross_tenant_update_touches_nothing(settings, world):
    with psycopg.connect(_app_dsn(settings)) as conn:
        conn.execute("SELECT set_config('app.current_tenant_id', %s, false)", (str(world.carol.org_id),))
        cur = conn.execute("UPDATE memberships SET role = 'viewer' WHERE org_id = %s", (world.alice.org_id,))
        assert cur.rowcount == 0
