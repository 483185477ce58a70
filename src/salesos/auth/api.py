"""Auth JSON API: sign-up, tokens, the current user, password reset, API keys."""

from __future__ import annotations

import uuid

from fastapi import APIRouter, Request, status

from salesos.auth import schemas
from salesos.auth.deps import Admin, CurrentPrincipal, UserPrincipal
from salesos.auth.repository import ApiKeyRepository, UserRepository
from salesos.auth.service import accounts, credentials
from salesos.db.deps import DbSession
from salesos.orgs.repository import OrganizationRepository

router = APIRouter(tags=["auth"])


def client_ip(request: Request) -> str:
    """The peer address (uvicorn's --proxy-headers resolves X-Forwarded-For behind a trusted proxy)."""
    return request.client.host if request.client else "unknown"


def token_out(pair: credentials.TokenPair) -> schemas.TokenOut:
    """The API shape of a token pair."""
    return schemas.TokenOut(
        access_token=pair.access_token, refresh_token=pair.refresh_token, expires_in=pair.expires_in
    )


@router.post("/auth/signup", status_code=status.HTTP_201_CREATED, response_model=schemas.TokenOut)
def signup(body: schemas.SignupIn, session: DbSession) -> schemas.TokenOut:
    """Create an account and its organisation; returns tokens for the new owner."""
    user, org = accounts.signup(
        session, name=body.name, email=body.email, password=body.password, org_name=body.org_name
    )
    return token_out(credentials.issue_token_pair(session, user.id, org.id))


@router.post("/auth/token", response_model=schemas.TokenOut)
def login(body: schemas.LoginIn, request: Request, session: DbSession) -> schemas.TokenOut:
    """Exchange email + password for an access token (15 min) and a rotating refresh token."""
    user = accounts.authenticate(session, email=body.email, password=body.password, ip=client_ip(request))
    org_id = credentials.landing_org(session, user)
    return token_out(credentials.issue_token_pair(session, user.id, org_id))


@router.post("/auth/refresh", response_model=schemas.TokenOut)
def refresh(body: schemas.RefreshIn, session: DbSession) -> schemas.TokenOut:
    """Rotate a refresh token. Reusing an already-rotated one revokes its whole family."""
    return token_out(credentials.rotate_refresh_token(session, body.refresh_token))


@router.post("/auth/logout", status_code=status.HTTP_204_NO_CONTENT)
def logout(body: schemas.RefreshIn, session: DbSession) -> None:
    """Revoke the refresh token's family."""
    credentials.revoke_refresh_token(session, body.refresh_token)


@router.get("/auth/me", response_model=schemas.MeOut)
def me(principal: CurrentPrincipal, session: DbSession) -> schemas.MeOut:
    """Who the credentials belong to, in which org, with which role."""
    org = OrganizationRepository(session).current()
    user = UserRepository(session).get(principal.user_id) if principal.user_id else None
    return schemas.MeOut(
        user=schemas.UserOut.model_validate(user) if user else None,
        org=schemas.OrgBrief.model_validate(org),
        role=principal.role.value,
        auth=principal.kind,
        scopes=sorted(principal.scopes),
    )


@router.patch("/auth/me", response_model=schemas.UserOut)
def update_me(body: schemas.ProfileIn, principal: UserPrincipal, session: DbSession) -> schemas.UserOut:
    """Change your name, timezone or password; wrong current passwords count as failed sign-ins (429)."""
    user = accounts.update_profile(
        session,
        principal.user_id,  # type: ignore[arg-type]
        name=body.name,
        password=body.password,
        current_password=body.current_password,
        timezone=body.timezone,
        reminder_minutes=body.reminder_minutes,
        keep_session_id=principal.session_id,
    )
    return schemas.UserOut.model_validate(user)


@router.post("/auth/password-reset", status_code=status.HTTP_202_ACCEPTED)
def password_reset(body: schemas.PasswordResetIn, session: DbSession) -> dict[str, str]:
    """Email a reset link. The answer is the same whether or not the account exists."""
    accounts.request_password_reset(session, body.email)
    return {"detail": "If the account exists, a reset link is on its way."}


@router.post("/auth/password-reset/confirm", status_code=status.HTTP_204_NO_CONTENT)
def password_reset_confirm(body: schemas.PasswordResetConfirmIn, session: DbSession) -> None:
    """Set a new password with a reset token."""
    accounts.reset_password(session, token=body.token, password=body.password)


@router.get("/api-keys", response_model=list[schemas.ApiKeyOut])
def list_api_keys(principal: Admin, session: DbSession) -> list[schemas.ApiKeyOut]:
    """The organisation's API keys (never their secrets)."""
    return [schemas.ApiKeyOut.model_validate(k) for k in ApiKeyRepository(session).listing()]


@router.post("/api-keys", status_code=status.HTTP_201_CREATED, response_model=schemas.ApiKeyCreatedOut)
def create_api_key(body: schemas.ApiKeyIn, principal: Admin, session: DbSession) -> schemas.ApiKeyCreatedOut:
    """Create a key; its secret is in this response only."""
    key, plaintext = credentials.create_api_key(
        session, name=body.name, scopes=list(body.scopes), created_by=principal.user_id
    )
    return schemas.ApiKeyCreatedOut(**schemas.ApiKeyOut.model_validate(key).model_dump(), key=plaintext)


@router.delete("/api-keys/{api_key_id}", status_code=status.HTTP_204_NO_CONTENT)
def revoke_api_key(api_key_id: uuid.UUID, principal: Admin, session: DbSession) -> None:
    """Revoke a key: its next request gets 401."""
    credentials.revoke_api_key(session, api_key_id)
