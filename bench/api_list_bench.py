"""P5: a tenant-scoped JSON list endpoint against a hello-world FastAPI endpoint, same box, same load.

    .venv/bin/python bench/api_list_bench.py [--seconds 10] [--connections 16] [--postgres]

Measures ``GET /api/v1/members?limit=50`` (bearer JWT, keyset pagination, org A's 50-item first page
out of a memberships table where a noise org holds 40x more rows) served by the real app
(``uvicorn salesos.main:create_app --factory``), then the ceiling: ``GET /hello`` of
``bench/hello_app.py`` served by uvicorn with the same flags. One server at a time; each is warmed up,
then loaded for a fixed time by the same generator (``wrk`` when installed, else ``bench/loadgen.py``
in its own process) with the same headers and connection count. On a machine with 2+ CPUs the server
is pinned to one CPU and the generator to another, so each side owns one core (``--no-pin`` to disable).

Ends with ``RESULT api_list value=<rps> ceiling=<rps> ratio=<value/ceiling> goal=0.3 ok=<true|false>``.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import platform
import secrets
import shutil
import signal
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from harness import (
    BENCH_DIR,
    LoadResult,
    Server,
    generate_load,
    http_get,
    print_table,
    process_cpu_seconds,
    serve,
)

GOAL = 0.3
PAGE_SIZE = 50
LIST_PATH = f"/api/v1/members?limit={PAGE_SIZE}"
HELLO_PATH = "/hello"
PG_SUPERUSER_DSN = "host=127.0.0.1 port=5432 user=postgres dbname=postgres"
PG_OWNER_ROLE, PG_APP_ROLE = "salesos_owner", "salesos_app"


# --------------------------------------------------------------------------- database and data


@contextlib.contextmanager
def postgres_database(superuser_dsn: str) -> Iterator[tuple[str, str]]:
    """A throw-away database owned by the owner role; yields (app_url, owner_url), dropped afterwards."""
    import psycopg

    params = psycopg.conninfo.conninfo_to_dict(superuser_dsn)
    host, port = params.get("host", "127.0.0.1"), params.get("port", 5432)
    name = f"salesos_bench_{os.getpid()}_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(superuser_dsn, autocommit=True) as conn:
        for role in (PG_OWNER_ROLE, PG_APP_ROLE):
            if not conn.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", (role,)).fetchone():
                conn.execute(f"CREATE ROLE {role} LOGIN NOSUPERUSER NOBYPASSRLS NOCREATEDB NOCREATEROLE")
        conn.execute(f"CREATE DATABASE {name} OWNER {PG_OWNER_ROLE}")
        conn.execute(f"REVOKE ALL ON DATABASE {name} FROM PUBLIC")
        conn.execute(f"GRANT CONNECT ON DATABASE {name} TO {PG_APP_ROLE}")
    db_dsn = psycopg.conninfo.make_conninfo(superuser_dsn, dbname=name)
    with psycopg.connect(db_dsn, autocommit=True) as conn:
        conn.execute(f"ALTER SCHEMA public OWNER TO {PG_OWNER_ROLE}")
    base = f"postgresql+psycopg://{{role}}@{host}:{port}/{name}"
    try:
        yield base.format(role=PG_APP_ROLE), base.format(role=PG_OWNER_ROLE)
    finally:
        with psycopg.connect(superuser_dsn, autocommit=True) as conn:
            conn.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


def app_environment(var_dir: Path, database_url: str, migration_url: str) -> dict[str, str]:
    """SALESOS_* settings shared by the seeding (this process) and the server subprocess."""
    env = {
        "SALESOS_ENV": "production",  # production-strength settings; needs a real secret, below
        "SALESOS_SECRET_KEY": secrets.token_urlsafe(48),
        "SALESOS_VAR_DIR": str(var_dir),
        "SALESOS_RUN_WORKER_IN_PROCESS": "false",
        "SALESOS_LOG_LEVEL": "WARNING",
        "SALESOS_ACCESS_TOKEN_MINUTES": "60",  # outlives any run, so no 401s mid-measurement
    }
    if database_url:
        env["SALESOS_DATABASE_URL"] = database_url
        env["SALESOS_MIGRATION_DATABASE_URL"] = migration_url
    return env


def seed(members: int, noise: int) -> str:
    """Org A with *members* members and a noise org with *noise*, interleaved in time; A's owner token.

    Every user shares one precomputed argon2 hash: hashing thousands of passwords would dominate
    the setup and measure nothing. A's rows are spread through the noise rows (one A member per
    ``noise/members`` noise members), as in a real shared table, so the tenant filter is real work.
    """
    from salesos.auth.models import User
    from salesos.auth.repository import UserRepository
    from salesos.auth.security import hash_password
    from salesos.auth.service import accounts, credentials
    from salesos.db.session import set_tenant, unit_of_work
    from salesos.orgs.models import Membership, Role
    from salesos.orgs.repository import MembershipRepository

    shared_hash = hash_password(secrets.token_urlsafe(16))
    roles = [Role.ADMIN, Role.MEMBER, Role.MEMBER, Role.VIEWER]

    def add_member(session: Any, org_id: uuid.UUID, email: str, name: str, role: Role) -> None:
        user = UserRepository(session).add(User(email=email, name=name, password_hash=shared_hash))
        set_tenant(session, org_id, user.id)
        MembershipRepository(session).add(Membership(user_id=user.id, role=role.value))

    with unit_of_work() as session:
        users = UserRepository(session)
        owner = users.add(User(email="owner@alpha.bench", name="Olivia Owner", password_hash=shared_hash))
        org_a = accounts.create_organization(session, "Bench Alpha", owner)
        noise_owner = users.add(User(email="owner@noise.bench", name="Noah Noise", password_hash=shared_hash))
        org_noise = accounts.create_organization(session, "Bench Noise", noise_owner)
        per_a = max(1, noise // max(1, members))
        made_a = made_noise = 1  # the owners
        while made_a < members or made_noise < noise:
            if made_a < members:
                add_member(
                    session,
                    org_a.id,
                    f"member{made_a}@alpha.bench",
                    f"Alpha Member {made_a}",
                    roles[made_a % len(roles)],
                )
                made_a += 1
            for _ in range(min(per_a, noise - made_noise)):
                add_member(
                    session,
                    org_noise.id,
                    f"member{made_noise}@noise.bench",
                    f"Noise Member {made_noise}",
                    roles[made_noise % len(roles)],
                )
                made_noise += 1
        pair = credentials.issue_token_pair(session, owner.id, org_a.id)
    return pair.access_token


def prepare_database(members: int, noise: int) -> str:
    """Migrate, seed, release every connection; the access token of org A's owner."""
    from salesos.db.engine import reset_engines
    from salesos.db.migrate import upgrade

    upgrade()
    token = seed(members, noise)
    reset_engines()
    return token


