"""DDL that migrations share: what SQLite and PostgreSQL need written differently."""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op


def add_reference_column(table: str, column: str, target: str, constraint: str, ondelete: str) -> None:
    """A nullable UUID column referencing ``target.id``, added in place on both databases.

    SQLite can't add a constraint to a table without copying it, but its ADD COLUMN takes an inline
    REFERENCES clause for a column that defaults to NULL.
    """
    if op.get_bind().dialect.name == "sqlite":
        op.execute(
            f"ALTER TABLE {table} ADD COLUMN {column} CHAR(32) CONSTRAINT {constraint} "
            f"REFERENCES {target} (id) ON DELETE {ondelete}"
        )
        return
    op.add_column(table, sa.Column(column, sa.Uuid, nullable=True))
    op.create_foreign_key(constraint, table, target, [column], ["id"], ondelete=ondelete)


def drop_reference_column(table: str, column: str, constraint: str) -> None:
    """Undo ``add_reference_column`` (in place: SQLite 3.35+ drops the column and its inline clause)."""
    if op.get_bind().dialect.name == "postgresql":
        op.drop_constraint(constraint, table, type_="foreignkey")
    op.drop_column(table, column)
