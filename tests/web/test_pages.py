"""The HTML shell through a real app: sign-up/in/out, settings pages, roles, CSRF, PWA files, isolation."""

from __future__ import annotations

import json
import re
import struct
import uuid

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from salesos.auth.models import PasswordResetToken
from salesos.crypto import decrypt
from salesos.db.session import unit_of_work
from salesos.orgs.models import Invitation
from tests.conftest import both_databases
from tests.support.world import PASSWORD

HTML = {"Accept": "text/html"}
CSRF_META = re.compile(r'<meta name="csrf-token" content="([^"]+)">')


@pytest.fixture
def browser(app):  # type: ignore[no-untyped-def]
    """A factory of TestClients acting like separate browsers (each with its own cookie jar)."""
    clients: list[TestClient] = []

    def make() -> TestClient:
        client = TestClient(app, base_url="http://testserver", headers=HTML, follow_redirects=False)
        clients.append(client)
        return client

    yield make
    for client in clients:
        client.close()


def csrf_of(client: TestClient) -> str:
    """The CSRF token the app put in the page for this browser's session."""
    page = client.get("/settings/profile")
    assert page.status_code == 200, page.text
    match = CSRF_META.search(page.text)
    assert match, "signed-in pages carry the CSRF token in a meta tag"
    return match.group(1)


def sign_in(client: TestClient, email: str, password: str = PASSWORD) -> str:
    """Sign *client* in through the form; returns the session's CSRF token."""
    response = client.post("/login", data={"email": email, "password": password, "next": "/"})
    assert response.status_code == 303, response.text
    return csrf_of(client)


def invite(client: TestClient, token: str, email: str, role: str = "member"):  # type: ignore[no-untyped-def]
    """Submit the members page's invitation form."""
    return client.post("/settings/invitations", data={"email": email, "role": role, "csrf_token": token})


def is_current(page: str, href: str) -> bool:
    """Whether the main navigation marks *href* as the current page."""
    return f'<a href="{href}" aria-current="page">' in page.split('aria-label="Main"')[1]


def invitation_token(email: str, org_id: uuid.UUID | None = None) -> str:
    """The invitation link's token, as the email job would send it (*org_id*: the inviting org, which
    row-level security on PostgreSQL needs to show the row)."""
    with unit_of_work(write=False, org_id=org_id) as session:
        invitation = session.scalars(
            select(Invitation).where(Invitation.email == email).order_by(Invitation.id.desc())
        ).first()
        assert invitation is not None
        return decrypt(invitation.token_sealed, context=f"invitation:{invitation.id}")


# --- sign-up, sign-in, sign-out ---------------------------------------------------------------------------


def test_signup_form_redirects_to_dashboard_with_cookie(client, browser, settings):
    b = browser()
    form = b.get("/signup")
    assert form.status_code == 200 and 'name="org_name"' in form.text
    response = b.post(
        "/signup",
        data={
            "name": "Erin Eve",
            "email": "erin@e.example",
            "password": "long enough pw",
            "org_name": "Echo Ltd",
        },
    )
    assert response.status_code == 303 and response.headers["location"] == "/"
    cookie = response.headers["set-cookie"]
    assert cookie.startswith(f"{settings.session_cookie}=")
    assert "HttpOnly" in cookie and "SameSite=lax" in cookie and "Max-Age=" in cookie
    assert "Secure" not in cookie, "plain-http base URL: the cookie must still reach the server"
    dashboard = b.get("/")
    assert dashboard.status_code == 200
    for needle in ("Welcome, Erin Eve", "Echo Ltd", "owner"):
        assert needle in dashboard.text


def test_signup_errors_show_next_to_the_field_and_keep_typed_values(client, browser, world):
    b = browser()
    taken = b.post(
        "/signup",
        data={"name": "Al", "email": world.alice.email, "password": "long enough pw", "org_name": "Dup Co"},
    )
    assert taken.status_code == 409
    assert 'id="f-email-error"' in taken.text and "already exists" in taken.text
    assert 'value="Dup Co"' in taken.text
    weak = b.post(
        "/signup", data={"name": "Al", "email": "al@x.example", "password": "short", "org_name": "X"}
    )
    assert weak.status_code == 422 and 'id="f-password-error"' in weak.text
    assert "short" not in weak.text.split('id="f-password"')[1].split(">")[0], "never echo a password"
    assert "set-cookie" not in weak.headers


