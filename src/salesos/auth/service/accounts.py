"""Sign-up, sign-in and password reset."""

from __future__ import annotations

import re
import unicodedata
import uuid
from datetime import timedelta

from sqlalchemy.orm import Session

from salesos.auth.models import PasswordResetToken, User
from salesos.auth.repository import (
    PasswordResetRepository,
    RefreshTokenRepository,
    UserRepository,
    UserSessionRepository,
)
from salesos.auth.security import hash_password, needs_rehash, new_token, token_hash, verify_password
from salesos.auth.service.throttle import (
    check_login_allowed,
    check_password_check_allowed,
    clear_login_failures,
    record_login_failure,
    record_password_check_failure,
)
from salesos.config import get_settings
from salesos.crypto import encrypt
from salesos.db.base import utcnow, uuid7
from salesos.db.session import TENANT_KEY, USER_KEY, set_tenant
from salesos.errors import Conflict, Forbidden, Unauthorized, ValidationFailed
from salesos.jobs import enqueue
from salesos.leads.service.pipelines import ensure_default_pipeline
from salesos.orgs.models import Membership, Organization, Role
from salesos.orgs.repository import MembershipRepository, OrganizationRepository

MIN_PASSWORD_LENGTH = 10
SIGNUP_CLOSED = "Sign-up is closed on this server: ask someone on your team for an invitation."


def normalize_email(email: str) -> str:
    """Case- and whitespace-insensitive form used for lookups and uniqueness."""
    return email.strip().lower()


def check_password_strength(password: str) -> None:
    """Refuse passwords that are too short or all one character class of digits."""
    if len(password) < MIN_PASSWORD_LENGTH:
        raise ValidationFailed(f"Use at least {MIN_PASSWORD_LENGTH} characters.", field="password")
    if password.isdigit():
        raise ValidationFailed("Use more than digits.", field="password")


def slugify(name: str) -> str:
    """URL-safe slug of an organisation name."""
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_name.lower()).strip("-")
    return slug[:48] or "org"


def unique_slug(session: Session, name: str) -> str:
    """A slug for *name* not used by any organisation yet."""
    base = slugify(name)
    orgs = OrganizationRepository(session)
    candidate = base
    while orgs.id_for_slug(candidate) is not None:
        candidate = f"{base}-{new_token(3).lower().replace('_', '').replace('-', '')[:4]}"
    return candidate


def create_organization(session: Session, name: str, owner: User, slug: str | None = None) -> Organization:
    """A new org with *owner* as its owner and its default pipeline; scopes the session to it."""
    org = Organization(id=uuid7(), name=name.strip(), slug=slug or unique_slug(session, name))
    set_tenant(session, org.id, owner.id)
    session.add(org)
    session.flush()
    MembershipRepository(session).add(Membership(user_id=owner.id, role=Role.OWNER.value))
    # Made here, in this write transaction. Left to the first page that needs it, a GET would write: on
    # SQLite its read transaction then can't take the write lock once another writer (the job worker,
    # right after signup) has committed, and the page fails with "database is locked".
    ensure_default_pipeline(session)
    return org


def signup(
    session: Session, *, name: str, email: str, password: str, org_name: str
) -> tuple[User, Organization]:
    """Public sign-up: ``create_account``, unless the server's sign-up is closed (SALESOS_SIGNUP_OPEN)."""
    if not get_settings().signup_open:
        raise Forbidden(SIGNUP_CLOSED)
    return create_account(session, name=name, email=email, password=password, org_name=org_name)


def create_account(
    session: Session, *, name: str, email: str, password: str, org_name: str
) -> tuple[User, Organization]:
    """Create a user and the organisation they own (sign-up, and `salesos createuser` on any server)."""
    email = normalize_email(email)
    check_password_strength(password)
    users = UserRepository(session)
    if users.by_email(email) is not None:
        raise Conflict("An account with this email already exists. Sign in instead.")
    user = users.add(User(email=email, name=name.strip(), password_hash=hash_password(password)))
    org = create_organization(session, org_name, user)
    return user, org


def authenticate(session: Session, *, email: str, password: str, ip: str) -> User:
    """The user for these credentials, counting failures and throttling guessing (429)."""
    email = normalize_email(email)
    check_login_allowed(session, email, ip)
    user = UserRepository(session).by_email(email)
    if user is None or not user.is_active or not verify_password(user.password_hash, password):
        record_login_failure(session, email, ip)
        raise Unauthorized("Email or password is incorrect.", keep_writes=True)
    clear_login_failures(session, email)
    if needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
    user.last_login_at = utcnow()
    return user


