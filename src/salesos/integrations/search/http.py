"""Provider HTTP calls shared by every adapter: rate limit, bounded retries, error reasons and metering.

429 (honouring Retry-After, capped), 408, 5xx and connection failures are retried with exponential
backoff; any other 4xx is a permanent ``ProviderError`` carrying the provider's own reason. Each call that
went through is reported as a ``Usage`` so the job running it can record it in ``api_usage``.
"""

from __future__ import annotations

import random
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal
from email.utils import parsedate_to_datetime
from typing import Any

import httpx
from tenacity import RetryCallState, Retrying, retry_if_exception_type, stop_after_attempt

from salesos.integrations.base import ProviderError

TIMEOUT_SECONDS = 20.0
REASON_MAX_CHARS = 300


@dataclass(frozen=True)
class Usage:
    """What one provider call costs; maps onto ``record_usage(kind, provider=service, operation=endpoint,
    units=credits, cost=cost)``."""

    kind: str
    service: str
    endpoint: str
    credits: int = 1
    cost: Decimal | None = None


UsageSink = Callable[[Usage], None]


@dataclass(frozen=True)
class RetryPolicy:
    """How hard to try before giving up; tests shrink the delays."""

    attempts: int = 4
    backoff_seconds: float = 0.5
    backoff_max_seconds: float = 8.0
    retry_after_cap_seconds: float = 30.0

    @classmethod
    def from_settings(cls, settings: Any) -> RetryPolicy:
        """The policy from SALESOS_PROVIDER_* settings, with these defaults where unset."""
        return cls(
            attempts=int(settings.provider_max_attempts),
            retry_after_cap_seconds=float(settings.provider_retry_after_cap_seconds),
        )


class RateLimiter:
    """At most *per_second* calls per second across threads: each caller sleeps until its own slot."""

    def __init__(self, per_second: float, *, sleep: Callable[[float], None] = time.sleep) -> None:
        self.interval = 1.0 / per_second if per_second > 0 else 0.0
        self._next_slot = 0.0
        self._lock = threading.Lock()
        self._sleep = sleep

    def acquire(self) -> float:
        """Wait for the next free slot; return how long this caller waited."""
        with self._lock:
            now = time.monotonic()
            slot = max(now, self._next_slot)
            # Reserve the slot before sleeping so concurrent callers queue up behind it.
            self._next_slot = slot + self.interval
        delay = slot - now
        if delay > 0:
            self._sleep(delay)
        return delay


_LIMITERS: dict[tuple[str, float], RateLimiter] = {}
_LIMITERS_LOCK = threading.Lock()


def shared_limiter(service: str, per_second: float) -> RateLimiter:
    """The process-wide limiter of *service*: every adapter instance shares the service's budget."""
    with _LIMITERS_LOCK:
        return _LIMITERS.setdefault((service, per_second), RateLimiter(per_second))


class _Retryable(Exception):
    def __init__(self, reason: str, retry_after: float | None = None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.retry_after = retry_after


def parse_retry_after(value: str | None) -> float | None:
    """Seconds to wait from a Retry-After header (delta-seconds or HTTP-date), or None."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        moment = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return max(0.0, (moment - datetime.now(UTC)).total_seconds())


def error_reason(response: httpx.Response) -> str:
    """The provider's own words for a failed call (Google/OpenAI, Yelp and plain-text shapes)."""
    try:
        data = response.json()
    except ValueError:
        data = None
    text = ""
    if isinstance(data, dict):
        error = data.get("error", data)
        if isinstance(error, dict):
            text = str(error.get("message") or error.get("description") or error.get("code") or "")
        elif error:
            text = str(error)
    if not text:
        text = response.text.strip() or response.reason_phrase
    return " ".join(text.split())[:REASON_MAX_CHARS]


def json_body(response: httpx.Response, service: str) -> Any:
    """The decoded JSON of a successful response; a non-JSON body (a proxy's error page) is retryable."""
    try:
        return response.json()
    except ValueError as exc:
        raise ProviderError(f"{service} answered with a body that is not JSON.", provider=service) from exc


class ProviderHTTP:
    """An httpx client for one service that retries what is worth retrying and meters what went through."""

    def __init__(
        self,
        service: str,
        *,
        kind: str,
        client: httpx.Client | None = None,
        policy: RetryPolicy | None = None,
        limiter: RateLimiter | None = None,
        on_usage: UsageSink | None = None,
        headers: dict[str, str] | None = None,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.service = service
        self.kind = kind
        self.client = client or httpx.Client(timeout=TIMEOUT_SECONDS, follow_redirects=False)
        self.policy = policy or RetryPolicy()
        self.limiter = limiter
        self.on_usage = on_usage
        self.headers = headers or {}
        self._sleep = sleep

    def request(
        self,
        method: str,
        url: str,
        *,
        endpoint: str,
        credits: int = 1,
        cost: Decimal | None = None,
        measure: Callable[[httpx.Response], tuple[int, Decimal | None]] | None = None,
        **kwargs: Any,
    ) -> httpx.Response:
        """Send one call (retrying transient failures); raise ``ProviderError`` when it cannot succeed.

        *measure* computes (credits, cost) from the response when the price depends on it (LLM tokens).
        """
        kwargs["headers"] = {**self.headers, **kwargs.get("headers", {})}
        retrying = Retrying(
            stop=stop_after_attempt(max(1, self.policy.attempts)),
            wait=self._wait,
            retry=retry_if_exception_type(_Retryable),
            sleep=self._sleep,
            reraise=True,
        )
        try:
            response = retrying(self._attempt, method, url, endpoint, kwargs)
        except _Retryable as exc:
            raise ProviderError(
                f"{self.service} {endpoint}: {exc.reason} (gave up after {self.policy.attempts} attempts)",
                permanent=False,
                provider=self.service,
            ) from exc
        if measure is not None:
            credits, cost = measure(response)
        if self.on_usage is not None:
            self.on_usage(Usage(self.kind, self.service, endpoint, credits, cost))
        return response

    def _attempt(self, method: str, url: str, endpoint: str, kwargs: dict[str, Any]) -> httpx.Response:
        if self.limiter is not None:
            self.limiter.acquire()
        try:
            response = self.client.request(method, url, **kwargs)
        except httpx.TransportError as exc:
            raise _Retryable(f"connection failed ({type(exc).__name__})") from exc
        status = response.status_code
        if status == 429 or status == 408 or status >= 500:
            retry_after = parse_retry_after(response.headers.get("retry-after"))
            raise _Retryable(f"answered {status}: {error_reason(response)}", retry_after)
        if status >= 400:
            raise ProviderError(
                f"{self.service} {endpoint} answered {status}: {error_reason(response)}",
                permanent=True,
                provider=self.service,
            )
        return response

    def _wait(self, state: RetryCallState) -> float:
        error = state.outcome.exception() if state.outcome is not None else None
        if isinstance(error, _Retryable) and error.retry_after is not None:
            return min(error.retry_after, self.policy.retry_after_cap_seconds)
        delay = min(
            self.policy.backoff_seconds * 2 ** (state.attempt_number - 1), self.policy.backoff_max_seconds
        )
        # Jitter keeps workers that failed together from retrying together.
        return delay * (0.5 + random.random() / 2)
