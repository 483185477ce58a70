"""Settings pages of the signed-in user: profile, password and the organisation's API keys."""

from __future__ import annotations

import json
import uuid
from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from salesos.auth import schemas
from salesos.auth.deps import Admin, UserPrincipal
from salesos.auth.models import ApiKey
from salesos.auth.repository import ApiKeyRepository
from salesos.auth.service import accounts, credentials
from salesos.auth.views import wait_phrase
from salesos.config import get_settings
from salesos.crypto import decrypt, encrypt
from salesos.db.deps import DbSession
from salesos.errors import DomainError, TooManyRequests
from salesos.orgs.schemas import known_timezones
from salesos.web.forms import FORM, attempt, domain_errors, validate
from salesos.web.pages import page, see_other

router = APIRouter(include_in_schema=False)

NOTICES = {
    "profile": "Your profile was saved.",
    "password": "Your password was changed. Every other device and app using your account is signed out.",
    "revoked": "The API key was revoked. Requests using it now fail.",
}
Text = Annotated[str, Form()]


@router.get("/settings")
def settings_index() -> Response:
    """Settings open on the profile tab."""
    return RedirectResponse("/settings/profile", status_code=307)


@router.get("/settings/profile", response_class=HTMLResponse)
def profile_page(request: Request, principal: UserPrincipal, session: DbSession, done: str = "") -> Response:
    """Your name, timezone and password."""
    context = {
        "notice": NOTICES.get(done),
        "timezones": sorted(known_timezones()),
        "reminder_choices": schemas.REMINDER_CHOICES,
    }
    return page(request, session, principal, "auth/profile.html", context)


@router.post("/settings/profile", response_class=HTMLResponse)
def update_profile(
    request: Request,
    principal: UserPrincipal,
    session: DbSession,
    name: Text = "",
    timezone: Text = "",
    reminder_minutes: Text = "10",
) -> Response:
    """Change your display name, timezone and reminder lead time."""
    # A form sends text; the schema takes the minutes as a number.
    minutes: int | str = int(reminder_minutes) if reminder_minutes.isdigit() else reminder_minutes
    values = {"name": name, "timezone": timezone, "reminder_minutes": minutes}
    form, errors = validate(schemas.ProfileIn, values)
    if form is not None:
        assert principal.user_id is not None  # UserPrincipal: API keys can't reach this page
        accounts.update_profile(
            session,
            principal.user_id,
            name=form.name,
            password=None,
            current_password=None,
            timezone=form.timezone or "",
            reminder_minutes=form.reminder_minutes,
        )
        return see_other("/settings/profile?done=profile")
    if "timezone" in errors:
        errors["timezone"] = "Choose a timezone from the list."
    if "reminder_minutes" in errors:
        errors["reminder_minutes"] = "Choose one of the listed times."
    return page(
        request,
        session,
        principal,
        "auth/profile.html",
        {
            "name_errors": errors,
            "name": name,
            "timezone": timezone,
            "reminder_minutes": reminder_minutes,
            "timezones": sorted(known_timezones()),
            "reminder_choices": schemas.REMINDER_CHOICES,
        },
        status_code=422,
    )


@router.post("/settings/profile/password", response_class=HTMLResponse)
def change_password(
    request: Request,
    principal: UserPrincipal,
    session: DbSession,
    current_password: Text = "",
    password: Text = "",
) -> Response:
    """Change your password (needs the current one; wrong ones are throttled like sign-ins)."""
    form, errors = validate(schemas.ProfileIn, {"password": password, "current_password": current_password})
    status, headers = 422, {}
    if form is not None:
        try:
            with attempt(session):
                accounts.update_profile(
                    session,
                    principal.user_id,  # type: ignore[arg-type]
                    name=None,
                    password=form.password,
                    current_password=form.current_password,
                    keep_session_id=principal.session_id,  # this browser stays signed in
                )
            return see_other("/settings/profile?done=password")
        except TooManyRequests as exc:
            errors = {FORM: f"Too many wrong passwords. Try again in {wait_phrase(exc.retry_after)}."}
            status, headers = exc.status_code, dict(exc.headers)
        except DomainError as exc:
            errors, status = domain_errors(exc, "password"), exc.status_code
    context = {"password_errors": errors}
    return page(
        request, session, principal, "auth/profile.html", context, status_code=status, headers=headers
    )


