"""P4: realtime hints, commit to receipt at 200 SSE clients, against a bare SSE broadcast, same run.

    .venv/bin/python bench/realtime_bench.py                    # both modes
    .venv/bin/python bench/realtime_bench.py --modes embedded   # or: --modes redis [--sqlite-redis]

For each mode, in one run:

1. **Ceiling.** ``bench/sse_ceiling_app.py`` (Starlette, in-memory fan-out, no auth) under the same
   uvicorn flags; the same client process (``bench/sse_clients.py``) holds 200 streams; the same
   schedule of broadcasts (warm-up, ``--steady`` at ``--rate``/s, a burst of ``--burst`` sent at once),
   each carrying the same ``lead.updated`` hint.
2. **Project.** The real app (``bench/realtime_app.py`` = ``salesos.main:create_app`` plus a commit
   clock). *embedded*: one uvicorn, memory hub, SQLite. *redis*: two uvicorns with ``SALESOS_REDIS_URL``
   (own channel prefix), PostgreSQL with RLS (``--sqlite-redis``: a shared SQLite file instead), clients
   alternating between them, every write sent to the first. Each event is a real write: ``PATCH
   /api/v1/leads/{id}`` (its own transaction; publishes ``lead.updated`` after commit), one lead per write
   so the hint's ``lead_id`` names the write. Same schedule as the ceiling, then a forced reconnect:
   ``--drop`` clients are aborted, ``--away`` writes happen, they come back with ``Last-Event-ID``,
   three more writes follow.

Latency = receipt (``time.monotonic()`` in the client's ``data_received``) minus commit (``time.monotonic()``
in an ``after_commit`` listener in the server; the ceiling notes the moment of its fan-out). Both are
CLOCK_MONOTONIC, one clock for every process on Linux. The table also shows the upper bound measured
from just before the write request is sent. A client *lost* an event when it never received it and got
no ``resync`` after its commit.

Ends with one line per mode:
``RESULT realtime_<mode> value=<p99 ms> ceiling=<bare p99 ms> ratio=<value/ceiling> goal=100 ok=<...>``;
the goal applies to the value (p99 <= 100 ms), and ok also needs 0 lost events.
"""

from __future__ import annotations

import argparse
import concurrent.futures
import contextlib
import json
import os
import platform
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import httpx
from api_list_bench import PG_SUPERUSER_DSN, app_environment, postgres_database
from harness import BENCH_DIR, Server, process_cpu_seconds, serve, stop_process

GOAL_MS = 100.0
EVENT = "lead.updated"
WARMUP_WRITES = 3
AFTER_RECONNECT_WRITES = 3
DEFAULT_REDIS_URL = "redis://127.0.0.1:6379/0"


# --------------------------------------------------------------------------- data


def seed_main() -> None:
    """(Subprocess, env from the parent) migrate, create an org and its owner; print a bearer token."""
    from salesos.auth.models import User
    from salesos.auth.repository import UserRepository
    from salesos.auth.security import hash_password
    from salesos.auth.service import accounts, credentials
    from salesos.db.migrate import upgrade
    from salesos.db.session import unit_of_work

    upgrade()
    with unit_of_work() as session:
        owner = UserRepository(session).add(
            User(
                email="owner@realtime.bench",
                name="Rita Realtime",
                password_hash=hash_password(uuid.uuid4().hex),
            )
        )
        org = accounts.create_organization(session, "Realtime Bench", owner)
        pair = credentials.issue_token_pair(session, owner.id, org.id)
    print(json.dumps({"token": pair.access_token}))


def seed(env: dict[str, str]) -> str:
    """Run ``seed_main`` with *env* (settings are read once per process, so each mode gets its own)."""
    done = subprocess.run(
        [sys.executable, __file__, "--seed"], env=env, capture_output=True, timeout=120, check=False
    )
    if done.returncode != 0:
        raise RuntimeError(f"seeding failed: {done.stderr.decode()[-3000:]}")
    return str(json.loads(done.stdout.decode().strip().splitlines()[-1])["token"])


