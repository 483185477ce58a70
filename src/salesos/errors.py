"""Domain errors that carry their HTTP status, rendered as RFC 7807 problem+json or a friendly page."""

from __future__ import annotations

from typing import Any


class DomainError(Exception):
    """Base of errors the client caused or may act on; never a stack trace."""

    status_code = 400
    title = "Bad request"
    type_ = "about:blank"
    # True when the request's writes must still be committed (e.g. counting a failed login).
    keep_writes = False

    def __init__(
        self, detail: str | None = None, *, headers: dict[str, str] | None = None, keep_writes: bool = False
    ) -> None:
        super().__init__(detail or self.title)
        self.detail = detail or self.title
        self.headers = headers or {}
        self.keep_writes = keep_writes

    def problem(self) -> dict[str, Any]:
        """The RFC 7807 body."""
        return {"type": self.type_, "title": self.title, "status": self.status_code, "detail": self.detail}


class NotFound(DomainError):
    status_code = 404
    title = "Not found"


class Unauthorized(DomainError):
    status_code = 401
    title = "Not authenticated"

    def __init__(self, detail: str | None = None, *, keep_writes: bool = False) -> None:
        super().__init__(detail, headers={"WWW-Authenticate": "Bearer"}, keep_writes=keep_writes)


class Forbidden(DomainError):
    status_code = 403
    title = "Forbidden"


class Conflict(DomainError):
    status_code = 409
    title = "Conflict"


class TooManyRequests(DomainError):
    status_code = 429
    title = "Too many requests"

    def __init__(self, detail: str | None = None, *, retry_after: int) -> None:
        super().__init__(detail, headers={"Retry-After": str(max(1, retry_after))}, keep_writes=True)
        self.retry_after = retry_after


class ValidationFailed(DomainError):
    """Input that passed the schema but breaks a rule; points at the field when it can."""

    status_code = 422
    title = "Validation failed"

    def __init__(self, detail: str, *, field: str | None = None) -> None:
        super().__init__(detail)
        self.field = field

    def problem(self) -> dict[str, Any]:
        body = super().problem()
        if self.field:
            body["errors"] = [{"field": self.field, "message": self.detail}]
        return body


class PayloadTooLarge(DomainError):
    status_code = 413
    title = "Payload too large"


class UpstreamFailed(DomainError):
    """A provider the request depends on (an OAuth server, say) refused or failed; nothing was written."""

    status_code = 502
    title = "Upstream service failed"
