"""Auth HTML pages: sign-in/up/out, password reset and invitation links (settings: ``settings_views``)."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, Response

from salesos.auth import schemas
from salesos.auth.api import client_ip
from salesos.auth.deps import CurrentPrincipal
from salesos.auth.models import User
from salesos.auth.repository import UserRepository
from salesos.auth.security import mask_csrf_token
from salesos.auth.service import accounts, credentials
from salesos.config import get_settings
from salesos.db.deps import DbSession
from salesos.errors import Conflict, DomainError, TooManyRequests, Unauthorized
from salesos.orgs import service as orgs_service
from salesos.orgs.repository import OrganizationRepository
from salesos.orgs.schemas import AcceptInvitationIn
from salesos.web.forms import FORM, FormErrors, attempt, domain_errors, local_path, validate
from salesos.web.pages import Visitor, see_other
from salesos.web.templating import render

router = APIRouter(include_in_schema=False)

NOTICES = {
    "reset": "Your password was changed. Sign in with the new one.",
    "signed-out": "You are signed out.",
    "org-deleted": "The organisation was deleted.",
    "left": "You left the organisation.",
}
Text = Annotated[str, Form()]


def _end_session(request: Request, session: DbSession) -> None:
    cookie = request.cookies.get(get_settings().session_cookie)
    if cookie:
        credentials.end_web_session(session, cookie)


def sign_in(
    response: Response, request: Request, session: DbSession, user: User, org_id: uuid.UUID
) -> Response:
    """Start a browser session in *org_id* and set its cookie on *response* (ending any previous one)."""
    settings = get_settings()
    _end_session(request, session)
    token = credentials.start_web_session(session, user, org_id, request.headers.get("user-agent", ""))
    response.set_cookie(
        settings.session_cookie,
        token,
        max_age=settings.session_days * 86400,
        path="/",
        httponly=True,
        samesite="lax",
        secure=settings.secure_cookies,
    )
    return response


def sign_out(response: Response, request: Request, session: DbSession) -> Response:
    """End this browser's session and clear its cookie on *response*."""
    settings = get_settings()
    _end_session(request, session)
    response.delete_cookie(
        settings.session_cookie, path="/", httponly=True, samesite="lax", secure=settings.secure_cookies
    )
    return response


def switch_org(
    request: Request, session: DbSession, user: User, org_id: uuid.UUID | None, notice: str = "left"
) -> Response:
    """Replace this browser's session with one in *org_id*, or sign out (with *notice*) when there is none."""
    if org_id is None:
        return sign_out(see_other(f"/login?done={notice}"), request, session)
    return sign_in(see_other("/"), request, session, user, org_id)


# --- sign in, sign up, sign out ---------------------------------------------------------------------------


@router.get("/login", response_class=HTMLResponse)
def login_page(request: Request, visitor: Visitor, next: str = "/", done: str = "") -> Response:
    """The sign-in form (a signed-in visitor goes straight on)."""
    target = local_path(next)
    if visitor is not None:
        return see_other("/" if target.startswith("/login") else target)
    return render(request, "auth/login.html", {"next": target, "notice": NOTICES.get(done)})


@router.post("/login", response_class=HTMLResponse)
def login(
    request: Request, session: DbSession, email: Text = "", password: Text = "", next: Text = "/"
) -> Response:
    """Check the credentials; on success set the session cookie and go to *next*."""
    target = local_path(next)
    form, errors = validate(schemas.LoginIn, {"email": email, "password": password})
    status, headers = 422, {}
    if form is not None:
        try:
            with attempt(session):
                user = accounts.authenticate(
                    session, email=form.email, password=form.password, ip=client_ip(request)
                )
                org_id = credentials.landing_org(session, user)
            return sign_in(see_other(target), request, session, user, org_id)
        except TooManyRequests as exc:
            errors = {FORM: f"Too many failed sign-ins. Try again in {wait_phrase(exc.retry_after)}."}
            status, headers = exc.status_code, dict(exc.headers)
        except Unauthorized as exc:
            errors, status = {FORM: exc.detail}, exc.status_code
    return render(
        request,
        "auth/login.html",
        {"email": email, "next": target, "errors": errors},
        status_code=status,
        headers=headers,
    )


def wait_phrase(seconds: int) -> str:
    """How long a throttled form asks the user to wait, in words ("45 seconds", "3 minutes")."""
    return f"{seconds} seconds" if seconds < 120 else f"{-(-seconds // 60)} minutes"


@router.get("/signup", response_class=HTMLResponse)
def signup_page(request: Request, visitor: Visitor) -> Response:
    """The sign-up form: your account and your organisation."""
    if visitor is not None:
        return see_other("/")
    return render(request, "auth/signup.html", {"values": {}})