def create_leads(base: str, headers: dict[str, str], count: int) -> list[str]:
    """*count* leads through the API (before any client listens); their ids."""

    def one(n: int) -> str:
        with httpx.Client(timeout=30) as client:
            r = client.post(
                f"{base}/api/v1/leads", json={"company": {"name": f"Realtime Co {n}"}}, headers=headers
            )
            if r.status_code != 201:
                raise RuntimeError(f"POST /api/v1/leads answered {r.status_code}: {r.text[:300]}")
            return str(r.json()["id"])

    with concurrent.futures.ThreadPoolExecutor(4) as pool:
        return list(pool.map(one, range(count)))


# --------------------------------------------------------------------------- clients


class Fleet:
    """The client process (``sse_clients.py``): 200 streams, commanded over its stdin."""

    def __init__(self, targets: list[str], path: str, headers: dict[str, str], workdir: Path) -> None:
        self.out = workdir / f"receipts-{uuid.uuid4().hex[:6]}.json"
        env = {**os.environ, "SSE_HEADERS": json.dumps(headers)}
        self.proc = subprocess.Popen(
            [sys.executable, str(BENCH_DIR / "sse_clients.py")],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            env=env,
            start_new_session=True,
        )
        hosts = [urlsplit(t) for t in targets]
        self.config = {"targets": [[h.hostname, h.port] for h in hosts], "path": path, "out": str(self.out)}

    def open(self) -> None:
        """Connect every client; returns once each has its stream open."""
        ready = self._ask(self.config, timeout=120)["ready"]
        if ready != len(self.config["targets"]):
            raise RuntimeError(f"only {ready} of {len(self.config['targets'])} SSE clients got a stream")

    def _ask(self, message: dict[str, Any], timeout: float = 60) -> dict[str, Any]:
        assert self.proc.stdin is not None and self.proc.stdout is not None
        self.proc.stdin.write((json.dumps(message) + "\n").encode())
        self.proc.stdin.flush()
        answer: list[bytes] = []
        reader = threading.Thread(target=lambda: answer.append(self.proc.stdout.readline()))  # type: ignore[union-attr]
        reader.start()
        reader.join(timeout)
        if not answer or not answer[0]:
            raise RuntimeError(f"SSE client process did not answer {message.get('cmd', 'config')}")
        return dict(json.loads(answer[0]))

    def drop(self, clients: list[int]) -> None:
        """Abort these clients' connections."""
        self._ask({"cmd": "drop", "clients": clients})

    def reconnect(self, clients: list[int]) -> None:
        """Bring them back with Last-Event-ID; returns once every stream is open again."""
        self._ask({"cmd": "reconnect", "clients": clients})

    def finish(self) -> list[dict[str, Any]]:
        """Stop every client; what each one received."""
        self._ask({"cmd": "stop"})
        self.proc.wait(timeout=30)
        return list(json.loads(self.out.read_text()))

    def kill(self) -> None:
        """Whatever happened, the process goes."""
        stop_process(self.proc)  # type: ignore[arg-type]


@contextlib.contextmanager
def fleet(targets: list[str], path: str, headers: dict[str, str], workdir: Path) -> Iterator[Fleet]:
    """A client fleet that is always stopped."""
    f = Fleet(targets, path, headers, workdir)
    try:
        f.open()
        yield f
    finally:
        f.kill()


# --------------------------------------------------------------------------- writes


@dataclass
class Write:
    """One event-causing request: which lead it names, when it was sent and answered."""

    lead_id: str
    phase: str
    sent: float = 0.0
    answered: float = 0.0
    status: int = 0