def test_signed_out_visitor_is_sent_to_login(client, browser):
    response = browser().get("/settings/members")
    assert response.status_code == 303
    assert response.headers["location"] == "/login?next=/settings/members"


def test_login_with_wrong_password_shows_the_error_on_the_form(client, browser, world):
    response = browser().post("/login", data={"email": world.alice.email, "password": "not the password"})
    assert response.status_code == 401
    assert 'role="alert"' in response.text and "Email or password is incorrect." in response.text
    assert f'value="{world.alice.email}"' in response.text
    assert "not the password" not in response.text


def test_login_throttling_shows_the_wait(client, browser, world, settings):
    b = browser()
    for _ in range(settings.login_max_failures):
        b.post("/login", data={"email": world.alice.email, "password": "wrong password!"})
    throttled = b.post("/login", data={"email": world.alice.email, "password": PASSWORD})
    assert throttled.status_code == 429
    assert int(throttled.headers["retry-after"]) > 0
    assert re.search(r"Try again in \d+ (seconds|minutes)", throttled.text)


@pytest.mark.parametrize("target", ["//evil.example/x", "https://evil.example/", "/\\evil.example"])
def test_login_never_redirects_off_site(client, browser, world, target):
    data = {"email": world.alice.email, "password": PASSWORD, "next": target}
    response = browser().post("/login", data=data)
    assert response.status_code == 303 and response.headers["location"] == "/"


def test_login_follows_a_local_next(client, browser, world):
    response = browser().post(
        "/login", data={"email": world.alice.email, "password": PASSWORD, "next": "/settings/members"}
    )
    assert response.headers["location"] == "/settings/members"


def test_logout_ends_the_session(client, browser, world):
    b = browser()
    token = sign_in(b, world.alice.email)
    cookie = b.cookies.get("salesos_session")
    response = b.post("/logout", data={"csrf_token": token})
    assert response.status_code == 303 and response.headers["location"].startswith("/login")
    assert b.get("/").status_code == 303
    # The old cookie is dead on the server too, not just forgotten by this browser.
    replay = browser()
    replay.cookies.set("salesos_session", cookie)
    assert replay.get("/").status_code == 303


def test_post_without_csrf_token_is_refused(client, browser, world):
    b = browser()
    sign_in(b, world.alice.email)
    response = b.post("/settings/profile", data={"name": "Mallory"})
    assert response.status_code == 403
    assert "CSRF" in response.text
    assert b.post("/logout").status_code == 403
    assert "Alice Anders" in b.get("/settings/profile").text


# --- shell and settings pages -----------------------------------------------------------------------------


def test_dashboard_counts_are_real_and_checklist_follows_state(client, browser, world):
    b = browser()
    sign_in(b, world.alice.email)
    page = b.get("/").text
    # World: Alice + Bob, one pending invitation, one API key.
    stat = r'<span class="stat-value">(\d+)</span>\s*<span class="stat-label">([^<]+)</span>'
    stats = re.findall(stat, page)
    # The world's leads (one per kind of test object) are open, none won; then the team.
    assert stats[4:] == [("2", "Members"), ("1", "Pending invitation"), ("1", "Active API key")]
    assert [label for _, label in stats[:4]] == [
        "Open leads",
        "Won this month",
        "Added in the last 7 days",
        "Due for you today",
    ]
    assert stats[1][0] == "0" and int(stats[0][0]) == int(stats[2][0]) > 0
    # Organisation, teammate, API key and leads: all done, so the checklist is gone.
    assert "Getting started" not in page
    assert is_current(page, "/") and not is_current(page, "/leads")
    for label in ("Dashboard", "Leads", "Tasks", "Campaigns", "Outreach", "Inbox", "Analytics", "Settings"):
        assert f"<span>{label}</span>" in page


def test_each_settings_page_renders_for_the_owner(client, browser, world):
    b = browser()
    sign_in(b, world.alice.email)
    expected = {
        "/settings/profile": ["Change password", world.alice.email],
        "/settings/organization": ["Acme Alpha", "Danger zone", "Transfer ownership", "Bob Brooks"],
        "/settings/members": ["Bob Brooks", "Send invitation", "dave@a.example"],
        "/settings/api-keys": ["A&#39;s key", "Create key"],
    }
    for path, needles in expected.items():
        page = b.get(path)
        assert page.status_code == 200, path
        for needle in needles:
            assert needle in page.text, (path, needle)
        assert 'name="csrf_token"' in page.text
    assert b.get("/settings").headers["location"] == "/settings/profile"


