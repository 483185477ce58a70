"""Every query of the imports domain."""

from __future__ import annotations

import uuid
from collections.abc import Collection
from typing import Any

from sqlalchemy import Dialect, Select, String, Table, insert, or_, select
from sqlalchemy.orm import Session
from sqlalchemy.types import TypeEngine

from salesos.db.base import Base
from salesos.db.repository import Repository
from salesos.db.session import current_tenant
from salesos.imports.models import ImportJob, ImportRejectedRow
from salesos.leads.models import Company, Contact, Lead


class ImportJobRepository(Repository[ImportJob]):
    model = ImportJob

    def locked(self, import_id: uuid.UUID) -> ImportJob | None:
        """The import, row-locked on PostgreSQL so two runs take turns (SQLite: the write lock)."""
        stmt = self.scoped().where(ImportJob.id == import_id).with_for_update()
        return self.session.scalars(stmt.execution_options(populate_existing=True)).first()


class RejectedRowRepository(Repository[ImportRejectedRow]):
    model = ImportRejectedRow

    def add_many(self, rows: list[dict[str, Any]]) -> None:
        """Insert a batch's rejected rows in one statement."""
        if rows:
            self.session.execute(insert(ImportRejectedRow), [{"org_id": self.org_id, **r} for r in rows])

    def for_import(
        self, import_id: uuid.UUID, *, after: int = 0, limit: int = 1000
    ) -> list[ImportRejectedRow]:
        """A page of an import's rejected rows in file order, after row number *after*."""
        stmt = (
            self.scoped()
            .where(ImportRejectedRow.import_id == import_id, ImportRejectedRow.row_number > after)
            .order_by(ImportRejectedRow.row_number)
            .limit(limit)
        )
        return list(self.session.scalars(stmt))


class LeadKeyRepository(Repository[Lead]):
    """The import's batched dedup lookups: one IN query per key kind per batch, not three per row."""

    model = Lead

    def _pairs(self, stmt: Select[str | None, uuid.UUID]) -> list[tuple[str, uuid.UUID]]:
        return [(str(key), id_) for key, id_ in self.session.execute(stmt).all()]

    def contacts_by_email_keys(self, keys: Collection[str]) -> list[tuple[str, uuid.UUID]]:
        """(email key, contact id) of this org's contacts whose address has one of *keys* (tagged or not)."""
        if not keys:
            return []
        stmt = select(Contact.email_key, Contact.id).where(Contact.org_id == self.org_id)
        return self._pairs(stmt.where(Contact.email_key.in_(keys)))

    def contacts_by_phones(self, phones: Collection[str]) -> list[tuple[str, uuid.UUID]]:
        """(phone, contact id) of this org's contacts with one of *phones* (index (org_id, phone))."""
        if not phones:
            return []
        stmt = select(Contact.phone, Contact.id).where(Contact.org_id == self.org_id)
        return self._pairs(stmt.where(Contact.phone.in_(phones)))

    def companies_by_domains(self, domains: Collection[str]) -> list[tuple[str, uuid.UUID]]:
        """(domain, company id) of this org's companies with one of *domains* (index (org_id, domain))."""
        if not domains:
            return []
        stmt = select(Company.domain, Company.id).where(Company.org_id == self.org_id)
        return self._pairs(stmt.where(Company.domain.in_(domains)))

    def leads_of(
        self, contact_ids: Collection[uuid.UUID], company_ids: Collection[uuid.UUID]
    ) -> list[tuple[uuid.UUID, uuid.UUID | None, uuid.UUID]]:
        """(lead id, primary contact id, company id) of leads whose primary contact or company is given."""
        # Served by the (org_id, primary_contact_id) and (org_id, company_id) indexes (migration 0016); the
        # import asks only about contacts and companies its own run did not create.
        if not contact_ids and not company_ids:
            return []
        stmt = select(Lead.id, Lead.primary_contact_id, Lead.company_id).where(
            Lead.org_id == self.org_id,
            or_(Lead.primary_contact_id.in_(contact_ids), Lead.company_id.in_(company_ids)),
        )
        return [
            (lead_id, contact_id, company_id)
            for lead_id, contact_id, company_id in self.session.execute(stmt).all()
        ]

    def leads(self, ids: Collection[uuid.UUID]) -> list[Lead]:
        """These leads of this org with their company and primary contact loaded."""
        if not ids:
            return []
        return list(self.session.scalars(self.scoped().where(Lead.id.in_(ids))).unique())


class LeadBulkRepository:
    """Multi-row inserts of a batch's new companies, contacts, leads, history and timeline."""

    def __init__(self, session: Session) -> None:
        self.session = session

    def insert(self, model: type[Base], rows: list[dict[str, Any]], *, skip_existing: bool = False) -> None:
        """Insert *rows* (same keys each) into *model*'s table in one statement, stamped with the tenant.

        *skip_existing*: a row whose key is already there is left out instead of failing the statement.
        """
        if not rows:
            return
        org_id = current_tenant(self.session)
        connection = self.session.connection()
        dialect = connection.dialect
        table: Table = model.__table__  # type: ignore[assignment]
        names = ["org_id", *(name for name in rows[0] if name != "org_id")]
        # The statement as SQLAlchemy would send it, compiled once; the values go through the same
        # bind processors, but per column, and once for a value every row shares (tenant, timestamps,
        # stage). Through Core's executemany the per-row parameter handling cost more than the insert.
        stmt = insert(table)
        if skip_existing:
            stmt = stmt.prefix_with("OR IGNORE", dialect="sqlite")
        compiled = stmt.compile(dialect=dialect, column_keys=names)
        columns = []
        for name in names:
            processor = table.c[name].type.dialect_impl(dialect).bind_processor(dialect)
            values = [org_id] * len(rows) if name == "org_id" else [row[name] for row in rows]
            if processor is not None:
                first = values[0]
                if all(v is first for v in values):
                    values = [processor(first)] * len(values)
                else:
                    values = [processor(v) for v in values]
            columns.append(values)
        by_name = dict(zip(names, columns, strict=True))
        if dialect.name != "postgresql":
            records = list(zip(*(by_name[name] for name in compiled.positiontup or ()), strict=True))
            connection.exec_driver_sql(str(compiled), records)
            return
        # One statement with an array per column: row-level security rules COPY out, an executemany of a
        # one-row INSERT was slower, and a 500-row VALUES list costs psycopg a parse of a huge query
        # string every time. The arrays go in binary (`%b`): with `%s` psycopg sends lists in the text
        # format, quoting and escaping element by element in Python, a third of a 100,000-row import's CPU.
        # Same connection, so the same transaction.
        arrays = ", ".join(f"%b::{_array_element_type(table.c[name].type, dialect)}[]" for name in names)
        sql = f"INSERT INTO {table.name} ({', '.join(names)}) SELECT * FROM unnest({arrays})"
        if skip_existing:
            sql += " ON CONFLICT DO NOTHING"
        driver = connection.connection.driver_connection
        with driver.cursor() as cursor:  # type: ignore[union-attr]
            cursor.execute(sql, tuple(columns))


def _array_element_type(column_type: TypeEngine[Any], dialect: Dialect) -> str:
    """The SQL type of a column's values in an unnest() array parameter.

    Strings go as text: the column's own length check and collation apply on insert, while a cast to
    VARCHAR(n) would cut a long value silently and an array type can't carry a COLLATE clause.
    """
    impl = column_type.dialect_impl(dialect)
    return "TEXT" if isinstance(impl, String) else impl.compile(dialect=dialect)
