"""P2: the board page and the lead list API against the raw SQL they run, on a big tenant beside a bigger one.

    .venv/bin/python bench/board_bench.py              # SQLite: 10,000 leads beside 100,000 noise leads
    .venv/bin/python bench/board_bench.py --postgres   # PostgreSQL (RLS on): 100,000 beside 1,000,000

Org A gets ``--leads`` leads (each with its company and primary contact, spread over the default
pipeline's stages, owners, tags, values and currencies); a noise org gets ``--noise`` leads interleaved
with them in time (UUIDv7 ids), so every tenant filter and index does real work. Rows are bulk loaded
(COPY as the superuser on PostgreSQL, ``executemany`` on SQLite), not through the ORM.

For each endpoint (the board page ``GET /leads`` as a signed-in browser, ``GET /api/v1/leads?limit=50``
and two filtered variants with a bearer token):

1. **Capture.** The endpoint is called once in process (same app, same database) with a
   ``before_cursor_execute`` listener recording every statement and its parameters, including the
   tenant ``set_config`` that row-level security reads (SQLite's ``BEGIN`` goes to the driver
   uncaptured; the replay sends it itself).
2. **Measure.** Rounds alternate one real HTTP request to a uvicorn server on 127.0.0.1 (keep-alive,
   one connection, sequential) and one replay of the captured statements on a raw DBAPI connection
   (``sqlite3`` / ``psycopg`` as the app role, so RLS applies), each statement fully fetched, the
   transaction then rolled back. Alternating rounds expose both sides to the same noise on a shared box.

One ``RESULT`` line per endpoint: ``value`` = 1000 / request p95 ms, ``ceiling`` = 1000 / raw SQL p95 ms
(sequential "requests per second" at the 95th percentile), so ``ratio`` = raw p95 / request p95 and
``goal=0.5`` means "the request's p95 is at most twice its SQL's p95".
"""

from __future__ import annotations

import argparse
import contextlib
import http.client
import json
import os
import platform
import signal
import sqlite3
import statistics
import sys
import tempfile
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from api_list_bench import PG_SUPERUSER_DSN, app_environment, postgres_database
from board_data import generate, load_rows, seed_accounts
from harness import serve

GOAL = 0.5
# --------------------------------------------------------------------------- capture and replay


@dataclass
class Endpoint:
    label: str
    path: str
    headers: dict[str, str]
    check: Callable[[bytes], None]
    statements: list[tuple[str, Any]] = field(default_factory=list)


def capture(endpoints: list[Endpoint]) -> None:
    """Call each endpoint in process once (warm) and record the statements and parameters it executes."""
    from fastapi.testclient import TestClient
    from sqlalchemy import event
    from sqlalchemy.engine import Engine

    from salesos.main import create_app

    recorded: list[tuple[str, Any]] = []

    def record(_conn: Any, _cursor: Any, statement: str, parameters: Any, _ctx: Any, many: bool) -> None:
        if many:
            raise RuntimeError(f"executemany in a GET: {statement[:200]}")
        recorded.append((statement, parameters))

    with TestClient(create_app(), base_url="http://127.0.0.1") as client:
        for endpoint in endpoints:
            for _ in range(3):  # warm caches (compiled statements, pipelines) before recording
                response = client.get(endpoint.path, headers=endpoint.headers)
                if response.status_code != 200:
                    raise RuntimeError(
                        f"{endpoint.path} answered {response.status_code}: {response.text[:500]}"
                    )
            event.listen(Engine, "before_cursor_execute", record)
            try:
                recorded.clear()
                client.get(endpoint.path, headers=endpoint.headers)
                endpoint.statements = list(recorded)
            finally:
                event.remove(Engine, "before_cursor_execute", record)


class RawReplayer:
    """The captured statements on one raw DBAPI connection, as the app's pool would hold it."""

    def __init__(self, sqlite_path: Path | None, app_url: str) -> None:
        self.postgres = sqlite_path is None
        self.conn: Any
        if sqlite_path is None:
            import psycopg

            url = urlsplit(app_url.replace("postgresql+psycopg", "postgresql"))
            self.conn = psycopg.connect(
                host=url.hostname, port=url.port, user=url.username, dbname=url.path.lstrip("/")
            )
        else:
            # The app's connection settings (db/engine.py): autocommit mode, and every transaction opened
            # with a BEGIN sent straight to the driver (so not captured: run() sends it).
            self.conn = sqlite3.connect(sqlite_path, isolation_level=None, check_same_thread=False)
            for pragma in ("journal_mode=WAL", "busy_timeout=10000", "foreign_keys=ON", "synchronous=NORMAL"):
                self.conn.execute(f"PRAGMA {pragma}")

    def run(self, statements: list[tuple[str, Any]]) -> None:
        """Execute and fully fetch every statement, then end the transaction as a read does."""
        cur = self.conn.cursor()
        if not self.postgres:
            cur.execute("BEGIN")
        for statement, parameters in statements:
            cur.execute(statement, parameters)
            if cur.description is not None:
                cur.fetchall()
        if self.postgres:
            self.conn.rollback()
        elif self.conn.in_transaction:
            self.conn.execute("ROLLBACK")
        cur.close()

    def close(self) -> None:
        self.conn.close()