@dataclass
class Writer:
    """Sends the events of a run: PATCH a lead (project) or POST a broadcast (ceiling)."""

    send: Callable[[httpx.Client, str, int], int]
    lead_ids: list[str]
    client: httpx.Client = field(
        default_factory=lambda: httpx.Client(
            timeout=30, limits=httpx.Limits(max_connections=100, max_keepalive_connections=100)
        )
    )
    writes: list[Write] = field(default_factory=list)

    def one(self, phase: str) -> Write:
        write = Write(self.lead_ids[len(self.writes)], phase)
        self.writes.append(write)
        return write

    def fire(self, write: Write) -> None:
        write.sent = time.monotonic()
        write.status = self.send(self.client, write.lead_id, len(self.writes))
        write.answered = time.monotonic()

    def paced(self, phase: str, count: int, interval: float) -> None:
        """*count* writes, one every *interval* seconds (each in its own thread, so none waits)."""
        with concurrent.futures.ThreadPoolExecutor(8) as pool:
            start = time.monotonic()
            for i in range(count):
                time.sleep(max(0.0, start + i * interval - time.monotonic()))
                pool.submit(self.fire, self.one(phase))

    def burst(self, phase: str, count: int, concurrency: int) -> None:
        """*count* writes back to back through *concurrency* connections (all of them at once if equal)."""
        batch = [self.one(phase) for _ in range(count)]
        with concurrent.futures.ThreadPoolExecutor(concurrency) as pool:
            list(pool.map(self.fire, batch))


def patch_lead(headers: dict[str, str]) -> Callable[[httpx.Client, str, int], int]:
    """The project's write: a new value on the lead, one transaction, one ``lead.updated`` hint."""

    def send(client: httpx.Client, base_and_lead: str, n: int) -> int:
        base, lead_id = base_and_lead.split("|")
        return client.patch(
            f"{base}/api/v1/leads/{lead_id}", json={"value": f"{1000 + n}.00"}, headers=headers
        ).status_code

    return send


def broadcast(base: str) -> Callable[[httpx.Client, str, int], int]:
    """The ceiling's write: a bare broadcast of the same hint."""

    def send(client: httpx.Client, lead_id: str, n: int) -> int:
        return client.post(f"{base}/broadcast", json={"lead_id": lead_id}).status_code

    return send


# --------------------------------------------------------------------------- one measured run


@dataclass
class Run:
    """Everything one side (ceiling or project) measured."""

    label: str
    writes: list[Write]
    commits: dict[str, float]
    receipts: list[dict[str, Any]]
    dropped: list[int] = field(default_factory=list)
    cpu_s: list[float] = field(default_factory=list)  # per server process, over the whole measurement

    def lead(self, write: Write) -> str:
        return write.lead_id.rpartition("|")[2]

    def latencies(
        self, phases: set[str], since_send: bool = False, only: set[int] | None = None
    ) -> list[float]:
        """Milliseconds from commit (or send) to receipt at every client (or *only*), writes of *phases*."""
        got = [seen for i, seen in enumerate(self._first_receipts()) if only is None or i in only]
        out: list[float] = []
        for write in self.writes:
            lead = self.lead(write)
            if write.phase not in phases or lead not in self.commits:
                continue
            start = write.sent if since_send else self.commits[lead]
            out += [(seen[lead] - start) * 1000 for seen in got if lead in seen]
        return out

    def _first_receipts(self) -> list[dict[str, float]]:
        per_client = []
        for client in self.receipts:
            seen: dict[str, float] = {}
            for _conn, _id, event, data, at in client["received"]:
                if event == EVENT and data:
                    seen.setdefault(json.loads(data).get("lead_id", ""), at)
            per_client.append(seen)
        return per_client

    def losses(self) -> tuple[int, int, int]:
        """(events lost, events a client missed but was told to resync after, duplicate receipts)."""
        lost = covered = dupes = 0
        for client, seen in zip(self.receipts, self._first_receipts(), strict=True):
            resyncs = [at for _c, _i, event, _d, at in client["received"] if event == "resync"]
            ids = [i for _c, i, event, _d, _at in client["received"] if event == EVENT]
            dupes += len(ids) - len(set(ids))
            for write in self.writes:
                lead = self.lead(write)
                if lead in seen:
                    continue
                committed = self.commits.get(lead)
                if committed is not None and any(at >= committed for at in resyncs):
                    covered += 1
                else:
                    lost += 1
        return lost, covered, dupes

    def replayed(self) -> int:
        """Events the dropped clients received on their second connection before any new write."""
        return sum(
            1
            for i in self.dropped
            for conn, _i, event, _d, _at in self.receipts[i]["received"]
            if conn > 1 and event == EVENT
        )