def test_member_sees_settings_read_only_and_no_api_keys(client, browser, world):
    b = browser()
    sign_in(b, world.bob.email)
    org = b.get("/settings/organization").text
    assert "Only admins and the owner can change these." in org and "Danger zone" not in org
    members = b.get("/settings/members").text
    assert "Send invitation" not in members and "dave@a.example" not in members
    assert "Leave" in members and '<select id="role-' not in members
    assert "/settings/api-keys" not in b.get("/settings/profile").text


def test_viewer_gets_a_403_page_for_api_keys(client, browser, world):
    owner, viewer = browser(), browser()
    token = sign_in(owner, world.alice.email)
    changed = owner.post(
        f"/settings/members/{world.bob.member_id}/role", data={"role": "viewer", "csrf_token": token}
    )
    assert changed.status_code == 303
    sign_in(viewer, world.bob.email)
    response = viewer.get("/settings/api-keys")
    assert response.status_code == 403
    assert response.headers["content-type"].startswith("text/html")
    assert "Forbidden" in response.text and "admin" in response.text


def test_role_change_over_htmx_returns_the_row(client, browser, world):
    b = browser()
    token = sign_in(b, world.alice.email)
    response = b.post(
        f"/settings/members/{world.bob.member_id}/role",
        data={"role": "admin"},
        headers={"HX-Request": "true", "X-CSRF-Token": token},
    )
    assert response.status_code == 200
    assert response.text.lstrip().startswith(f'<tr id="member-{world.bob.member_id}"')
    assert '<option value="admin" selected>' in response.text and "Role updated." in response.text


def test_htmx_errors_go_to_the_flash_area(client, browser, world):
    b = browser()
    token = sign_in(b, world.alice.email)
    owner_row = b.post(
        f"/settings/members/{world.alice.member_id}/role",
        data={"role": "viewer"},
        headers={"HX-Request": "true", "X-CSRF-Token": token},
    )
    assert owner_row.status_code == 403 and "transferring ownership" in owner_row.text
    no_csrf = b.post(
        f"/settings/members/{world.bob.member_id}/role",
        data={"role": "viewer"},
        headers={"HX-Request": "true"},
    )
    assert no_csrf.status_code == 403 and no_csrf.headers["hx-retarget"] == "#flash"


def test_invite_form_errors_and_success(client, browser, world):
    b = browser()
    token = sign_in(b, world.alice.email)
    bad = invite(b, token, "not-an-email")
    assert bad.status_code == 422 and 'id="f-email-error"' in bad.text and 'value="not-an-email"' in bad.text
    member = invite(b, token, world.bob.email)
    assert member.status_code == 409 and "already a member" in member.text
    ok = invite(b, token, "erin@a.example", "viewer")
    assert ok.status_code == 303 and ok.headers["location"] == "/settings/members?done=invited"
    page = b.get(ok.headers["location"]).text
    assert "Invitation created, but not emailed" in page and "erin@a.example" in page


def test_invitation_link_creates_the_account_and_lands_in_the_org(client, browser, world):
    owner, guest = browser(), browser()
    token = sign_in(owner, world.alice.email)
    invite(owner, token, "erin@a.example", "viewer")
    link = f"/invite/{invitation_token('erin@a.example')}"
    page = guest.get(link)
    assert page.status_code == 200 and "Join Acme Alpha" in page.text and "viewer" in page.text
    weak = guest.post(link, data={"name": "Erin", "password": "short"})
    assert weak.status_code == 422 and 'id="f-password-error"' in weak.text
    joined = guest.post(link, data={"name": "Erin", "password": "long enough pw"})
    assert joined.status_code == 303 and joined.headers["location"] == "/"
    dashboard = guest.get("/").text
    assert "Welcome, Erin" in dashboard and "Acme Alpha" in dashboard and "viewer" in dashboard
    assert guest.get(link).status_code == 409, "the link works once"