def _api_keys_page(
    request: Request, session: DbSession, principal: Admin, *, status_code: int = 200, **ctx: object
) -> HTMLResponse:
    keys = ApiKeyRepository(session).listing()
    context = {"keys": keys, **ctx}
    response = page(request, session, principal, "auth/api_keys.html", context, status_code=status_code)
    # The page may carry a freshly created secret: keep it out of every cache.
    response.headers["Cache-Control"] = "no-store"
    return response


# A new key's secret reaches the page after the redirect in a short-lived cookie, sealed to the browser
# session that made it and read once: the page can then be a plain GET, so a reload shows the list
# again instead of posting the form a second time and making a second key.
NEW_KEY_COOKIE = "salesos_new_key"
NEW_KEY_PATH = "/settings/api-keys"
NEW_KEY_SECONDS = 120


def _new_key_context(principal: Admin) -> str:
    return f"new-api-key:{principal.session_id}"


def _hand_over(response: Response, principal: Admin, key_id: uuid.UUID, secret: str) -> Response:
    sealed = encrypt(json.dumps({"id": str(key_id), "secret": secret}), context=_new_key_context(principal))
    response.set_cookie(
        NEW_KEY_COOKIE,
        sealed,
        max_age=NEW_KEY_SECONDS,
        path=NEW_KEY_PATH,
        httponly=True,
        samesite="strict",
        secure=get_settings().secure_cookies,
    )
    return response


def _handed_over(request: Request, principal: Admin, session: DbSession) -> tuple[ApiKey | None, str | None]:
    """The key just made in this browser session and its secret, if the cookie carries them."""
    sealed = request.cookies.get(NEW_KEY_COOKIE)
    if not sealed:
        return None, None
    try:
        data = json.loads(decrypt(sealed, context=_new_key_context(principal)))
    except ValueError:
        return None, None
    key = ApiKeyRepository(session).get(uuid.UUID(data["id"]))
    if key is None or key.revoked_at is not None:
        return None, None
    return key, str(data["secret"])


@router.get("/settings/api-keys", response_class=HTMLResponse)
def api_keys_page(request: Request, principal: Admin, session: DbSession, done: str = "") -> Response:
    """The organisation's API keys (admin+); right after a key is made, its secret, once."""
    created, secret = _handed_over(request, principal, session)
    response = _api_keys_page(
        request, session, principal, notice=NOTICES.get(done), created=created, secret=secret
    )
    if NEW_KEY_COOKIE in request.cookies:
        response.delete_cookie(NEW_KEY_COOKIE, path=NEW_KEY_PATH)
    return response


@router.post("/settings/api-keys", response_class=HTMLResponse)
def create_api_key(
    request: Request,
    principal: Admin,
    session: DbSession,
    name: Text = "",
    scopes: Annotated[list[str] | None, Form()] = None,
) -> Response:
    """Create a key and show its secret, once."""
    chosen = scopes or []
    form, errors = validate(schemas.ApiKeyIn, {"name": name, "scopes": chosen})
    status = 422
    if form is not None:
        try:
            with attempt(session):
                key, secret = credentials.create_api_key(
                    session, name=form.name, scopes=list(form.scopes), created_by=principal.user_id
                )
            return _hand_over(see_other(NEW_KEY_PATH), principal, key.id, secret)
        except DomainError as exc:
            errors, status = domain_errors(exc), exc.status_code
    return _api_keys_page(
        request,
        session,
        principal,
        errors=errors,
        values={"name": name, "scopes": chosen},
        status_code=status,
    )


@router.post("/settings/api-keys/{api_key_id}/revoke")
def revoke_api_key(api_key_id: uuid.UUID, principal: Admin, session: DbSession) -> Response:
    """Revoke a key; its next request gets 401."""
    credentials.revoke_api_key(session, api_key_id)
    return see_other("/settings/api-keys?done=revoked")
