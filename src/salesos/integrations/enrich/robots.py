"""robots.txt, fetched through the same safe fetcher and cached per origin.

Outcomes follow RFC 9309: 2xx is parsed, 4xx means no rules, 5xx means "assume everything disallowed".
A robots.txt that cannot be fetched because the site itself is unreachable raises that error, so the caller
reports the real cause instead of a robots refusal.
"""

from __future__ import annotations

import asyncio
from collections import OrderedDict
from typing import TYPE_CHECKING
from urllib.robotparser import RobotFileParser

import httpx

from salesos.integrations.enrich import errors
from salesos.integrations.enrich.errors import FetchError

if TYPE_CHECKING:
    from salesos.integrations.enrich.fetch import SafeFetcher

MAX_ROBOTS_BYTES = 512 * 1024
MAX_CACHED = 5_000
# Failures that say the site is down rather than that its robots.txt is odd.
SITE_DOWN = {errors.TIMEOUT, errors.CONNECT_FAILED, errors.UNRESOLVABLE, errors.TLS_INVALID}


DISALLOW_ALL = ["User-agent: *", "Disallow: /"]


def _parser(lines: list[str]) -> RobotFileParser:
    parser = RobotFileParser()
    parser.parse(lines)
    return parser


class RobotsCache:
    """Answers "may this agent fetch this URL?", one robots.txt fetch per origin."""

    def __init__(self, fetcher: SafeFetcher, agent: str) -> None:
        self.fetcher = fetcher
        self.agent = agent
        self._cache: OrderedDict[str, asyncio.Future[RobotFileParser]] = OrderedDict()

    async def allowed(self, url: httpx.URL) -> bool:
        """True when the origin's robots.txt lets our agent fetch *url*."""
        origin = f"{url.scheme}://{url.netloc.decode('ascii')}"
        future = self._cache.get(origin)
        if future is None:
            # Concurrent pages of one site share one robots.txt fetch.
            future = asyncio.get_running_loop().create_future()
            self._cache[origin] = future
            while len(self._cache) > MAX_CACHED:
                self._cache.popitem(last=False)
            try:
                future.set_result(await self._load(origin))
            except BaseException as exc:
                # Not cached: the next attempt may find the site up again.
                self._cache.pop(origin, None)
                future.set_exception(exc)
                # Retrieve it here so an unawaited future does not log "exception never retrieved".
                future.exception()
                raise
        parser = await asyncio.shield(future)
        return parser.can_fetch(self.agent, str(url))

    async def _load(self, origin: str) -> RobotFileParser:
        try:
            result = await self.fetcher.fetch(f"{origin}/robots.txt", robots=False, max_body=MAX_ROBOTS_BYTES)
        except FetchError as exc:
            if exc.reason in SITE_DOWN:
                raise
            return _parser([])
        if result.status >= 500:
            return _parser(DISALLOW_ALL)
        if result.status >= 400:
            return _parser([])
        return _parser(result.text.splitlines())
