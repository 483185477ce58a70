"""The shared provider HTTP helper: Retry-After parsing and capping, connection failures, the rate limiter."""

from __future__ import annotations

import itertools
import threading
import time
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime

import pytest

from salesos.integrations.base import ProviderError
from salesos.integrations.search.http import ProviderHTTP, RateLimiter, RetryPolicy, parse_retry_after
from tests.integrations.search.fake_http import FakeService, Request, serve
from tests.support.servers import free_port


class Echo(FakeService):
    def handle(self, request: Request):  # type: ignore[no-untyped-def]
        return 200, {}, {"ok": True}


def test_retry_after_as_seconds_and_as_http_date():
    assert parse_retry_after("7") == 7.0
    later = format_datetime(datetime.now(UTC) + timedelta(seconds=30), usegmt=True)
    assert 28 <= (parse_retry_after(later) or 0) <= 30
    assert parse_retry_after("soon") is None and parse_retry_after(None) is None


def test_a_huge_retry_after_is_capped():
    slept: list[float] = []
    with serve(Echo()) as fake:
        fake.fail_next(429, {"error": {"message": "slow down"}}, headers={"Retry-After": "3600"})
        http = ProviderHTTP("echo", kind="search", policy=RetryPolicy(retry_after_cap_seconds=0.2),
                            sleep=slept.append)  # fmt: skip
        assert http.request("GET", fake.origin + "/x", endpoint="x").json() == {"ok": True}
    assert slept == [0.2]


def test_connection_refused_is_retried_then_a_retryable_error():
    slept: list[float] = []
    policy = RetryPolicy(attempts=3, backoff_seconds=0.5, backoff_max_seconds=0.8)
    http = ProviderHTTP("nowhere", kind="search", policy=policy, sleep=slept.append)
    with pytest.raises(ProviderError) as info:
        http.request("GET", f"http://127.0.0.1:{free_port()}/", endpoint="root")
    assert info.value.permanent is False and "ConnectError" in str(info.value)
    # Exponential with jitter in [0.5, 1] x the step: 0.5 then 1.0 capped at 0.8.
    assert len(slept) == 2 and 0.25 <= slept[0] <= 0.5 and 0.4 <= slept[1] <= 0.8


def test_rate_limiter_spaces_concurrent_callers():
    limiter = RateLimiter(per_second=20)
    stamps: list[float] = []
    lock = threading.Lock()

    def call() -> None:
        limiter.acquire()
        with lock:
            stamps.append(time.monotonic())

    threads = [threading.Thread(target=call) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    stamps.sort()
    assert min(b - a for a, b in itertools.pairwise(stamps)) >= 0.045
    assert stamps[-1] - stamps[0] >= 7 * 0.05 - 0.01
