"""P1: the real CSV import (dedup, validation, per-batch commits) against a raw bulk insert of the same rows.

    .venv/bin/python bench/import_bench.py [--rows 100000] [--postgres] [--seed 1]

Generates a CSV of ``--rows`` records: unique leads, 10% duplicates of earlier leads (other case and
whitespace, "+tag" emails, differently formatted phones, blanks that a merge fills) and 1% malformed
records (bad email, bad phone, no company name, too many cells). The generator knows the exact number
of unique leads and rejects; the run asserts the import found exactly those.

value: records/s of ``salesos.imports.service.runner.run_import``: the runner the ``imports.run`` job and
``salesos import`` use, in this process, on a fresh database (upload, sniffing and row counting are not
timed). ceiling: records/s of a raw bulk insert of the same records on the same database into copies of
the six tables an imported lead writes (companies, contacts, leads, lead_status_history, activities,
lead_search_terms; same columns, indexes and foreign keys, no row-level security): one transaction,
``executemany`` on SQLite, ``COPY`` on PostgreSQL, values taken from the cells as they are (search terms
split from them with one regex, lower-cased), no validation or dedup.

Ends with ``RESULT import_<sqlite|postgres> value=<rows/s> ceiling=<rows/s> ratio=<v/c> goal=0.25 ok=..``.
"""

from __future__ import annotations

import argparse
import contextlib
import csv
import os
import platform
import random
import re
import shutil
import signal
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from api_list_bench import PG_SUPERUSER_DSN, app_environment, postgres_database

GOAL = 0.25
HEADER = ["Company", "Website", "First Name", "Last Name", "Title", "Email", "Phone", "City", "Tags"]
# Area codes that are valid US numbers in phonenumbers' metadata (checked at start).
AREAS = ("212", "312", "415", "512", "617", "303", "206", "404", "713", "305")
WORDS = ("Acme", "Globex", "Initech", "Umbrella", "Stark", "Wayne", "Hooli", "Vandelay", "Soylent", "Tyrell")
FIRST = ("Ann", "Ben", "Cara", "Dev", "Eli", "Fay", "Gus", "Hana", "Ivo", "Jo")
LAST = ("Lee", "Ode", "Ray", "Kim", "Diaz", "Nash", "Berg", "Lund", "Moss", "Park")
CITIES = ("Berlin", "Austin", "Boston", "Denver", "Seattle", "Atlanta", "Houston", "Miami")


# --------------------------------------------------------------------------- the CSV


@dataclass
class Generated:
    """The file and what an exact import of it must report."""

    path: Path
    rows: int
    unique: int
    duplicates: int
    malformed: int


def _digits(i: int) -> str:
    """A distinct valid US number (10 digits) for lead *i*."""
    rest = i // len(AREAS)
    return f"{AREAS[i % len(AREAS)]}{230 + rest // 10000}{rest % 10000:04d}"


def _phone_formats(digits: str) -> list[str]:
    a, b, c = digits[:3], digits[3:6], digits[6:]
    return [f"({a}) {b}-{c}", f"{a}.{b}.{c}", f"+1 {a} {b} {c}", f"1-{a}-{b}-{c}", f"+1{digits}"]


