"""Signed-in pages: the shell around them (who, which org, which role), redirects, the optional visitor."""

from __future__ import annotations

from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse, RedirectResponse

from salesos.auth.deps import OptionalPrincipal
from salesos.auth.principal import Principal
from salesos.auth.repository import UserRepository
from salesos.auth.security import mask_csrf_token
from salesos.auth.service.accounts import MIN_PASSWORD_LENGTH
from salesos.db.deps import DbSession
from salesos.notifications.service import unread_count
from salesos.orgs.models import Role, effective_timezone
from salesos.orgs.repository import OrganizationRepository
from salesos.web.templating import render, templates

templates.env.globals["min_password_length"] = MIN_PASSWORD_LENGTH

# (path, label, built yet) of the main navigation; the unbuilt sections arrive with later issues.
NAV = [
    ("/", "Dashboard", True),
    ("/leads", "Leads", True),
    ("/tasks", "Tasks", True),
    ("/campaigns", "Campaigns", True),
    ("/outreach", "Outreach", False),
    ("/inbox", "Inbox", False),
    ("/analytics", "Analytics", False),
    ("/settings", "Settings", True),
]
SETTINGS_TABS = [
    ("/settings/profile", "Profile", Role.VIEWER),
    ("/settings/calendar", "Calendar", Role.VIEWER),
    ("/settings/push", "Push", Role.VIEWER),
    ("/settings/organization", "Organisation", Role.VIEWER),
    ("/settings/members", "Members", Role.VIEWER),
    ("/settings/pipelines", "Pipelines", Role.VIEWER),
    ("/settings/notifications", "Notifications", Role.VIEWER),
    ("/settings/api-keys", "API keys", Role.ADMIN),
    ("/settings/intake", "Intake", Role.ADMIN),
]


Visitor = OptionalPrincipal


def is_htmx(request: Request) -> bool:
    """True for requests HTMX made for a fragment.

    HTMX's history restore (Back to a URL a filter bar pushed, when its page snapshot is missing) sends
    HX-Request too, but swaps the answer in for the whole body: it must get the page, like a reload.
    """
    headers = request.headers
    return headers.get("hx-request") == "true" and headers.get("hx-history-restore-request") != "true"


def see_other(url: str) -> RedirectResponse:
    """Post/redirect/get."""
    return RedirectResponse(url, status_code=303)


def nav_active(path: str, href: str) -> str | None:
    """The aria-current value of nav item *href* on *path*: "page", "true" (its section) or None."""
    if path == href:
        return "page"
    if href != "/" and path.startswith(href + "/"):
        return "true"
    return None


def page(
    request: Request,
    session: DbSession,
    principal: Principal,
    name: str,
    context: dict[str, Any] | None = None,
    status_code: int = 200,
    headers: dict[str, str] | None = None,
) -> HTMLResponse:
    """Render *name* inside the app shell: navigation, user menu, the org and the caller's role.

    A view that already loaded the caller (``me``) or the org (``org``) passes them in *context*.
    """
    given = context or {}
    user = given.get("me") or (UserRepository(session).get(principal.user_id) if principal.user_id else None)
    org = given.get("org") or OrganizationRepository(session).current()
    path = request.url.path
    ctx: dict[str, Any] = {
        "me": user,
        "org": org,
        "role": principal.role.value,
        "is_admin": principal.has_role(Role.ADMIN),
        "is_owner": principal.role is Role.OWNER,
        "csrf_token": mask_csrf_token(principal.csrf_token) if principal.csrf_token else "",
        # The header bell's number (notifications.js keeps it live).
        "notifications_unread": unread_count(session, principal.user_id),
        # The zone this reader's times are shown in (theirs, else the org's); a view may pass its own.
        "tz": effective_timezone(user, org),
        "nav": [(href, label, nav_active(path, href), not built) for href, label, built in NAV],
        "settings_tabs": [
            (href, label, "page" if path == href else None)
            for href, label, role in SETTINGS_TABS
            if principal.has_role(role)
        ],
    }
    ctx.update(context or {})
    response = render(request, name, ctx, status_code=status_code, headers=headers)
    # A signed-in page holds the org's data: no copy is kept, so Back after signing out (or the next
    # person at a shared computer) gets the sign-in page, not the dashboard from the browser's cache.
    response.headers.setdefault("Cache-Control", "no-store")
    return response
