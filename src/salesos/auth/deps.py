"""Authentication and permission dependencies: ``CurrentPrincipal``, ``Writer``, ``Admin``, ``Owner``."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Annotated

from fastapi import Depends, Request

from salesos.auth.principal import Principal
from salesos.auth.security import csrf_token_matches
from salesos.auth.service.resolve import principal_from_bearer, principal_from_cookie
from salesos.config import get_settings
from salesos.db.deps import SAFE_METHODS, DbSession
from salesos.errors import Forbidden, Unauthorized
from salesos.orgs.models import Role

CSRF_HEADER = "X-CSRF-Token"
CSRF_FORM_FIELD = "csrf_token"


async def csrf_token_sent(request: Request) -> str:
    """The CSRF token from the header (HTMX, fetch) or the form field (plain HTML forms)."""
    if request.method in SAFE_METHODS:
        return ""
    header = request.headers.get(CSRF_HEADER)
    if header:
        return header
    content_type = request.headers.get("content-type", "")
    if content_type.startswith(("application/x-www-form-urlencoded", "multipart/form-data")):
        form = await request.form()  # cached by Starlette; the endpoint reads the same form
        value = form.get(CSRF_FORM_FIELD)
        return value if isinstance(value, str) else ""
    return ""


def get_principal(
    request: Request, session: DbSession, csrf_sent: Annotated[str, Depends(csrf_token_sent)]
) -> Principal:
    """The caller, from a bearer token or the session cookie; 401 when neither is valid.

    Cookie-authenticated unsafe requests must carry the session's CSRF token (403 otherwise);
    bearer tokens are not sent by browsers on their own, so they need none.
    """
    cached: Principal | None = getattr(request.state, "principal", None)
    if cached is not None:
        return cached
    authorization = request.headers.get("authorization", "")
    principal: Principal | None
    if authorization.lower().startswith("bearer "):
        principal = principal_from_bearer(session, authorization[7:].strip())
    else:
        cookie = request.cookies.get(get_settings().session_cookie)
        principal = principal_from_cookie(session, cookie) if cookie else None
        needs_csrf = principal is not None and request.method not in SAFE_METHODS
        if needs_csrf and not csrf_token_matches(csrf_sent, principal.csrf_token or ""):  # type: ignore[union-attr]
            raise Forbidden("Missing or invalid CSRF token.")
    if principal is None:
        raise Unauthorized()
    request.state.principal = principal
    return principal


CurrentPrincipal = Annotated[Principal, Depends(get_principal)]


def optional_principal(
    request: Request, session: DbSession, csrf_sent: Annotated[str, Depends(csrf_token_sent)]
) -> Principal | None:
    """The signed-in caller, or None; a bad CSRF token on a signed-in POST is still a 403."""
    try:
        return get_principal(request, session, csrf_sent)
    except Unauthorized:
        return None


OptionalPrincipal = Annotated[Principal | None, Depends(optional_principal)]


# The checks below are async on purpose: they only compare, and a sync dependency costs a threadpool hop.


def require_role(role: Role) -> Callable[[Principal], Awaitable[Principal]]:
    """Dependency factory: the caller must hold at least *role* in the current org."""

    async def check(principal: CurrentPrincipal) -> Principal:
        if not principal.has_role(role):
            if principal.kind == "api_key" and role is Role.MEMBER:
                raise Forbidden("This API key is read-only: writing needs a key with the write scope.")
            raise Forbidden(f"This needs the {role.value} role or higher.")
        return principal

    return check


async def require_user(principal: CurrentPrincipal) -> Principal:
    """The caller must be a person, not an API key (e.g. to manage their own profile)."""
    if principal.user_id is None:
        raise Forbidden("This endpoint is for users, not API keys.")
    return principal


Viewer = CurrentPrincipal
Writer = Annotated[Principal, Depends(require_role(Role.MEMBER))]
Admin = Annotated[Principal, Depends(require_role(Role.ADMIN))]
Owner = Annotated[Principal, Depends(require_role(Role.OWNER))]
UserPrincipal = Annotated[Principal, Depends(require_user)]