def measure(
    label: str,
    targets: list[str],
    path: str,
    headers: dict[str, str],
    writer: Writer,
    commits_urls: list[str],
    args: argparse.Namespace,
    workdir: Path,
    reconnect: bool,
    pids: list[int],
) -> Run:
    """200 streams, the event schedule (plus the forced reconnect), then the receipts and commit stamps."""
    cpu_before = [process_cpu_seconds(pid) for pid in pids]
    with fleet(targets, path, headers, workdir) as clients:
        writer.paced("warmup", WARMUP_WRITES, 0.3)
        time.sleep(1.0)
        print(f"  {label}: {len(targets)} streams open; {args.steady} events at {args.rate}/s", flush=True)
        writer.paced("steady", args.steady, 1 / args.rate)
        time.sleep(1.5)
        print(f"  {label}: burst of {args.burst} through {args.burst_concurrency} connections", flush=True)
        writer.burst("burst", args.burst, args.burst_concurrency)
        time.sleep(3.0)
        dropped: list[int] = []
        if reconnect and args.drop:
            step = len(targets) // args.drop
            # Odd and even indices, so in redis mode both API processes lose clients.
            dropped = sorted({(i * step + i % 2) % len(targets) for i in range(args.drop)})
            print(f"  {label}: dropping {len(dropped)} clients, {args.away} events while away", flush=True)
            clients.drop(dropped)
            time.sleep(0.3)
            writer.paced("away", args.away, 0.2)
            time.sleep(0.5)
            clients.reconnect(dropped)
            writer.paced("after", AFTER_RECONNECT_WRITES, 0.3)
            time.sleep(2.0)
        receipts = clients.finish()
    bad = [w for w in writer.writes if not 200 <= w.status < 300]
    if bad:
        phases = sorted({w.phase for w in bad})
        raise RuntimeError(
            f"{label}: {len(bad)} writes failed in {phases} (status {bad[0].status}); see {workdir}"
        )
    # Every server is asked (each notes its own commits; with BENCH_PROFILE each dumps its profile).
    stamps = [stamp for url in commits_urls for stamp in httpx.get(url, timeout=10).json()]
    commits = {lead: at for lead, event, at in stamps if event == EVENT}
    cpu = [process_cpu_seconds(pid) - before for pid, before in zip(pids, cpu_before, strict=True)]
    return Run(label, writer.writes, commits, receipts, dropped, cpu)


def pct(values: list[float], q: float) -> float:
    """Nearest-rank percentile (0 for no values)."""
    if not values:
        return 0.0
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(q / 100 * len(ordered) + 0.5) - 1))]


def print_rows(runs: list[Run], clients: int) -> None:
    """Per phase: commit-to-receipt percentiles, the send-based upper bound, and the sample count."""
    print(
        f"  {'side / phase':<26} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8} {'max ms':>8}"
        f" {'p99 send ms':>12} {'samples':>8} {'expected':>9}"
    )
    for run in runs:
        for phases in ({"steady"}, {"burst"}, {"steady", "burst"}):
            lat = run.latencies(phases)
            sent = run.latencies(phases, since_send=True)
            expected = clients * sum(1 for w in run.writes if w.phase in phases)
            name = f"{run.label} {'+'.join(sorted(phases, reverse=True))}"
            print(
                f"  {name:<26} {pct(lat, 50):>8.1f} {pct(lat, 95):>8.1f} {pct(lat, 99):>8.1f}"
                f" {max(lat, default=0):>8.1f} {pct(sent, 99):>12.1f} {len(lat):>8} {expected:>9}"
            )


