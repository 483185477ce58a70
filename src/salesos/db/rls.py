"""Row-level security DDL for PostgreSQL, used by migrations for every tenant-owned table."""

from __future__ import annotations

from alembic import op

# STABLE: evaluated once per statement, so the policy costs one GUC read, not one per row.
CURRENT_TENANT_FUNCTION = """
CREATE OR REPLACE FUNCTION app_current_tenant() RETURNS uuid
LANGUAGE sql STABLE AS $$
  SELECT nullif(current_setting('app.current_tenant_id', true), '')::uuid
$$;
CREATE OR REPLACE FUNCTION app_current_user() RETURNS uuid
LANGUAGE sql STABLE AS $$
  SELECT nullif(current_setting('app.current_user_id', true), '')::uuid
$$;
"""


def _is_postgres() -> bool:
    return op.get_bind().dialect.name == "postgresql"


def create_tenant_functions() -> None:
    """Define app_current_tenant()/app_current_user() (no-op on SQLite)."""
    if _is_postgres():
        op.execute(CURRENT_TENANT_FUNCTION)


def enable_tenant_rls(table: str, *, also_visible_when: str | None = None, key: str = "org_id") -> None:
    """ENABLE + FORCE RLS on *table* with a policy keyed on the current tenant.

    *also_visible_when* widens reads only (e.g. a user sees their own memberships across orgs);
    writes are always checked against the current tenant.
    """
    if not _is_postgres():
        return
    using = f"{key} = app_current_tenant()"
    if also_visible_when:
        using = f"({using}) OR ({also_visible_when})"
    op.execute(f"ALTER TABLE {table} ENABLE ROW LEVEL SECURITY")
    op.execute(f"ALTER TABLE {table} FORCE ROW LEVEL SECURITY")
    op.execute(f"DROP POLICY IF EXISTS tenant_isolation ON {table}")
    op.execute(
        f"CREATE POLICY tenant_isolation ON {table} USING ({using}) WITH CHECK ({key} = app_current_tenant())"
    )


def enable_organization_rls() -> None:
    """Organisations are visible as the current tenant or to their members.

    ENABLE without FORCE: the owner (migrations, and the SECURITY DEFINER slug lookup below) is
    exempt, the app role is not. The lookup returns only an id, for operators' CLI commands.
    """
    if not _is_postgres():
        return
    op.execute("ALTER TABLE organizations ENABLE ROW LEVEL SECURITY")
    op.execute(
        "CREATE POLICY tenant_isolation ON organizations USING (id = app_current_tenant() OR id IN "
        "(SELECT org_id FROM memberships WHERE user_id = app_current_user())) "
        "WITH CHECK (id = app_current_tenant())"
    )
    op.execute(
        """
        CREATE OR REPLACE FUNCTION app_org_id_for_slug(p_slug text) RETURNS uuid
        LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public AS $$
          SELECT id FROM organizations WHERE slug = p_slug
        $$
        """
    )