def test_invitation_for_an_existing_account_asks_to_sign_in_then_joins(client, browser, world):
    owner, carol = browser(), browser()
    token = sign_in(owner, world.alice.email)
    invite(owner, token, world.carol.email)
    link = f"/invite/{invitation_token(world.carol.email)}"
    assert f"/login?next={link}" in carol.get(link).text
    carol_csrf = sign_in(carol, world.carol.email)
    page = carol.get(link).text
    assert "Join Acme Alpha</button>" in page
    joined = carol.post(link, data={"csrf_token": carol_csrf})
    assert joined.status_code == 303
    assert "Acme Alpha" in carol.get("/").text


def test_password_reset_by_email_link(client, browser, world):
    b = browser()
    known = b.post("/forgot-password", data={"email": world.alice.email})
    unknown = b.post("/forgot-password", data={"email": "nobody@nowhere.example"})
    assert known.status_code == unknown.status_code == 200
    assert "If an account exists for that email" in known.text
    assert known.text.replace(world.alice.email, "") == unknown.text.replace("nobody@nowhere.example", "")
    with unit_of_work(write=False) as session:
        reset = session.scalars(select(PasswordResetToken)).one()
        token = decrypt(reset.token_sealed, context=f"password_reset:{reset.id}")
    assert b.post("/reset-password/not-a-token", data={"password": "a new long password"}).status_code == 422
    dead = b.get("/reset-password/not-a-token").text  # said before anyone types a password
    assert "This reset link is invalid or has expired." in dead and 'name="password"' not in dead
    assert 'name="password"' in b.get(f"/reset-password/{token}").text
    done = b.post(f"/reset-password/{token}", data={"password": "a new long password"})
    assert done.status_code == 303 and done.headers["location"] == "/login?done=reset"
    assert 'name="password"' not in b.get(f"/reset-password/{token}").text, "a used link is dead"
    assert "Your password was changed." in b.get("/login?done=reset").text
    sign_in(b, world.alice.email, "a new long password")


def test_owner_transfers_ownership(client, browser, world):
    b = browser()
    token = sign_in(b, world.alice.email)
    moved = b.post(
        "/settings/organization/transfer", data={"member_id": str(world.bob.member_id), "csrf_token": token}
    )
    assert moved.status_code == 303
    page = b.get(moved.headers["location"]).text
    assert "Ownership transferred." in page and "Danger zone" not in page
    assert "admin" in b.get("/").text


def test_profile_changes_and_wrong_current_password(client, browser, world):
    b = browser()
    token = sign_in(b, world.alice.email)
    wrong = b.post(
        "/settings/profile/password",
        data={"current_password": "nope nope nope", "password": "a brand new pw", "csrf_token": token},
    )
    assert wrong.status_code == 422 and 'id="f-current_password-error"' in wrong.text
    renamed = b.post("/settings/profile", data={"name": "Alice A.", "csrf_token": token})
    assert renamed.status_code == 303
    assert "Welcome, Alice A." in b.get("/").text


def test_api_key_secret_is_shown_once(client, browser, world):
    b = browser()
    token = sign_in(b, world.alice.email)
    created = b.post(
        "/settings/api-keys", data={"name": "CRM sync", "scopes": ["read", "write"], "csrf_token": token}
    )
    # Post, redirect, get: the secret crosses the redirect in a sealed cookie, read once.
    assert created.status_code == 303 and created.headers["location"] == "/settings/api-keys"
    sealed = b.cookies.get("salesos_new_key")
    assert sealed and "sos_" not in sealed
    shown = b.get("/settings/api-keys")
    assert shown.headers["cache-control"] == "no-store"
    secret = re.search(r'id="new-key-secret" class="mono" type="text" value="(sos_[^"]+)"', shown.text)
    assert secret and 'data-copy="#new-key-secret"' in shown.text
    me = client.get("/api/v1/auth/me", headers={"Authorization": f"Bearer {secret.group(1)}"})
    assert me.status_code == 200
    assert secret.group(1) not in b.get("/settings/api-keys").text  # shown once
    # Another browser session can't open the sealed secret, even holding the cookie.
    other = browser()
    sign_in(other, world.alice.email)
    other.cookies.set("salesos_new_key", sealed, path="/settings/api-keys")
    assert secret.group(1) not in other.get("/settings/api-keys").text
    none = b.post("/settings/api-keys", data={"name": "x", "csrf_token": token})
    assert none.status_code == 422 and "Choose at least one." in none.text


