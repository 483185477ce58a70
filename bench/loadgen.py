"""Fallback HTTP load generator for machines without ``wrk``: keep-alive GETs over N connections.

Run as its own process (it must not share a GIL with the server or the bench driver):

    python bench/loadgen.py --url http://127.0.0.1:8000/hello --connections 16 --seconds 10

Extra headers come from ``--header 'Name: value'`` or, for secrets, from ``LOADGEN_HEADERS`` (a JSON
object) in the environment, which ``ps`` does not show. Prints one JSON line with the fields the wrk
script reports: requests, duration_us, p50_us, p95_us, p99_us, non2xx, socket_errors. Raw asyncio
streams (uvloop when installed) rather than an HTTP client library, so the generator spends as little
CPU per request as Python allows.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import sys
import time
from urllib.parse import urlsplit

READ_TIMEOUT_S = 10.0


def build_request(url: str, headers: list[str]) -> tuple[str, int, bytes]:
    """(host, port, raw request bytes) for a keep-alive GET of *url* with extra *headers*."""
    parts = urlsplit(url)
    if parts.scheme != "http" or parts.hostname is None:
        raise SystemExit(f"only plain http URLs are supported: {url}")
    port = parts.port or 80
    target = parts.path or "/"
    if parts.query:
        target += "?" + parts.query
    lines = [f"GET {target} HTTP/1.1", f"Host: {parts.hostname}:{port}", "Connection: keep-alive", *headers]
    return parts.hostname, port, ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")


async def read_response(reader: asyncio.StreamReader) -> int:
    """Read one HTTP/1.1 response (Content-Length or chunked body) and return its status."""
    status_line = await reader.readline()
    if not status_line:
        raise ConnectionError("server closed the connection")
    status = int(status_line.split(b" ", 2)[1])
    length = 0
    chunked = False
    while True:
        line = await reader.readline()
        if line in (b"\r\n", b"\n", b""):
            break
        name, _, value = line.partition(b":")
        name = name.strip().lower()
        if name == b"content-length":
            length = int(value)
        elif name == b"transfer-encoding" and b"chunked" in value.lower():
            chunked = True
    if chunked:
        while True:
            size = int((await reader.readline()).split(b";", 1)[0], 16)
            await reader.readexactly(size + 2)
            if size == 0:
                break
    elif length:
        await reader.readexactly(length)
    return status


async def connection(
    host: str, port: int, request: bytes, deadline: float, latencies: list[float], counters: dict[str, int]
) -> None:
    """One client connection sending requests back to back until *deadline*; reconnects on error."""
    reader = writer = None
    while time.perf_counter() < deadline:
        try:
            if writer is None:
                reader, writer = await asyncio.open_connection(host, port)
            assert reader is not None
            started = time.perf_counter()
            writer.write(request)
            status = await asyncio.wait_for(read_response(reader), READ_TIMEOUT_S)
            latencies.append(time.perf_counter() - started)
            if not 200 <= status < 300:
                counters["non2xx"] += 1
        except (TimeoutError, OSError, ConnectionError, asyncio.IncompleteReadError, ValueError):
            counters["socket_errors"] += 1
            if writer is not None:
                writer.close()
            reader = writer = None
            await asyncio.sleep(0.01)
    if writer is not None:
        writer.close()


def percentile_us(sorted_seconds: list[float], pct: float) -> int:
    """Nearest-rank percentile of sorted latencies, in microseconds."""
    if not sorted_seconds:
        return 0
    rank = max(0, min(len(sorted_seconds) - 1, round(pct / 100 * len(sorted_seconds)) - 1))
    return int(sorted_seconds[rank] * 1_000_000)


async def run(url: str, headers: list[str], connections: int, seconds: float) -> dict[str, int]:
    """Drive *connections* concurrent connections for *seconds*; the summary as a dict."""
    host, port, request = build_request(url, headers)
    latencies: list[float] = []
    counters = {"non2xx": 0, "socket_errors": 0}
    started = time.perf_counter()
    deadline = started + seconds
    await asyncio.gather(
        *(connection(host, port, request, deadline, latencies, counters) for _ in range(connections))
    )
    elapsed = time.perf_counter() - started
    latencies.sort()
    return {
        "requests": len(latencies),
        "duration_us": int(elapsed * 1_000_000),
        "p50_us": percentile_us(latencies, 50),
        "p95_us": percentile_us(latencies, 95),
        "p99_us": percentile_us(latencies, 99),
        **counters,
    }


def main(argv: list[str] | None = None) -> None:
    """Parse arguments, run the load, print the JSON summary."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", required=True)
    parser.add_argument("--header", action="append", default=[], help="extra header, 'Name: value'")
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--seconds", type=float, default=10.0)
    args = parser.parse_args(argv)
    headers = list(args.header)
    headers += [f"{k}: {v}" for k, v in json.loads(os.environ.get("LOADGEN_HEADERS", "{}")).items()]
    coro = run(args.url, headers, args.connections, args.seconds)
    try:
        import uvloop
    except ImportError:
        summary = asyncio.run(coro)
    else:
        summary = uvloop.run(coro)
    sys.stdout.write(json.dumps(summary) + "\n")


if __name__ == "__main__":
    main()