def explain(
    sqlite_path: Path | None, pg_superuser_db_dsn: str | None, org_id: uuid.UUID, ep: Endpoint
) -> str:
    """The plan of each SELECT the endpoint runs (EXPLAIN ANALYZE on PostgreSQL, as the app role's tenant)."""
    out = []
    if sqlite_path is not None:
        db = sqlite3.connect(sqlite_path)
        for statement, parameters in ep.statements:
            if statement.lstrip().upper().startswith("SELECT") and " leads" in statement:
                plan = db.execute("EXPLAIN QUERY PLAN " + statement, parameters).fetchall()
                out.append(statement[:160].replace("\n", " ") + " ...")
                out += [f"    {row[-1]}" for row in plan]
        db.close()
        return "\n".join(out)
    import psycopg

    assert pg_superuser_db_dsn is not None
    with psycopg.connect(pg_superuser_db_dsn) as conn:
        conn.execute("SET ROLE salesos_app")  # subject to RLS, like the app
        conn.execute("SELECT set_config('app.current_tenant_id', %s, false)", (str(org_id),))
        for statement, parameters in ep.statements:
            if statement.lstrip().upper().startswith("SELECT") and " leads" in statement:
                rows = conn.execute("EXPLAIN (ANALYZE, BUFFERS) " + statement, parameters).fetchall()
                out.append(statement[:160].replace("\n", " ") + " ...")
                out += [f"    {row[0]}" for row in rows]
        conn.rollback()
    return "\n".join(out)


# --------------------------------------------------------------------------- measurement


def p95(samples: list[float]) -> float:
    """95th percentile (nearest rank) in the samples' unit."""
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, max(0, round(0.95 * len(ordered)) - 1))]


def measure(
    base: str, ep: Endpoint, replayer: RawReplayer, rounds: int, warmup: int, budget_s: float
) -> tuple[list[float], list[float]]:
    """Alternate one HTTP request and one raw replay; (request ms, raw ms) per round.

    Stops early (after at least 20 measured rounds) when the endpoint has used *budget_s* seconds:
    a query that takes seconds would otherwise hold the run for many minutes.
    """
    url = urlsplit(base)
    deadline = time.monotonic() + budget_s
    conn = http.client.HTTPConnection(url.hostname or "127.0.0.1", url.port, timeout=60)
    app_ms: list[float] = []
    raw_ms: list[float] = []
    try:
        for i in range(warmup + rounds):
            started = time.perf_counter()
            conn.request("GET", ep.path, headers=ep.headers)
            response = conn.getresponse()
            body = response.read()
            elapsed = (time.perf_counter() - started) * 1000
            if response.status != 200:
                raise RuntimeError(f"GET {ep.path} answered {response.status}: {body[:300]!r}")
            if i == 0:
                ep.check(body)
            started = time.perf_counter()
            replayer.run(ep.statements)
            raw = (time.perf_counter() - started) * 1000
            if i >= warmup:
                app_ms.append(elapsed)
                raw_ms.append(raw)
            if len(app_ms) >= 20 and time.monotonic() > deadline:
                break
    finally:
        conn.close()
    return app_ms, raw_ms


def check_board(body: bytes) -> None:
    text = body.decode()
    if text.count('class="lead-card"') < 25 * 4 or "Noise " in text:
        raise RuntimeError("the board page is not org A's full board")


def check_list(expect_items: int) -> Callable[[bytes], None]:
    def check(body: bytes) -> None:
        page = json.loads(body)
        names = [item["company_name"] for item in page["items"]]
        if len(names) < expect_items or any(not n.startswith("Alpha ") for n in names):
            raise RuntimeError(f"unexpected list page: {body[:300]!r}")

    return check


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--postgres", action="store_true", help="PostgreSQL (owner/app roles, RLS)")
    parser.add_argument("--pg-dsn", default=PG_SUPERUSER_DSN, help="superuser DSN for --postgres")
    parser.add_argument("--leads", type=int, help="org A's leads (default 10,000; 100,000 with --postgres)")
    parser.add_argument(
        "--noise", type=int, help="noise org's leads (default 100,000; 1,000,000 with --postgres)"
    )
    parser.add_argument("--rounds", type=int, default=200, help="measured rounds per endpoint (default 200)")
    parser.add_argument("--warmup", type=int, default=20, help="warm-up rounds per endpoint (default 20)")
    parser.add_argument("--budget", type=float, default=90, help="seconds per endpoint at most (default 90)")
    parser.add_argument("--explain", action="store_true", help="print the query plans of the lead statements")
    args = parser.parse_args(argv)
    args.leads = args.leads or (100_000 if args.postgres else 10_000)
    args.noise = args.noise if args.noise is not None else (1_000_000 if args.postgres else 100_000)
    return args