def test_organization_settings_validate_and_save(client, browser, world):
    b = browser()
    token = sign_in(b, world.alice.email)
    bad = b.post(
        "/settings/organization",
        data={"name": "Acme", "default_region": "USA", "timezone": "Mars/Base", "csrf_token": token},
    )
    assert bad.status_code == 422
    assert 'id="f-default_region-error"' in bad.text and 'id="f-timezone-error"' in bad.text
    ok = b.post(
        "/settings/organization",
        data={"name": "Acme Prime", "default_region": "gb", "timezone": "Europe/London", "csrf_token": token},
    )
    assert ok.status_code == 303
    page = b.get("/settings/organization").text
    assert 'value="Acme Prime"' in page and 'value="GB"' in page
    assert '<option value="Europe/London" selected>' in page


def test_delete_org_needs_the_exact_name(client, browser, world):
    b = browser()
    token = sign_in(b, world.alice.email)
    wrong = b.post("/settings/organization/delete", data={"confirm_name": "acme", "csrf_token": token})
    assert wrong.status_code == 422 and 'id="f-confirm_name-error"' in wrong.text
    gone = b.post("/settings/organization/delete", data={"confirm_name": "Acme Alpha", "csrf_token": token})
    assert gone.status_code == 303 and gone.headers["location"] == "/login?done=org-deleted"


def test_a_member_can_leave(client, browser, world):
    b = browser()
    token = sign_in(b, world.bob.email)
    left = b.post(f"/settings/members/{world.bob.member_id}/remove", data={"csrf_token": token})
    assert left.status_code == 303 and left.headers["location"] == "/login?done=left"
    assert b.get("/").status_code == 303


def test_carol_cannot_touch_org_a_from_the_ui(client, browser, world):
    b = browser()
    token = sign_in(b, world.carol.email)
    bob = world.bob.member_id
    for path in (
        f"/settings/members/{bob}/role",
        f"/settings/members/{bob}/remove",
        f"/settings/invitations/{world.ids['invitation_id']}/revoke",
        f"/settings/api-keys/{world.ids['api_key_id']}/revoke",
    ):
        response = b.post(path, data={"role": "viewer", "csrf_token": token})
        assert response.status_code == 404, (path, response.status_code)
        for marker in world.markers_a:
            assert marker not in response.text


# --- sections not built, PWA ------------------------------------------------------------------------------


@pytest.mark.parametrize("path", ["/outreach", "/inbox", "/analytics"])
def test_unbuilt_sections_say_so(client, browser, world, path):
    b = browser()
    sign_in(b, world.alice.email)
    page = b.get(path)
    assert page.status_code == 200
    assert "This section is not built yet" in page.text
    assert is_current(page.text, path) and not is_current(page.text, "/")
    assert "<table" not in page.text and "<form" not in page.text.split('<main id="main"')[1]


def test_manifest_is_valid_and_its_icons_exist(client):
    response = client.get("/manifest.webmanifest")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/manifest+json")
    manifest = json.loads(response.text)
    assert manifest["start_url"] == "/" and manifest["scope"] == "/" and manifest["display"] == "standalone"
    assert manifest["theme_color"] and manifest["background_color"]
    sizes = {}
    for icon in manifest["icons"]:
        png = client.get(icon["src"])
        assert png.status_code == 200 and png.content[:8] == b"\x89PNG\r\n\x1a\n"
        width, height = struct.unpack(">II", png.content[16:24])
        assert icon["sizes"] == f"{width}x{height}"
        sizes.setdefault(icon["purpose"], set()).add(width)
    assert sizes == {"any": {192, 512}, "maskable": {512}}


def test_service_worker_is_served_at_root_scope(client):
    response = client.get("/sw.js")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/javascript")
    assert response.headers["service-worker-allowed"] == "/"
    assert response.headers["cache-control"] == "no-cache"
    assert '"/offline"' in response.text and "salesos-shell-" in response.text and '"/api/"' in response.text
    offline = client.get("/offline", headers=HTML)
    assert offline.status_code == 200 and "You are offline" in offline.text
    assert "csrf-token" not in offline.text
    page = client.get("/login", headers=HTML).text
    assert '<link rel="manifest" href="/manifest.webmanifest">' in page
    assert '<script src="/static/app.js" defer></script>' in page and "<script>" not in page


