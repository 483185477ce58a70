"""The one error the safe fetcher raises, with a short machine-readable reason."""

from __future__ import annotations

from salesos.integrations.base import ProviderError

# Reasons are stable strings: the audit stores them and the UI shows them next to "unreachable".
REFUSED_SCHEME = "refused: scheme"
REFUSED_PRIVATE = "refused: private address"
REFUSED_INVALID = "refused: invalid url"
UNRESOLVABLE = "unresolvable host"
TOO_MANY_REDIRECTS = "too many redirects"
BODY_TOO_LARGE = "body over size cap"
TIMEOUT = "timeout"
CONNECT_FAILED = "connection failed"
TLS_INVALID = "certificate invalid"
ROBOTS_DISALLOWED = "robots.txt disallows"


class FetchError(ProviderError):
    """A fetch refused or failed; *reason* is one of the module's reason strings."""

    def __init__(self, reason: str, detail: str = "", *, permanent: bool = True, url: str = "") -> None:
        super().__init__(f"{reason}: {detail}" if detail else reason, permanent=permanent, provider="web")
        self.reason = reason
        self.url = url