# --------------------------------------------------------------------------- modes


def project_servers(
    mode: str, args: argparse.Namespace, workdir: Path, stack: contextlib.ExitStack
) -> tuple[list[Server], dict[str, str], str]:
    """Seed and start the real app for *mode*; (servers, env, database kind)."""
    var_dir = workdir / f"var-{mode}"
    db_url = migration_url = ""
    db_kind = "sqlite"
    if mode == "redis" and not args.sqlite_redis:
        db_url, migration_url = stack.enter_context(postgres_database(args.pg_dsn))
        db_kind = "postgresql"
    env = {**os.environ, **app_environment(var_dir, db_url, migration_url)}
    env["SALESOS_SSE_QUEUE_SIZE"] = str(max(100, args.burst * 2))
    if mode == "redis":
        env["SALESOS_REDIS_URL"] = args.redis_url
        env["SALESOS_QUEUE_NAME"] = args.prefix
    token = seed(env)
    app_args = ["realtime_app:create_app", "--factory", "--app-dir", str(BENCH_DIR)]
    count = 2 if mode == "redis" else 1
    servers = [
        stack.enter_context(serve(f"{mode}-{i}", app_args, env, workdir, "/healthz", None))
        for i in range(count)
    ]
    return servers, {"Authorization": f"Bearer {token}"}, db_kind


def run_mode(mode: str, args: argparse.Namespace, workdir: Path) -> tuple[str, float, float, int]:
    """Ceiling then project for *mode*; prints the table; (db kind, p99, ceiling p99, lost)."""
    n_writes = WARMUP_WRITES + args.steady + args.burst + args.away + AFTER_RECONNECT_WRITES
    with contextlib.ExitStack() as stack:
        servers, headers, db_kind = project_servers(mode, args, workdir, stack)
        print(
            f"realtime_{mode}: {db_kind}, {len(servers)} API process(es), {args.clients} clients", flush=True
        )
        lead_ids = create_leads(servers[0].base, headers, n_writes)

        # The ceiling first, while the project's servers sit idle (they hold no streams yet).
        ceiling_env = {**os.environ}
        ceiling_args = ["sse_ceiling_app:app", "--app-dir", str(BENCH_DIR)]
        with serve("ceiling", ceiling_args, ceiling_env, workdir, "/healthz", None) as bare:
            ceiling = measure(
                "ceiling",
                [bare.base] * args.clients,
                "/events",
                headers,
                Writer(broadcast(bare.base), [str(uuid.uuid4()) for _ in range(n_writes)]),
                [f"{bare.base}/_bench/commits"],
                args,
                workdir,
                reconnect=False,
                pids=[bare.pid],
            )
        targets = [servers[i % len(servers)].base for i in range(args.clients)]
        write_base = servers[0].base
        project = measure(
            mode,
            targets,
            "/api/v1/events",
            headers,
            Writer(patch_lead(headers), [f"{write_base}|{lead}" for lead in lead_ids]),
            [f"{s.base}/_bench/commits" for s in servers],
            args,
            workdir,
            reconnect=True,
            pids=[s.pid for s in servers],
        )
    print()
    print_rows([ceiling, project], args.clients)
    if len(servers) > 1:
        for k in range(len(servers)):
            mine = {i for i in range(args.clients) if i % len(servers) == k}
            burst = project.latencies({"burst"}, only=mine)
            steady = project.latencies({"steady"}, only=mine)
            role = "takes the writes" if k == 0 else "streams only"
            print(
                f"  clients of API process {k} ({role}): steady p99 {pct(steady, 99):.1f} ms,"
                f" burst p50 {pct(burst, 50):.1f} / p99 {pct(burst, 99):.1f} ms"
            )
    print(
        "  server CPU during the measurement: ceiling "
        + " + ".join(f"{c:.2f}" for c in ceiling.cpu_s)
        + f" s, {mode} "
        + " + ".join(f"{c:.2f}" for c in project.cpu_s)
        + " s"
    )
    lost, covered, dupes = project.losses()
    c_lost, _, _ = ceiling.losses()
    print(
        f"  reconnect: {len(project.dropped)} clients aborted, {args.away} events while away, "
        f"{project.replayed()} events received after reconnecting; lost={lost}, "
        f"covered by resync={covered}, duplicates={dupes}; ceiling lost={c_lost}"
    )
    unexpected = sum(c["unexpected_ends"] for c in project.receipts)
    if unexpected:
        print(
            f"  !! {unexpected} streams were ended by the server (slow client?) and reconnected by themselves"
        )
    value = pct(project.latencies({"steady", "burst"}), 99)
    bare_p99 = pct(ceiling.latencies({"steady", "burst"}), 99)
    return db_kind, value, bare_p99, lost