@router.post("/signup", response_class=HTMLResponse)
def signup(
    request: Request,
    session: DbSession,
    name: Text = "",
    email: Text = "",
    password: Text = "",
    org_name: Text = "",
) -> Response:
    """Create the account and its organisation, sign in, and open the dashboard."""
    values = {"name": name, "email": email, "org_name": org_name}
    form, errors = validate(schemas.SignupIn, {**values, "password": password})
    status = 422
    if form is not None:
        try:
            with attempt(session):
                user, org = accounts.signup(
                    session, name=form.name, email=form.email, password=form.password, org_name=form.org_name
                )
            return sign_in(see_other("/"), request, session, user, org.id)
        except DomainError as exc:
            errors = domain_errors(exc, "email" if isinstance(exc, Conflict) else FORM)
            status = exc.status_code
    return render(request, "auth/signup.html", {"values": values, "errors": errors}, status_code=status)


@router.post("/logout")
def logout(request: Request, principal: CurrentPrincipal, session: DbSession) -> Response:
    """Sign this browser out (CSRF-protected like every signed-in POST); its cached pages go too."""
    response = sign_out(see_other("/login?done=signed-out"), request, session)
    response.headers["Clear-Site-Data"] = '"cache"'
    return response


# --- password reset ---------------------------------------------------------------------------------------


@router.get("/forgot-password", response_class=HTMLResponse)
def forgot_password_page(request: Request) -> Response:
    """Ask for a reset link."""
    return render(request, "auth/forgot_password.html", {})


@router.post("/forgot-password", response_class=HTMLResponse)
def forgot_password(request: Request, session: DbSession, email: Text = "") -> Response:
    """Send a link if the account exists; the answer never says whether it does."""
    form, errors = validate(schemas.PasswordResetIn, {"email": email})
    if form is None:
        return render(
            request, "auth/forgot_password.html", {"email": email, "errors": errors}, status_code=422
        )
    accounts.request_password_reset(session, form.email)
    return render(request, "auth/forgot_password.html", {"sent": True})


@router.get("/reset-password/{token}", response_class=HTMLResponse)
def reset_password_page(request: Request, token: str, session: DbSession) -> Response:
    """Choose a new password; a used or expired link says so before anyone types one."""
    if not accounts.reset_link_usable(session, token):
        errors = {FORM: "This reset link is invalid or has expired."}
        return render(request, "auth/reset_password.html", {"token": token, "errors": errors, "dead": True})
    return render(request, "auth/reset_password.html", {"token": token})


@router.post("/reset-password/{token}", response_class=HTMLResponse)
def reset_password(request: Request, token: str, session: DbSession, password: Text = "") -> Response:
    """Set the new password; every session of the account is signed out."""
    form, errors = validate(schemas.PasswordResetConfirmIn, {"token": token, "password": password})
    status = 422
    if form is not None:
        try:
            with attempt(session):
                accounts.reset_password(session, token=form.token, password=form.password)
            return see_other("/login?done=reset")
        except DomainError as exc:
            errors, status = domain_errors(exc), exc.status_code
    if "token" in errors:
        errors = {FORM: errors["token"]}
    return render(request, "auth/reset_password.html", {"token": token, "errors": errors}, status_code=status)


# --- invitation links -------------------------------------------------------------------------------------


def _invite_page(
    request: Request,
    session: DbSession,
    token: str,
    visitor: Visitor,
    errors: FormErrors | None = None,
    values: dict[str, str] | None = None,
    status_code: int = 200,
) -> Response:
    try:
        invitation = orgs_service.open_invitation(session, token)
    except DomainError as exc:
        return render(request, "auth/invite.html", {"problem": exc.detail}, status_code=exc.status_code)
    users = UserRepository(session)
    me = users.get(visitor.user_id) if visitor and visitor.user_id else None
    ctx = {
        "token": token,
        "invitation": invitation,
        "org": OrganizationRepository(session).current(),
        "me": me,
        "is_invitee": me is not None and accounts.normalize_email(me.email) == invitation.email,
        "csrf_token": mask_csrf_token(visitor.csrf_token) if visitor and visitor.csrf_token else "",
        "has_account": me is None and users.by_email(invitation.email) is not None,
        "errors": errors or {},
        "values": values or {},
    }
    return render(request, "auth/invite.html", ctx, status_code=status_code)


@router.get("/invite/{token}", response_class=HTMLResponse)
def invite_page(request: Request, token: str, session: DbSession, visitor: Visitor) -> Response:
    """The invitation: join as the signed-in user, or create the invited account."""
    return _invite_page(request, session, token, visitor)


@router.post("/invite/{token}", response_class=HTMLResponse)
def accept_invite(
    request: Request, token: str, session: DbSession, visitor: Visitor, name: Text = "", password: Text = ""
) -> Response:
    """Join the organisation, and land on its dashboard."""
    me = UserRepository(session).get(visitor.user_id) if visitor and visitor.user_id else None
    errors: FormErrors = {}
    status = 422
    if me is None:
        _, errors = validate(AcceptInvitationIn, {"token": token, "name": name, "password": password})
    if not errors:
        try:
            with attempt(session):
                user, membership = orgs_service.accept_invitation(
                    session, token=token, user=me, name=name or None, password=password or None
                )
            if me is not None:
                return switch_org(request, session, user, membership.org_id)
            return sign_in(see_other("/"), request, session, user, membership.org_id)
        except DomainError as exc:
            errors, status = domain_errors(exc), exc.status_code
    return _invite_page(request, session, token, visitor, errors, {"name": name}, status)