# --------------------------------------------------------------------------- the benchmark


def check_list_response(base: str, headers: dict[str, str]) -> None:
    """The endpoint under load answers 200 with a full page: the numbers measure the real thing."""
    status, body = http_get(base + LIST_PATH, headers)
    if status != 200:
        raise RuntimeError(f"GET {LIST_PATH} answered {status}: {body[:500]!r}")
    page = json.loads(body)
    if len(page.get("items", [])) != PAGE_SIZE or not page.get("next_cursor"):
        raise RuntimeError(f"GET {LIST_PATH}: expected {PAGE_SIZE} items and a next_cursor: {body[:300]!r}")
    emails = {item["email"] for item in page["items"]}
    if any(not email.endswith("@alpha.bench") for email in emails):
        raise RuntimeError("the page contains members of another organisation")


def measure(
    label: str,
    server: Server,
    path: str,
    headers: dict[str, str],
    args: argparse.Namespace,
    workdir: Path,
    cpu: int | None,
) -> LoadResult:
    """Warm up, then measure one endpoint."""
    url = server.base + path
    print(
        f"  {label}: warm-up {args.warmup} s, then {args.seconds} s x {args.connections} connections",
        flush=True,
    )
    generate_load(url, headers, args.connections, args.warmup, args.generator, workdir, cpu)
    cpu_before = process_cpu_seconds(server.pid)
    result = generate_load(url, headers, args.connections, args.seconds, args.generator, workdir, cpu)
    result.server_cpu_s = process_cpu_seconds(server.pid) - cpu_before
    return result


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    """Command-line options; resolves ``--generator auto``."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=int, default=10, help="measured seconds per endpoint (default 10)")
    parser.add_argument("--warmup", type=int, default=2, help="warm-up seconds per endpoint (default 2)")
    parser.add_argument("--connections", type=int, default=16, help="concurrent keep-alive connections")
    parser.add_argument("--members", type=int, default=60, help="members of the measured org (>= 51)")
    parser.add_argument("--noise", type=int, default=2400, help="members of the noise org")
    parser.add_argument("--generator", choices=["auto", "wrk", "python"], default="auto")
    parser.add_argument("--no-pin", action="store_true", help="don't pin server and generator to CPUs")
    parser.add_argument("--postgres", action="store_true", help="PostgreSQL (owner/app roles, RLS)")
    parser.add_argument("--pg-dsn", default=PG_SUPERUSER_DSN, help="superuser DSN for --postgres")
    args = parser.parse_args(argv)
    if args.members <= PAGE_SIZE:
        parser.error(f"--members must exceed {PAGE_SIZE} so the first page is full and has a next_cursor")
    if args.generator == "auto":
        args.generator = "wrk" if shutil.which("wrk") else "python"
    elif args.generator == "wrk" and not shutil.which("wrk"):
        parser.error("wrk is not installed")
    return args


def run(args: argparse.Namespace, workdir: Path, database_url: str, migration_url: str) -> None:
    """Set up, measure both servers one after the other, print the table and the RESULT line."""
    cpus = sorted(os.sched_getaffinity(0))
    server_cpu, generator_cpu = (cpus[0], cpus[1]) if len(cpus) >= 2 and not args.no_pin else (None, None)
    env_vars = app_environment(workdir / "var", database_url, migration_url)
    os.environ.update(env_vars)  # before the first salesos import: settings are read once per process
    started = time.perf_counter()
    token = prepare_database(args.members, args.noise)
    print(
        f"  setup: {args.members} members in org A, {args.noise} in the noise org "
        f"({time.perf_counter() - started:.1f} s)",
        flush=True,
    )
    env = {**os.environ, **env_vars}
    headers = {"Authorization": f"Bearer {token}"}

    app_args = ["salesos.main:create_app", "--factory"]
    with serve("salesos", app_args, env, workdir, "/healthz", server_cpu) as server:
        check_list_response(server.base, headers)
        listed = measure("list", server, LIST_PATH, headers, args, workdir, generator_cpu)
    hello_args = ["hello_app:create_app", "--factory", "--app-dir", str(BENCH_DIR)]
    with serve("hello", hello_args, env, workdir, HELLO_PATH, server_cpu) as server:
        # Same headers for both, so the generator and the HTTP parser do the same work per request.
        hello = measure("hello", server, HELLO_PATH, headers, args, workdir, generator_cpu)

    print()
    print_table([(f"GET {LIST_PATH}", listed), (f"GET {HELLO_PATH} (ceiling)", hello)])
    errors = listed.non2xx + listed.socket_errors + hello.non2xx + hello.socket_errors
    if errors:
        print(f"  !! {errors} failed requests: the run does not count")
    if listed.cpu_ms_per_request and hello.cpu_ms_per_request:
        print(
            f"  server CPU per request: list {listed.cpu_ms_per_request:.3f} ms, hello "
            f"{hello.cpu_ms_per_request:.3f} ms -> CPU-bound ratio "
            f"{hello.cpu_ms_per_request / listed.cpu_ms_per_request:.3f} (informational, robust to noise)"
        )
    ratio = round(listed.rps / hello.rps, 3) if hello.rps else 0.0
    ok = ratio >= GOAL and errors == 0
    print(
        f"RESULT api_list value={listed.rps:.1f} ceiling={hello.rps:.1f} ratio={ratio} goal={GOAL} "
        f"ok={'true' if ok else 'false'}",
        flush=True,
    )


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark in a temporary directory that is removed afterwards."""
    args = parse_args(argv)
    # A SIGTERM must unwind through the finally blocks that stop the servers.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    db = "postgresql" if args.postgres else "sqlite"
    print(
        f"api_list bench: {db}, generator={args.generator}, nproc={os.cpu_count()}, "
        f"python {platform.python_version()}",
        flush=True,
    )
    workdir = Path(tempfile.mkdtemp(prefix="salesos-bench-"))
    try:
        with contextlib.ExitStack() as stack:
            database_url = migration_url = ""
            if args.postgres:
                database_url, migration_url = stack.enter_context(postgres_database(args.pg_dsn))
            run(args, workdir, database_url, migration_url)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    return 0  # the RESULT line carries the verdict; a finished measurement exits 0


if __name__ == "__main__":
    sys.exit(main())