def test_a_new_password_signs_the_account_out_everywhere_else(client, browser, world):
    from tests.support.world import PASSWORD as OLD

    here, elsewhere = browser(), browser()
    token = sign_in(here, world.alice.email)
    sign_in(elsewhere, world.alice.email)
    refresh = client.post("/api/v1/auth/refresh", json={"refresh_token": world.alice.refresh_token})
    assert refresh.status_code == 200
    app_refresh = refresh.json()["refresh_token"]
    same = here.post(
        "/settings/profile/password", data={"current_password": OLD, "password": OLD, "csrf_token": token}
    )
    assert same.status_code == 422 and "not the current one" in same.text
    changed = here.post(
        "/settings/profile/password",
        data={"current_password": OLD, "password": "a brand new pw", "csrf_token": token},
    )
    assert changed.status_code == 303
    assert "every other device" in here.get(changed.headers["location"]).text.lower()
    assert here.get("/").status_code == 200, "the browser that changed it stays signed in"
    assert elsewhere.get("/", follow_redirects=False).status_code in (302, 303, 307)
    assert client.post("/api/v1/auth/refresh", json={"refresh_token": app_refresh}).status_code == 401


def test_signed_in_pages_are_not_kept_and_signing_out_clears_the_cache(client, browser, world):
    b = browser()
    token = sign_in(b, world.alice.email)
    for path in ("/", "/leads", "/leads/list", "/tasks", "/settings/profile"):
        assert b.get(path).headers["cache-control"] == "no-store", path
    out = b.post("/logout", data={"csrf_token": token})
    assert out.status_code == 303 and out.headers["clear-site-data"] == '"cache"'
    assert b.get("/", follow_redirects=False).status_code in (302, 303, 307)


def test_inviting_the_same_address_again_says_the_first_link_is_dead(client, browser, world):
    b = browser()
    token = sign_in(b, world.alice.email)
    first = invite(b, token, "newbie@a.example")
    assert first.headers["location"] == "/settings/members?done=invited"
    again = invite(b, token, " Newbie@A.example ")
    assert again.headers["location"] == "/settings/members?done=invited-again"
    assert "The earlier link no longer works." in b.get(again.headers["location"]).text


@both_databases
def test_someone_in_two_organisations_switches_between_them(client, browser, world):
    owner, carol = browser(), browser()
    invite(owner, sign_in(owner, world.alice.email), world.carol.email)
    link = f"/invite/{invitation_token(world.carol.email, world.alice.org_id)}"
    carol_csrf = sign_in(carol, world.carol.email)
    assert carol.post(link, data={"csrf_token": carol_csrf}).status_code == 303  # now in A, working in A
    assert "Acme Alpha" in carol.get("/").text
    # A fresh sign-in elsewhere returns to where she last worked (A), not to her oldest organisation (B).
    elsewhere = browser()
    sign_in(elsewhere, world.carol.email)
    assert "Acme Alpha" in elsewhere.get("/").text
    page = carol.get("/settings/organization").text
    assert "Your organisations" in page and "You are working here" in page
    other = re.search(r'name="org_id" value="([0-9a-f-]{36})"', page)
    assert other and other.group(1) == str(world.carol.org_id), "the switch offers her own org B"
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)  # type: ignore[union-attr]
    for stranger in (str(uuid.uuid4()), "not-an-id"):
        refused = carol.post("/settings/organization/switch", data={"org_id": stranger, "csrf_token": token})
        assert refused.status_code == 403
    moved = carol.post("/settings/organization/switch", data={"org_id": other.group(1), "csrf_token": token})
    assert moved.status_code == 303
    from salesos.orgs.models import Organization

    with unit_of_work(write=False, org_id=world.carol.org_id) as session:
        names = {org.id: org.name for org in session.scalars(select(Organization))}
    working_in = re.compile(r'<span class="user-menu-org">([^<]*)</span>')
    assert working_in.search(carol.get("/").text).group(1) == names[world.carol.org_id]  # type: ignore[union-attr]
    # Signing in again, in another browser, returns to where she last worked, not to her oldest org.
    again = browser()
    sign_in(again, world.carol.email)
    assert working_in.search(again.get("/").text).group(1) == names[world.carol.org_id]  # type: ignore[union-attr]
    # Alice, in one organisation only, is offered no switch.
    assert "Your organisations" not in owner.get("/settings/organization").text
