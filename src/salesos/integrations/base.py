"""What every provider adapter shares: the error type that tells retry from give-up."""

from __future__ import annotations


class ProviderError(Exception):
    """A provider call failed. *permanent* errors are not retried (bad address, rejected auth)."""

    def __init__(self, message: str, *, permanent: bool = False, provider: str = "") -> None:
        super().__init__(message)
        self.permanent = permanent
        self.provider = provider