def request_password_reset(session: Session, email: str) -> None:
    """Email a reset link if the account exists; the caller answers the same either way."""
    user = UserRepository(session).by_email(normalize_email(email))
    if user is None or not user.is_active:
        return
    token = new_token()
    reset_id = uuid7()
    lifetime = timedelta(minutes=get_settings().password_reset_minutes)
    PasswordResetRepository(session).add(
        PasswordResetToken(
            id=reset_id,
            user_id=user.id,
            token_hash=token_hash(token),
            token_sealed=encrypt(token, context=f"password_reset:{reset_id}"),
            expires_at=utcnow() + lifetime,
        )
    )
    enqueue(session, "auth.send_password_reset", reset_id=reset_id)


def reset_link_usable(session: Session, token: str) -> bool:
    """Whether a reset link can still set a password (unused, unexpired): the page says so up front."""
    return PasswordResetRepository(session).usable_by_hash(token_hash(token)) is not None


def reset_password(session: Session, *, token: str, password: str) -> User:
    """Set a new password from a valid reset token, and sign the user out everywhere."""
    reset = PasswordResetRepository(session).usable_by_hash(token_hash(token), lock=True)
    if reset is None:
        raise ValidationFailed("This reset link is invalid or has expired.", field="token")
    check_password_strength(password)
    user = UserRepository(session).get(reset.user_id)
    if user is None:
        raise ValidationFailed("This reset link is invalid or has expired.", field="token")
    reset.used_at = utcnow()
    set_password(session, user, password)
    session.flush()
    return user


def set_password(
    session: Session, user: User, password: str, *, keep_session_id: uuid.UUID | None = None
) -> None:
    """Give *user* a new password and end everything the old one opened.

    Every browser session but *keep_session_id* ends, the API clients' refresh tokens go in every
    organisation, and so do the reset links still in the mailbox: one mailed before the change would
    otherwise set the password again, behind the back of whoever just chose it.
    """
    user.password_hash = hash_password(password)
    PasswordResetRepository(session).retire_for_user(user.id)
    UserSessionRepository(session).delete_for_user(user.id, keep=keep_session_id)
    revoke_refresh_tokens_everywhere(session, user.id)


def revoke_refresh_tokens_everywhere(session: Session, user_id: uuid.UUID) -> None:
    """Cut off the user's API clients in every organisation they belong to (their password changed).

    Refresh tokens are tenant rows, so each organisation is visited in turn; the session's own tenant
    is put back afterwards. A password that leaked is one password for every organisation.
    """
    org_before, user_before = session.info.get(TENANT_KEY), session.info.get(USER_KEY)
    set_tenant(session, None, user_id)
    for org, _role in OrganizationRepository(session).for_user(user_id):
        set_tenant(session, org.id)
        RefreshTokenRepository(session).revoke_for_user(user_id)
    if user_before is None:
        session.info.pop(USER_KEY, None)
    set_tenant(session, org_before, user_before)


def update_profile(
    session: Session,
    user_id: uuid.UUID,
    *,
    name: str | None,
    password: str | None,
    current_password: str | None,
    timezone: str | None = None,
    reminder_minutes: int | None = None,
    keep_session_id: uuid.UUID | None = None,
) -> User:
    """Change a user's name, timezone ("" follows the org's) and/or password (which needs the current one).

    A new password signs the account out everywhere but *keep_session_id* (the browser that changed it):
    someone changing a password that leaked expects the other sessions to end, and the API clients'
    refresh tokens in every organisation with them.
    """
    user = UserRepository(session).get(user_id)
    if user is None:
        raise Unauthorized()
    if password is not None:
        # Before anything changes: a refusal that keeps its counted failure must keep nothing else.
        check_current_password(session, user, current_password)
        check_password_strength(password)
        if verify_password(user.password_hash, password):
            raise ValidationFailed("Choose a new password, not the current one.", field="password")
        set_password(session, user, password, keep_session_id=keep_session_id)
    if name is not None:
        user.name = name.strip()
    if timezone is not None:
        user.timezone = timezone or None
    if reminder_minutes is not None:
        user.reminder_minutes = reminder_minutes
    session.flush()
    return user


def check_current_password(session: Session, user: User, current_password: str | None) -> None:
    """Refuse a wrong current password, counted like a failed sign-in: guessing gets 429 just as fast."""
    check_password_check_allowed(session, user.email)
    if not current_password:
        raise ValidationFailed("Enter your current password.", field="current_password")
    if not verify_password(user.password_hash, current_password):
        record_password_check_failure(session, user.email)
        refusal = ValidationFailed("Current password is incorrect.", field="current_password")
        refusal.keep_writes = True  # the request rolls back, but the counted failure must stay
        raise refusal
    clear_login_failures(session, user.email)