def cleanup_redis(url: str, prefix: str) -> None:
    """Delete the run's realtime keys."""
    import redis

    client = redis.Redis.from_url(url)
    try:
        keys = list(client.scan_iter(f"{prefix}:*"))
        if keys:
            client.delete(*keys)
    finally:
        client.close()


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    """Command-line options."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--modes", default="embedded,redis", help="comma list of embedded, redis")
    parser.add_argument("--clients", type=int, default=200)
    parser.add_argument("--steady", type=int, default=20, help="events at --rate per second")
    parser.add_argument("--rate", type=float, default=1.0)
    parser.add_argument("--burst", type=int, default=50, help="events sent at once")
    parser.add_argument(
        "--burst-concurrency",
        type=int,
        default=10,
        help="connections the burst is sent through (default 10; see docs/benchmarks.md before raising it)",
    )
    parser.add_argument("--drop", type=int, default=20, help="clients aborted mid-run")
    parser.add_argument("--away", type=int, default=10, help="events published while they are away")
    parser.add_argument("--redis-url", default=DEFAULT_REDIS_URL)
    parser.add_argument(
        "--pg-dsn", default=PG_SUPERUSER_DSN, help="superuser DSN for the redis mode's database"
    )
    parser.add_argument("--sqlite-redis", action="store_true", help="redis mode on a shared SQLite file")
    parser.add_argument("--seed", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    args.prefix = f"salesos-bench-{os.getpid()}-{uuid.uuid4().hex[:6]}"
    return args


def main(argv: list[str] | None = None) -> int:
    """Run every mode in a temporary directory that is removed afterwards."""
    args = parse_args(argv)
    if args.seed:
        seed_main()
        return 0
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    load = os.getloadavg()[0]
    print(
        f"realtime bench: nproc={os.cpu_count()}, load average {load:.2f}, "
        f"python {platform.python_version()}",
        flush=True,
    )
    workdir = Path(tempfile.mkdtemp(prefix="salesos-rt-bench-"))
    results = []
    try:
        for mode in [m.strip() for m in args.modes.split(",") if m.strip()]:
            try:
                results.append((mode, *run_mode(mode, args, workdir)))
            finally:
                if mode == "redis":
                    cleanup_redis(args.redis_url, args.prefix)
    except BaseException:
        print(f"  the run failed: server logs kept in {workdir}", flush=True)
        raise
    else:
        shutil.rmtree(workdir, ignore_errors=True)
    print(f"  load average at the end: {os.getloadavg()[0]:.2f}")
    for mode, _db, value, bare, lost in results:
        ratio = round(value / bare, 3) if bare else 0.0
        ok = value <= GOAL_MS and lost == 0
        print(
            f"RESULT realtime_{mode} value={value:.1f} ceiling={bare:.1f} ratio={ratio} goal={GOAL_MS:g} "
            f"ok={'true' if ok else 'false'}",
            flush=True,
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