def _unique(i: int) -> list[str]:
    """Lead *i*: a third with a company website and work email, a third with a free-mail address,
    a third with a phone only. Every key (email, phone, domain) is distinct per lead."""
    word = WORDS[i % len(WORDS)]
    first, last = FIRST[i % len(FIRST)], LAST[(i // 10) % len(LAST)]
    phone = _phone_formats(_digits(i))[i % 5]
    kind = i % 3
    if kind == 0:
        domain = f"{word.lower()}{i}.com"
        website, email = f"https://www.{domain}/", f"{first.lower()}.{last.lower()}{i}@{domain}"
    elif kind == 1:
        website, email = "", f"{first.lower()}{last.lower()}{i}@gmail.com"
    else:
        website, email = "", ""
    title = "" if i % 4 == 0 else "Head of Sales"
    return [f"{word} {i} Ltd", website, first, last, title, email, phone, CITIES[i % len(CITIES)], "csv;p1"]


def _duplicate(row: list[str], i: int, rng: random.Random) -> list[str]:
    """A record of lead *i* written differently: it must merge into that lead, never create one."""
    dup = list(row)
    dup[0] = f"  {row[0].upper()} "
    if row[5]:
        local, _, domain = row[5].partition("@")
        variant = rng.randrange(3)
        if variant == 0:
            dup[5] = f" {local.upper()}@{domain.title()} "
        elif variant == 1:
            dup[5] = f"{local}+{rng.choice(['news', 'crm', 'x1'])}@{domain.upper()}"
        else:
            dup[5] = f"{local.title()}+Promo@{domain}"
        if rng.random() < 0.5:
            dup[6] = ""  # matched by the email alone
    formats = _phone_formats(_digits(i))
    if dup[6] or not row[5]:
        dup[6] = rng.choice([f for f in formats if f != row[6]])
    dup[4] = "VP Sales"  # fills the blank title of every fourth lead
    dup[7] = f" {row[7].lower()} "
    dup[8] = "csv;dupe"
    return dup


def _malformed(n: int) -> list[str]:
    bad = n % 4
    row = _unique(10_000_000 + n)
    if bad == 0:
        row[5] = f"broken{n}.example.com"
    elif bad == 1:
        row[6] = "12"
    elif bad == 2:
        row[0] = ""
    else:
        row.append("an extra cell")
    return row


def generate(path: Path, rows: int, seed: int) -> Generated:
    """Write the CSV; unique leads first appear in order, duplicates and rejects are mixed in."""
    rng = random.Random(seed)
    duplicates, malformed = rows // 10, rows // 100
    unique = rows - duplicates - malformed
    kinds = ["u"] * unique + ["d"] * duplicates + ["m"] * malformed
    rng.shuffle(kinds)
    made = 0
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(HEADER)
        for n, kind in enumerate(kinds):
            if kind == "u" or (kind == "d" and made == 0):
                kinds[n] = "u"
                writer.writerow(_unique(made))
                made += 1
            elif kind == "d":
                j = rng.randrange(made)
                writer.writerow(_duplicate(_unique(j), j, rng))
            else:
                writer.writerow(_malformed(n))
    dups = sum(1 for k in kinds if k == "d")
    return Generated(path, rows, made, dups, malformed)


def check_phones() -> None:
    """Every area code gives numbers phonenumbers accepts, so no unique lead is rejected by accident."""
    from salesos.leads.normalize import normalize_phone

    for i in (0, 1, 99_999, 150_000):
        for text in _phone_formats(_digits(i)):
            if normalize_phone(text, "US") != f"+1{_digits(i)}":
                raise RuntimeError(f"generator phone {text!r} is not a valid US number")


# --------------------------------------------------------------------------- the project


def prepare_org() -> tuple[uuid.UUID, str]:
    """Migrate a fresh database and create the importing org and its owner."""
    from salesos.auth.models import User
    from salesos.auth.repository import UserRepository
    from salesos.auth.service import accounts
    from salesos.db.migrate import upgrade
    from salesos.db.session import unit_of_work

    upgrade()
    with unit_of_work() as session:
        user = User(email="owner@import.bench", name="Ida Import", password_hash="!")
        owner = UserRepository(session).add(user)
        org = accounts.create_organization(session, "Import Bench", owner)
        return org.id, org.slug


def run_project(org_id: uuid.UUID, data: Generated) -> tuple[float, Any]:
    """Upload (not timed), then time the import runner over the whole file; (seconds, final progress)."""
    from salesos.auth.principal import Principal
    from salesos.db.session import unit_of_work
    from salesos.imports.models import ImportStatus
    from salesos.imports.service import imports as import_service
    from salesos.imports.service import runner
    from salesos.orgs.models import Role

    with unit_of_work(org_id=org_id) as session:
        principal = Principal(org_id=org_id, role=Role.OWNER, kind="api_key")
        with data.path.open("rb") as source:
            job = import_service.create_import(session, principal, data.path.name, source)
        job.status = ImportStatus.QUEUED  # as `salesos import` does: this process is the worker
        import_id = job.id
    check_phones()  # phonenumbers loads its metadata on first use: a warm worker has it loaded
    from salesos.jobs.registry import load_job_modules
    from salesos.jobs.worker import freeze_loaded_code

    # As a worker starts: every job module imported, then what is loaded frozen out of the GC's passes.
    load_job_modules()
    freeze_loaded_code()
    started, cpu = time.perf_counter(), time.process_time()
    progress = runner.run_import(org_id, import_id)
    print(f"  import: {time.process_time() - cpu:.2f} s CPU in this process", flush=True)
    return time.perf_counter() - started, progress


def check_counts(org_id: uuid.UUID, data: Generated, progress: Any) -> int:
    """The import found exactly the generator's unique leads, merges and rejects; the lead count."""
    from sqlalchemy import func, select

    from salesos.db.session import unit_of_work
    from salesos.imports.models import ImportRejectedRow
    from salesos.leads.models import Lead

    with unit_of_work(write=False, org_id=org_id) as session:
        leads = session.scalar(select(func.count()).select_from(Lead).where(Lead.org_id == org_id))
        rejects = session.scalar(select(func.count()).select_from(ImportRejectedRow))
    got = (progress.rows_done, progress.created, progress.merged, progress.rejected, leads, rejects)
    want = (data.rows, data.unique, data.duplicates, data.malformed, data.unique, data.malformed)
    if got != want:
        raise RuntimeError(f"import counts (rows, created, merged, rejected, leads, rejects) {got} != {want}")
    return int(leads or 0)


# --------------------------------------------------------------------------- the ceiling

CEILING_TABLES = ("companies", "contacts", "leads", "lead_status_history", "activities", "lead_search_terms")
# Words as a plain loader would split them (no case or accent folding beyond lower()).
CEILING_WORD = re.compile(r"[^\W_]+")


def ceiling_tables() -> list[Any]:
    """Copies of the six tables an imported lead writes: same columns, indexes and foreign keys (those
    between the six point at the copies), without row-level security (COPY FROM can't run under it)."""
    from sqlalchemy import Column, ForeignKey, Index, MetaData, Table

    from salesos.db.base import Base

    meta = MetaData()
    copies = []

    def column(c: Any) -> Any:
        keys = []
        for fk in c.foreign_keys:
            target = fk.column.table.name
            if target in CEILING_TABLES:
                target = f"bench_{target}"
            elif target not in meta.tables:
                fk.column.table.to_metadata(meta)  # referenced, not created
            keys.append(ForeignKey(f"{target}.{fk.column.name}", ondelete=fk.ondelete))
        return Column(c.name, c.type, *keys, primary_key=c.primary_key, nullable=c.nullable)

    for name in CEILING_TABLES:
        source = Base.metadata.tables[name]
        columns = [column(c) for c in source.c]
        table = Table(f"bench_{name}", meta, *columns, **source.dialect_kwargs)
        for index in source.indexes:
            Index(f"bench_{index.name}", *(table.c[c.name] for c in index.columns), unique=index.unique)
        copies.append(table)
    return copies


# The columns the raw insert fills, per table; the tuples below follow this order.
CEILING_COLUMNS = {
    "companies": ("id", "org_id", "created_at", "updated_at", "name", "website", "city", "tags"),
    "contacts": ("id", "org_id", "created_at", "updated_at", "company_id", "first_name", "last_name",
                 "full_name", "title", "email", "email_key", "phone", "is_primary", "is_decision_maker",
                 "email_consent", "do_not_contact"),
    "leads": ("id", "org_id", "created_at", "updated_at", "company_id", "primary_contact_id",
              "pipeline_id", "stage_id", "currency", "source", "tags", "custom_fields"),
    "lead_status_history": ("id", "org_id", "created_at", "updated_at", "lead_id", "to_stage_id"),
    "activities": ("id", "org_id", "created_at", "updated_at", "lead_id", "kind", "data"),
    "lead_search_terms": ("org_id", "term", "lead_id"),
}  # fmt: skip
TERMS = list(CEILING_COLUMNS).index("lead_search_terms")  # that element of a record is a list of rows


def _ceiling_rows(path: Path, org: Any, stage: Any, pipeline: Any, ids: Any, now: Any) -> Iterator[tuple]:
    """Per record: the (company, contact, lead, history, activity) rows, cells taken as they are, and the
    list of its search-term rows."""
    with path.open(encoding="utf-8", newline="") as handle:
        reader = csv.reader(handle)
        next(reader)
        for cells in reader:
            company, website, first, last, title, email, phone, city, tags = (cells + [""] * 9)[:9]
            cid, pid, lid, hid, aid = ids(), ids(), ids(), ids(), ids()
            words = set(CEILING_WORD.findall(f"{company} {first} {last} {email}".lower()))
            words |= {f"#{tags}"} if tags else set()
            yield (
                (cid, org, now, now, company, website, city, "[]"),
                (pid, org, now, now, cid, first, last, f"{first} {last}", title, email, email, phone,
                 True, False, False, False),
                (lid, org, now, now, cid, pid, pipeline, stage, "USD", "csv import", f'["{tags}"]', "{}"),
                (hid, org, now, now, lid, stage),
                (aid, org, now, now, lid, "created", '{"stage_id": "x"}'),
                [(org, word, lid) for word in words],
            )  # fmt: skip


def run_ceiling(path: Path, org_id: uuid.UUID, postgres: bool, owner_url: str) -> float:
    """Create the table copies, time the raw bulk insert of every record, drop them; seconds."""
    from sqlalchemy import create_engine, select

    from salesos.db.base import uuid7
    from salesos.db.engine import get_engine
    from salesos.db.session import unit_of_work
    from salesos.leads.models import PipelineStage

    with unit_of_work(write=False, org_id=org_id) as session:
        stage = session.scalars(select(PipelineStage).order_by(PipelineStage.position)).first()
        assert stage is not None
        stage_id, pipeline_id = stage.id, stage.pipeline_id
    engine = create_engine(owner_url) if postgres else get_engine()
    tables = ceiling_tables()
    tables[0].metadata.create_all(engine, tables=tables)
    try:
        if postgres:
            return _copy_postgres(engine, path, org_id, stage_id, pipeline_id, uuid7)
        return _executemany_sqlite(engine, path, org_id, stage_id, pipeline_id, uuid7)
    finally:
        tables[0].metadata.drop_all(engine, tables=tables)
        if postgres:
            engine.dispose()


def _table_rows(records: list[tuple], n: int) -> list[tuple]:
    """The rows of the *n*-th table of every record."""
    if n == TERMS:
        return [term for record in records for term in record[n]]
    return [record[n] for record in records]


def _executemany_sqlite(engine: Any, path: Path, org: uuid.UUID, stage: Any, pipe: Any, uuid7: Any) -> float:
    raw = engine.raw_connection()
    try:
        started, cpu = time.perf_counter(), time.process_time()
        now = datetime.now(UTC).strftime("%Y-%m-%d %H:%M:%S.%f")
        rows = list(_ceiling_rows(path, org.hex, stage.hex, pipe.hex, lambda: uuid7().hex, now))
        cursor = raw.cursor()
        cursor.execute("BEGIN IMMEDIATE")
        for n, (name, columns) in enumerate(CEILING_COLUMNS.items()):
            marks = ", ".join("?" * len(columns))
            sql = f"INSERT INTO bench_{name} ({', '.join(columns)}) VALUES ({marks})"
            cursor.executemany(sql, _table_rows(rows, n))
        cursor.execute("COMMIT")
        print(f"  ceiling: {time.process_time() - cpu:.2f} s CPU in this process", flush=True)
        return time.perf_counter() - started
    finally:
        raw.close()


def _copy_postgres(engine: Any, path: Path, org: uuid.UUID, stage: Any, pipe: Any, uuid7: Any) -> float:
    raw = engine.raw_connection()
    try:
        started, cpu = time.perf_counter(), time.process_time()
        now = datetime.now(UTC).isoformat()
        rows = list(_ceiling_rows(path, str(org), str(stage), str(pipe), lambda: str(uuid7()), now))
        with raw.cursor() as cursor:
            for n, (name, columns) in enumerate(CEILING_COLUMNS.items()):
                with cursor.copy(f"COPY bench_{name} ({', '.join(columns)}) FROM STDIN") as copy:
                    for row in _table_rows(rows, n):
                        copy.write_row(row)
        raw.commit()
        print(f"  ceiling: {time.process_time() - cpu:.2f} s CPU in this process", flush=True)
        return time.perf_counter() - started
    finally:
        raw.close()


# --------------------------------------------------------------------------- main


def run(args: argparse.Namespace, workdir: Path, database_url: str, owner_url: str) -> None:
    """Generate, import, check, measure the ceiling, print the RESULT line."""
    label = "postgres" if args.postgres else "sqlite"
    env = app_environment(workdir / "var", database_url, owner_url)
    os.environ.update(env)  # before the first salesos import: settings are read once per process
    from salesos.logging import configure_logging

    configure_logging()
    check_phones()
    started = time.perf_counter()
    data = generate(workdir / "leads.csv", args.rows, args.seed)
    print(
        f"  generated {data.rows:,} records: {data.unique:,} unique leads, {data.duplicates:,} duplicates, "
        f"{data.malformed:,} malformed ({time.perf_counter() - started:.1f} s)",
        flush=True,
    )
    org_id, _slug = prepare_org()
    seconds, progress = run_project(org_id, data)
    leads = check_counts(org_id, data, progress)
    value = data.rows / seconds
    print(
        f"  import: {seconds:.2f} s, {value:,.0f} records/s; {progress.created:,} created, "
        f"{progress.merged:,} merged, {progress.rejected:,} rejected; {leads:,} leads in the org",
        flush=True,
    )
    ceiling_s = run_ceiling(data.path, org_id, args.postgres, owner_url)
    ceiling = data.rows / ceiling_s
    print(
        f"  ceiling: {ceiling_s:.2f} s, {ceiling:,.0f} records/s (5 rows and the search terms each)",
        flush=True,
    )
    ratio = round(value / ceiling, 3) if ceiling else 0.0
    print(
        f"RESULT import_{label} value={value:.1f} ceiling={ceiling:.1f} ratio={ratio} goal={GOAL} "
        f"ok={'true' if ratio >= GOAL else 'false'}",
        flush=True,
    )


def main(argv: list[str] | None = None) -> int:
    """Run in a temporary directory (and, with --postgres, a throw-away database) removed afterwards."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000, help="records in the CSV (default 100000)")
    parser.add_argument("--seed", type=int, default=1, help="seed of the generator")
    parser.add_argument("--postgres", action="store_true", help="PostgreSQL (owner/app roles, RLS)")
    parser.add_argument("--pg-dsn", default=PG_SUPERUSER_DSN, help="superuser DSN for --postgres")
    args = parser.parse_args(argv)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    print(
        f"import bench: {'postgresql' if args.postgres else 'sqlite'}, {args.rows:,} records, "
        f"nproc={os.cpu_count()}, python {platform.python_version()}",
        flush=True,
    )
    workdir = Path(tempfile.mkdtemp(prefix="salesos-import-bench-"))
    try:
        with contextlib.ExitStack() as stack:
            database_url = owner_url = ""
            if args.postgres:
                database_url, owner_url = stack.enter_context(postgres_database(args.pg_dsn))
            run(args, workdir, database_url, owner_url)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    return 0  # the RESULT line carries the verdict; a finished measurement exits 0


if __name__ == "__main__":
    sys.exit(main())
