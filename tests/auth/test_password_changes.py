"""A password change ends every reset link, and guessing the current password is throttled like sign-in."""

from __future__ import annotations

import re

from salesos.jobs.testing import drain
from tests.conftest import both_databases
from tests.support.mail import link_token, sent_mail
from tests.support.world import PASSWORD
from tests.web.test_pages import browser, sign_in  # noqa: F401  (browser is a fixture)

CONFIRM = "/api/v1/auth/password-reset/confirm"


def _reset_links(client, settings, email: str, count: int) -> list[str]:  # type: ignore[no-untyped-def]
    """Ask for *count* reset links for *email*, in order; their tokens."""
    for _ in range(count):
        assert client.post("/api/v1/auth/password-reset", json={"email": email}).status_code == 202
    drain()
    mails = [m for m in sent_mail(settings.var_dir) if m["to"] == email]
    return [link_token(m["text"], "reset-password") for m in mails]


def _usable(client, token: str) -> bool:  # type: ignore[no-untyped-def]
    page = client.get(f"/reset-password/{token}", headers={"Accept": "text/html"})
    return 'name="password"' in page.text


@both_databases
def test_a_reset_kills_the_other_links_of_the_account(client, world, settings):
    first, second = _reset_links(client, settings, world.alice.email, 2)
    assert client.post(CONFIRM, json={"token": first, "password": "a brand new pw"}).status_code == 204
    assert client.post(CONFIRM, json={"token": first, "password": "another pw 123"}).status_code == 422
    # The other link was mailed before the reset: it would set the password again behind the user's back.
    dead = client.get(f"/reset-password/{second}", headers={"Accept": "text/html"})
    assert "This reset link is invalid or has expired." in dead.text and 'name="password"' not in dead.text
    assert client.post(CONFIRM, json={"token": second, "password": "the attacker pw"}).status_code == 422
    login = client.post("/api/v1/auth/token", json={"email": world.alice.email, "password": "a brand new pw"})
    assert login.status_code == 200


@both_databases
def test_changing_the_password_kills_outstanding_reset_links(client, world, settings):
    (link,) = _reset_links(client, settings, world.alice.email, 1)
    (bobs,) = _reset_links(client, settings, world.bob.email, 1)
    changed = client.patch(
        "/api/v1/auth/me",
        json={"password": "a fresh passphrase", "current_password": PASSWORD},
        headers=world.alice.headers,
    )
    assert changed.status_code == 200, changed.text
    assert not _usable(client, link)
    assert client.post(CONFIRM, json={"token": link, "password": "the attacker pw"}).status_code == 422
    # Only Alice's links: Bob's still works.
    assert _usable(client, bobs)


def test_the_settings_form_kills_outstanding_reset_links(client, browser, world, settings):  # noqa: F811
    (link,) = _reset_links(client, settings, world.alice.email, 1)
    b = browser()
    token = sign_in(b, world.alice.email)
    changed = b.post(
        "/settings/profile/password",
        data={"current_password": PASSWORD, "password": "a brand new pw", "csrf_token": token},
    )
    assert changed.status_code == 303
    assert not _usable(client, link)


def _patch_password(client, person, current: str):  # type: ignore[no-untyped-def]
    body = {"password": "new-password-123456", "current_password": current}
    return client.patch("/api/v1/auth/me", json=body, headers=person.headers)


@both_databases
def test_guessing_the_current_password_over_the_api_is_throttled(client, world, settings):
    for n in range(settings.login_max_failures):
        assert _patch_password(client, world.alice, f"guess-{n}").status_code == 422
    throttled = _patch_password(client, world.alice, "guess-last")
    assert throttled.status_code == 429
    assert 1 <= int(throttled.headers["Retry-After"]) <= settings.login_window_seconds
    # Even the right password waits, and the failures count against sign-in too: one password, one budget.
    assert _patch_password(client, world.alice, PASSWORD).status_code == 429
    login = client.post("/api/v1/auth/token", json={"email": world.alice.email, "password": PASSWORD})
    assert login.status_code == 429
    # Bob is not held up by Alice's failures.
    assert _patch_password(client, world.bob, PASSWORD).status_code == 200


def test_a_wrong_current_password_changes_nothing_else(client, world):
    body = {"name": "Mallory", "password": "new-password-123456", "current_password": "guess"}
    assert client.patch("/api/v1/auth/me", json=body, headers=world.alice.headers).status_code == 422
    me = client.get("/api/v1/auth/me", headers=world.alice.headers).json()
    assert me["user"]["name"] == world.alice.name


def test_a_right_current_password_clears_the_count(client, world, settings):
    for n in range(settings.login_max_failures - 1):
        assert _patch_password(client, world.alice, f"guess-{n}").status_code == 422
    assert _patch_password(client, world.alice, PASSWORD).status_code == 200
    for n in range(settings.login_max_failures):
        assert _patch_password(client, world.alice, f"again-{n}").status_code == 422


def test_guessing_on_the_settings_form_is_throttled(client, browser, world, settings):  # noqa: F811
    b = browser()
    token = sign_in(b, world.alice.email)

    def change(current: str):  # type: ignore[no-untyped-def]
        data = {"current_password": current, "password": "a brand new pw", "csrf_token": token}
        return b.post("/settings/profile/password", data=data)

    for n in range(settings.login_max_failures):
        assert change(f"guess-{n}").status_code == 422
    throttled = change(PASSWORD)
    assert throttled.status_code == 429
    assert int(throttled.headers["retry-after"]) > 0
    assert re.search(r"Too many wrong passwords\. Try again in \d+ (seconds|minutes)\.", throttled.text)
    assert 'name="current_password"' in throttled.text, "the form is still there to try again later"
