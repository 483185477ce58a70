"""P6: website audits of 1,000 loopback fake sites against the limit set by concurrency and injected delays.

    .venv/bin/python bench/enrich_bench.py [--sites 1000] [--concurrency 50] [--latency 0.25]

The fake sites run in their own process (asyncio, HTTP/1.1 keep-alive), one name per site
(``s0001.bench.test``) resolved by a substituted resolver to 127.0.0.1; only the fakes' port is on the
fetcher's test allowlist. Every response takes ``--latency`` seconds, and the mix is the issue's:

- 10% answer their home page after 2 s;
- 5% redirect in a loop (stopped after 5 redirects);
- 1% send a 50 MB body (cut at the 5 MB cap);
- 1% redirect to an internal address (a second loopback listener, by number or by a name resolving to
  127.0.0.1, or 169.254.169.254) which must never see a connection;
- the rest are ordinary small-business home pages linking a contact and an about page.

The project: ``WebsiteAuditor.audit`` of every site, ``--concurrency`` audits at a time, through one
SafeFetcher (10 s timeout, 5 MB cap, robots.txt, 2 requests per host; politeness spacing off because each
site is its own host and spacing would be a delay of our own making). The ceiling: with zero-cost HTTP and
parsing, each audit would take exactly its chain of injected waits (robots, home, then both subpages
at once), so the fastest possible wall time is max(sum of chains / concurrency, longest chain).

Ends with ``RESULT enrich value=<sites/s> ceiling=<sites/s> ratio=<v/c> goal=0.8 ok=<true|false>``; ok also
needs zero connections to the internal listener, every site's expected outcome, and a bounded peak RSS.
"""

from __future__ import annotations

import argparse
import asyncio
import ipaddress
import multiprocessing
import os
import resource
import sys
import time
from collections import Counter
from dataclasses import dataclass
from multiprocessing.connection import Connection

from salesos.integrations.enrich import errors
from salesos.integrations.enrich.audit import WebsiteAudit, WebsiteAuditor
from salesos.integrations.enrich.fetch import FetchPolicy, SafeFetcher
from salesos.integrations.enrich.ssrf import IPAddress

GOAL = 0.8
SLOW_SECONDS = 2.0
BIG_BYTES = 50 * 1024 * 1024
# Peak RSS allowed above the start: a few capped bodies in flight plus parsed pages, never 50 MB bodies.
MEMORY_BOUND_MB = 300
EXPECTED_ERROR = {
    "slow": None,
    "loop": errors.TOO_MANY_REDIRECTS,
    "big": errors.BODY_TOO_LARGE,
    "internal": errors.REFUSED_PRIVATE,
    "normal": None,
}


def kind_of(index: int) -> str:
    """The behaviour of site *index* (the issue's mix, spread evenly over the run)."""
    slot = index % 100
    if slot < 10:
        return "slow"
    if slot < 15:
        return "loop"
    if slot == 15:
        return "big"
    if slot == 16:
        return "internal"
    return "normal"


def host_of(index: int) -> str:
    return f"s{index:04d}.bench.test"


def home_page(index: int) -> bytes:
    """An ordinary small-business home page (~12 KB) with a few detectable technologies."""
    filler = "".join(f"<p>Service {n}: family care with same-day appointments.</p>" for n in range(150))
    return f"""<!doctype html><html><head><title>Business {index}</title>
<meta name="description" content="Business {index} in Austin">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="generator" content="WordPress 6.{index % 5}.1">
<script src="/wp-includes/js/jquery/jquery.min.js?ver=3.7.1"></script>
<script async src="https://www.googletagmanager.com/gtag/js?id=G-BENCH{index}"></script>
</head><body><nav><a href="/contact/">Contact</a> <a href="/about/">About us</a>
<a href="https://www.facebook.com/business{index}">Facebook</a></nav>{filler}
<footer>Call (512) 555-{index % 10000:04d} · © 2021 Business {index}</footer></body></html>""".encode()


def sub_page(index: int, kind: str) -> bytes:
    return f"""<html><body><h1>{kind}</h1><a href="mailto:{kind}@s{index:04d}.bench.test">Email</a>
</body></html>""".encode()


# --------------------------------------------------------------------------- the fake sites (child process)