def run(
    args: argparse.Namespace, workdir: Path, app_url: str, migration_url: str, pg_db_dsn: str | None
) -> None:
    """Seed, capture, measure, print the table and one RESULT line per endpoint."""
    env_vars = app_environment(workdir / "var", app_url, migration_url)
    os.environ.update(env_vars)  # before the first salesos import: settings are read once per process
    from salesos.config import get_settings
    from salesos.db.engine import reset_engines
    from salesos.db.migrate import upgrade

    started = time.perf_counter()
    upgrade("heads")  # every branch, should two engineers' migrations briefly share a parent
    seeded = seed_accounts()
    reset_engines()
    sqlite_path = None if args.postgres else Path(get_settings().database_url.removeprefix("sqlite:///"))
    start = datetime.now(UTC) - timedelta(days=366)
    counts = load_rows(
        lambda: generate(seeded.a, seeded.noise, args.leads, args.noise, start), sqlite_path, pg_db_dsn
    )
    print(f"  setup: {counts} ({time.perf_counter() - started:.1f} s)", flush=True)

    browser = {"Cookie": f"{get_settings().session_cookie}={seeded.cookie}", "Accept": "text/html"}
    bearer = {"Authorization": f"Bearer {seeded.token}"}
    db = "postgres" if args.postgres else "sqlite"
    rare = f"person{args.leads // 2}"  # one lead of org A has this contact
    endpoints = [
        Endpoint(f"board_page_{db}", "/leads", browser, check_board),
        Endpoint(f"list_api_{db}", "/api/v1/leads?limit=50", bearer, check_list(50)),
        Endpoint(f"list_api_q_{db}", "/api/v1/leads?limit=50&q=globex", bearer, check_list(50)),
        Endpoint(f"list_api_tag_{db}", "/api/v1/leads?limit=50&tag=vip", bearer, check_list(50)),
        # One lead's contact: a search that an unindexed scan would have to read the whole org for.
        Endpoint(f"list_api_q_rare_{db}", f"/api/v1/leads?limit=50&q={rare}", bearer, check_list(1)),
    ]
    capture(endpoints)
    reset_engines()
    for ep in endpoints:
        print(f"  {ep.label}: GET {ep.path} runs {len(ep.statements)} statements", flush=True)
    if args.explain:
        for ep in endpoints:
            for statement, _ in ep.statements:
                print(f"    {' '.join(statement.split())[:150]}")
        for ep in endpoints:
            print(f"\n--- {ep.label}\n{explain(sqlite_path, pg_db_dsn, seeded.a.id, ep)}\n", flush=True)

    env = {**os.environ, **env_vars}
    results = []
    replayer = RawReplayer(sqlite_path, app_url)
    try:
        with serve(
            "salesos", ["salesos.main:create_app", "--factory"], env, workdir, "/healthz", None
        ) as server:
            for ep in endpoints:
                app_ms, raw_ms = measure(server.base, ep, replayer, args.rounds, args.warmup, args.budget)
                results.append((ep, app_ms, raw_ms))
                print(
                    f"  {ep.label}: {len(app_ms)} rounds, request p95 {p95(app_ms):.2f} ms, "
                    f"raw p95 {p95(raw_ms):.2f} ms",
                    flush=True,
                )
    finally:
        replayer.close()

    print()
    print(
        f"  {'endpoint':<46} {'stmts':>5} {'req p50':>8} {'req p95':>8} {'raw p50':>8} {'raw p95':>8}  (ms)"
    )
    for ep, app_ms, raw_ms in results:
        print(
            f"  {ep.path:<46} {len(ep.statements):>5} {statistics.median(app_ms):>8.2f} {p95(app_ms):>8.2f}"
            f" {statistics.median(raw_ms):>8.2f} {p95(raw_ms):>8.2f}"
        )
    for ep, app_ms, raw_ms in results:
        value, ceiling = 1000 / p95(app_ms), 1000 / p95(raw_ms)
        ratio = round(value / ceiling, 3)
        print(
            f"RESULT {ep.label} value={value:.1f} ceiling={ceiling:.1f} ratio={ratio} goal={GOAL} "
            f"ok={'true' if ratio >= GOAL else 'false'}",
            flush=True,
        )


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark in a temporary directory (and database) removed afterwards."""
    args = parse_args(argv)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    print(
        f"board bench: {'postgresql' if args.postgres else 'sqlite'}, {args.leads} leads beside {args.noise} "
        f"noise leads, {args.rounds} rounds, nproc={os.cpu_count()}, python {platform.python_version()}",
        flush=True,
    )
    workdir = Path(tempfile.mkdtemp(prefix="salesos-board-bench-"))
    try:
        with contextlib.ExitStack() as stack:
            app_url = migration_url = ""
            pg_db_dsn = None
            if args.postgres:
                import psycopg

                app_url, migration_url = stack.enter_context(postgres_database(args.pg_dsn))
                pg_db_dsn = psycopg.conninfo.make_conninfo(
                    args.pg_dsn, dbname=urlsplit(app_url).path.lstrip("/")
                )
            run(args, workdir, app_url, migration_url, pg_db_dsn)
    finally:
        import shutil

        shutil.rmtree(workdir, ignore_errors=True)
    return 0  # the RESULT lines carry the verdict; a finished measurement exits 0


if __name__ == "__main__":
    sys.exit(main())
