"""Shared machinery of the HTTP benchmarks: servers in their own process groups, and the load generator.

Every server and generator runs in its own session (process group), pinned to a CPU when asked, and is
SIGTERMed then SIGKILLed on the way out, whatever the exit path.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

BENCH_DIR = Path(__file__).resolve().parent
# Identical for the project and its ceiling: one worker, no access log.
UVICORN_FLAGS = ["--host", "127.0.0.1", "--workers", "1", "--log-level", "warning", "--no-access-log"]

# wrk: count every non-2xx (wrk's own errors.status only counts >= 400) and report p50/p95/p99.
WRK_SCRIPT = """
local threads = {}
function setup(thread) table.insert(threads, thread) end
function init(args) non2xx = 0 end
function response(status, headers, body)
  if status < 200 or status > 299 then non2xx = non2xx + 1 end
end
function done(summary, latency, requests)
  local bad = 0
  for _, t in ipairs(threads) do bad = bad + t:get("non2xx") end
  local e = summary.errors
  io.write(string.format(
    '{"requests": %d, "duration_us": %d, "p50_us": %d, "p95_us": %d, "p99_us": %d, '
    .. '"non2xx": %d, "socket_errors": %d}\\n',
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(95),
    latency:percentile(99), bad, e.connect + e.read + e.write + e.timeout))
end
"""


@dataclass
class LoadResult:
    """What one load run measured (the fields are what the generators print)."""

    requests: int
    duration_us: int
    p50_us: int
    p95_us: int
    p99_us: int
    non2xx: int
    socket_errors: int
    server_cpu_s: float = 0.0  # CPU time the server process used during the run (Linux /proc)

    @property
    def rps(self) -> float:
        return self.requests / (self.duration_us / 1_000_000) if self.duration_us else 0.0

    @property
    def cpu_ms_per_request(self) -> float:
        """Server CPU per request: unlike req/s, barely moved by other processes on a shared box."""
        return self.server_cpu_s * 1000 / self.requests if self.requests else 0.0


def pin_to(cpu: int | None) -> Any:
    """A preexec_fn pinning the child (and every thread it starts) to *cpu*; None leaves it free."""
    if cpu is None:
        return None
    return lambda: os.sched_setaffinity(0, {cpu})


def stop_process(proc: subprocess.Popen[bytes]) -> None:
    """SIGTERM the child's process group, SIGKILL it if it lingers."""
    if proc.poll() is not None:
        return
    for sig, grace in ((signal.SIGTERM, 5.0), (signal.SIGKILL, 5.0)):
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, sig)
        try:
            proc.wait(timeout=grace)
            return
        except subprocess.TimeoutExpired:
            continue


def process_cpu_seconds(pid: int) -> float:
    """User + system CPU time of *pid* (all its threads); 0 where /proc is unavailable."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


@dataclass
class Server:
    """A running server: where to reach it, and its pid for CPU accounting."""

    base: str
    pid: int


def free_port() -> int:
    """A TCP port on 127.0.0.1 nobody listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def http_get(url: str, headers: dict[str, str] | None = None) -> tuple[int, bytes]:
    """(status, body) of one GET; HTTP errors are returned, not raised."""
    request = urllib.request.Request(url, headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read()


@contextlib.contextmanager
def serve(
    name: str, app_args: list[str], env: dict[str, str], workdir: Path, ready_path: str, cpu: int | None
) -> Iterator[Server]:
    """Run one uvicorn server in its own process group; yields it, kills it on exit."""
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    log_path = workdir / f"{name}.log"
    cmd = [sys.executable, "-m", "uvicorn", *app_args, *UVICORN_FLAGS, "--port", str(port)]
    with open(log_path, "wb") as log:
        proc = subprocess.Popen(
            cmd,
            env=env,
            cwd=workdir,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
            preexec_fn=pin_to(cpu),
        )
    try:
        deadline = time.monotonic() + 30
        while True:
            if proc.poll() is not None:
                raise RuntimeError(f"{name} server exited:\n{log_path.read_text()[-3000:]}")
            with contextlib.suppress(OSError):
                if http_get(base + ready_path)[0] == 200:
                    break
            if time.monotonic() > deadline:
                raise RuntimeError(f"{name} server not ready after 30 s:\n{log_path.read_text()[-3000:]}")
            time.sleep(0.1)
        yield Server(base=base, pid=proc.pid)
    finally:
        stop_process(proc)


def generate_load(
    url: str,
    headers: dict[str, str],
    connections: int,
    seconds: int,
    generator: str,
    workdir: Path,
    cpu: int | None,
) -> LoadResult:
    """One fixed-duration run of the load generator against *url*, in its own process.

    Headers travel in a file (wrk's script) or the environment (loadgen), never on a command line that
    ``ps`` shows to every user of the box: they carry a bearer token.
    """
    env = dict(os.environ)
    if generator == "wrk":
        script = workdir / "report.lua"
        # workdir comes from mkdtemp (mode 0700): nobody else can read the token in the script.
        lines = [f"wrk.headers[ {_lua_string(k)} ] = {_lua_string(v)}" for k, v in headers.items()]
        script.write_text("\n".join(lines) + WRK_SCRIPT)
        cmd = ["wrk", "-t1", f"-c{connections}", f"-d{seconds}s", "--timeout", "10s", "-s", str(script), url]
    else:
        cmd = [
            sys.executable,
            str(BENCH_DIR / "loadgen.py"),
            "--url",
            url,
            "--connections",
            str(connections),
            "--seconds",
            str(seconds),
        ]
        env["LOADGEN_HEADERS"] = json.dumps(headers)
    proc = subprocess.Popen(
        cmd,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=env,
        start_new_session=True,
        preexec_fn=pin_to(cpu),
    )
    try:
        out, err = proc.communicate(timeout=seconds + 60)
    finally:
        stop_process(proc)
    reports = [line for line in out.decode().splitlines() if line.startswith("{")]
    if proc.returncode != 0 or not reports:
        raise RuntimeError(f"{generator} failed ({proc.returncode}): {(err or out).decode()[-2000:]}")
    return LoadResult(**json.loads(reports[-1]))


def _lua_string(value: str) -> str:
    """*value* as a Lua long-bracket literal (no escaping); callers keep a space after a ``[``."""
    if "]==]" in value:
        raise ValueError("header value cannot be quoted for Lua")
    return f"[==[{value}]==]"


def print_table(rows: list[tuple[str, LoadResult]]) -> None:
    """One line per measured endpoint."""
    print(
        f"  {'endpoint':<34} {'req/s':>9} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8} {'requests':>9}"
        f" {'non-2xx':>8} {'sock err':>8} {'cpu ms/req':>10}"
    )
    for label, r in rows:
        print(
            f"  {label:<34} {r.rps:>9.1f} {r.p50_us / 1000:>8.2f} {r.p95_us / 1000:>8.2f}"
            f" {r.p99_us / 1000:>8.2f} {r.requests:>9} {r.non2xx:>8} {r.socket_errors:>8}"
            f" {r.cpu_ms_per_request:>10.3f}"
        )