def _response(status: int, headers: dict[str, str], body: bytes = b"") -> bytes:
    lines = [f"HTTP/1.1 {status} X", f"Content-Length: {len(body)}"]
    lines += [f"{k}: {v}" for k, v in headers.items()]
    return ("\r\n".join(lines) + "\r\n\r\n").encode() + body


async def _serve_sites(conn: Connection, latency: float) -> None:
    stats: Counter[str] = Counter()
    internal_port = 0

    async def internal(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        stats["internal_connections"] += 1
        writer.close()

    async def sites(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        stats["connections"] += 1
        try:
            while True:
                line = await reader.readline()
                if not line:
                    return
                path = line.split()[1].decode() if len(line.split()) > 1 else "/"
                host = ""
                while (header := await reader.readline()) not in (b"\r\n", b"\n", b""):
                    name, _, value = header.decode("latin-1").partition(":")
                    if name.strip().lower() == "host":
                        host = value.strip().split(":")[0]
                stats["requests"] += 1
                index = int(host[1:5]) if host.startswith("s") else -1
                await asyncio.sleep(latency)
                await _answer(writer, index, kind_of(index), path, internal_port)
        except (ConnectionError, ValueError):
            pass
        finally:
            writer.close()

    internal_server = await asyncio.start_server(internal, "127.0.0.1", 0)
    internal_port = internal_server.sockets[0].getsockname()[1]
    site_server = await asyncio.start_server(sites, "127.0.0.1", 0, backlog=1024)
    conn.send((site_server.sockets[0].getsockname()[1], internal_port))
    loop = asyncio.get_running_loop()
    await loop.run_in_executor(None, conn.recv)  # the parent's "stop"
    conn.send(dict(stats))


async def _answer(writer: asyncio.StreamWriter, index: int, kind: str, path: str, internal_port: int) -> None:
    html = {"Content-Type": "text/html; charset=utf-8"}
    if path == "/robots.txt":
        writer.write(_response(200, {"Content-Type": "text/plain"}, b"User-agent: *\nAllow: /\n"))
    elif kind == "loop" and path in {"/", "/a", "/b"}:
        writer.write(_response(302, {"Location": "/b" if path == "/a" else "/a"}))
    elif kind == "internal" and path == "/":
        targets = [
            f"http://127.0.0.1:{internal_port}/admin",
            f"http://internal.bench.test:{internal_port}/",
            "http://169.254.169.254/latest/meta-data/",
        ]
        writer.write(_response(302, {"Location": targets[index % 3]}))
    elif kind == "big" and path == "/":
        writer.write(b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nConnection: close\r\n\r\n")
        chunk = b"<p>" + b"x" * 65533
        for _ in range(BIG_BYTES // len(chunk)):
            writer.write(chunk)
            await writer.drain()
        raise ConnectionError("body sent")
    elif kind == "slow" and path == "/":
        await asyncio.sleep(SLOW_SECONDS)
        writer.write(_response(200, html, b"<title>slow but fine</title>"))
    elif path == "/":
        writer.write(_response(200, html, home_page(index)))
    elif path in {"/contact/", "/about/"}:
        writer.write(_response(200, html, sub_page(index, path.strip("/"))))
    else:
        writer.write(_response(404, html, b"not found"))
    await writer.drain()


def run_sites(conn: Connection, latency: float) -> None:
    """Child process entry point: serve until told to stop, then report the counters."""
    asyncio.run(_serve_sites(conn, latency))


# --------------------------------------------------------------------------- the project and its ceiling


def chain_seconds(kind: str, latency: float) -> float:
    """The injected waits one audit cannot avoid, in order (robots.txt first, then each hop)."""
    if kind == "slow":
        return latency * 2 + SLOW_SECONDS
    if kind == "loop":
        return latency * (1 + 6)
    if kind in {"big", "internal"}:
        return latency * 2
    return latency * 3  # robots, home, then contact and about side by side


class BenchResolver:
    """Every bench name is 127.0.0.1; anything else is unknown."""

    async def __call__(self, host: str, port: int) -> list[IPAddress]:
        if host.endswith(".bench.test"):
            return [ipaddress.ip_address("127.0.0.1")]
        raise OSError(f"unknown host {host}")


@dataclass
class Run:
    seconds: float
    audits: list[tuple[int, WebsiteAudit]]


async def audit_all(sites: int, concurrency: int, port: int) -> Run:
    policy = FetchPolicy(max_concurrency=concurrency * 2, per_host_concurrency=2, per_host_interval=0.0)
    gate = asyncio.Semaphore(concurrency)
    async with SafeFetcher(policy, resolver=BenchResolver(), allow=[("127.0.0.1", port)]) as fetcher:
        auditor = WebsiteAuditor(fetcher)

        async def one(index: int) -> tuple[int, WebsiteAudit]:
            async with gate:
                return index, await auditor.audit(f"http://{host_of(index)}:{port}/")

        started = time.monotonic()
        audits = await asyncio.gather(*(one(i) for i in range(sites)))
        return Run(time.monotonic() - started, list(audits))


def check_outcomes(audits: list[tuple[int, WebsiteAudit]]) -> list[str]:
    """Sites whose outcome is not the one their kind must produce."""
    wrong = []
    for index, audit in audits:
        kind = kind_of(index)
        expected = EXPECTED_ERROR[kind]
        if audit.error != expected or (
            kind == "normal" and audit.emails != [f"contact@{host_of(index)}", f"about@{host_of(index)}"]
        ):
            wrong.append(f"{host_of(index)} {kind}: {audit.error}")
    return wrong


def main() -> int:
    """Serve the fakes, audit them all, compare with the ceiling, print the RESULT line."""
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--sites", type=int, default=1000)
    parser.add_argument("--concurrency", type=int, default=50)
    parser.add_argument("--latency", type=float, default=0.25)
    args = parser.parse_args()

    context = multiprocessing.get_context("spawn")
    ours, theirs = context.Pipe()
    child = context.Process(target=run_sites, args=(theirs, args.latency), daemon=True)
    child.start()
    try:
        port, _internal_port = ours.recv()
        rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        run = asyncio.run(audit_all(args.sites, args.concurrency, port))
        usage = resource.getrusage(resource.RUSAGE_SELF)
        rss_peak = usage.ru_maxrss / 1024
        ours.send("stop")
        stats = ours.recv()
    finally:
        child.join(timeout=5)
        if child.is_alive():
            child.kill()
    children = resource.getrusage(resource.RUSAGE_CHILDREN)

    chains = [chain_seconds(kind_of(i), args.latency) for i in range(args.sites)]
    ceiling_seconds = max(sum(chains) / args.concurrency, max(chains))
    value = args.sites / run.seconds
    ceiling = args.sites / ceiling_seconds
    ratio = value / ceiling
    wrong = check_outcomes(run.audits)
    outcomes = Counter(audit.error or "ok" for _, audit in run.audits)
    memory_ok = rss_peak - rss_before <= MEMORY_BOUND_MB

    print(f"sites={args.sites} concurrency={args.concurrency} latency={args.latency}s")
    print(f"audit wall time {run.seconds:.2f} s; ceiling wall time {ceiling_seconds:.2f} s")
    print(f"outcomes: {dict(outcomes)}")
    print(f"fake sites: {stats.get('connections', 0)} connections, {stats.get('requests', 0)} requests")
    print(f"internal listener connections: {stats.get('internal_connections', 0)} (must be 0)")
    print(f"peak RSS {rss_peak:.0f} MB (start {rss_before:.0f} MB, bound +{MEMORY_BOUND_MB} MB)")
    # CPU per site is what the box's load does not move much; the ratio is what it does.
    auditor_cpu = usage.ru_utime + usage.ru_stime
    print(
        f"CPU: auditor {auditor_cpu * 1000 / args.sites:.1f} ms/site, fake sites "
        f"{(children.ru_utime + children.ru_stime) * 1000 / args.sites:.1f} ms/site; "
        f"load average {os.getloadavg()[0]:.2f} on {os.cpu_count()} CPUs"
    )
    for line in wrong[:10]:
        print(f"unexpected outcome: {line}")
    ok = ratio >= GOAL and not wrong and stats.get("internal_connections", 0) == 0 and memory_ok
    print(
        f"RESULT enrich value={value:.1f} ceiling={ceiling:.1f} ratio={ratio:.2f} goal={GOAL} "
        f"ok={str(ok).lower()}"
    )
    return 0  # the RESULT line carries the verdict; a finished measurement exits 0


if __name__ == "__main__":
    sys.exit(main())
