"""What is refused before any authentication: another site's form posts (login CSRF), and bodies past the
route's own ceiling, upload routes included."""

from __future__ import annotations

from salesos.api.middleware import body_limit_of
from salesos.campaigns.service import lists
from salesos.uploads import ENVELOPE_BYTES

EVIL = "https://evil.example"
SIGN_IN = {"email": "nobody@example.com", "password": "not-the-password-1"}


def test_a_sign_in_form_posted_from_another_site_is_refused_without_any_cookie(client):
    client.cookies.clear()
    for origin in (EVIL, "null"):
        r = client.post("/login", data=SIGN_IN, headers={"Origin": origin}, follow_redirects=False)
        assert r.status_code == 403, (origin, r.status_code)
        assert "Cross-site request refused." in r.text
    signup = client.post("/signup", data=SIGN_IN, headers={"Origin": EVIL}, follow_redirects=False)
    assert signup.status_code == 403
    # The app's own page posting to itself goes through to the sign-in check.
    own = client.post("/login", data=SIGN_IN, headers={"Origin": "http://testserver"}, follow_redirects=False)
    assert own.status_code != 403


def test_api_calls_from_other_origins_with_a_bearer_and_no_cookie_are_not_refused(client, world):
    client.cookies.clear()
    r = client.post(
        "/api/v1/leads",
        json={"company": {"name": "From The Extension"}},
        headers={**world.alice.headers, "Origin": "chrome-extension://abcdef"},
    )
    assert r.status_code == 201, r.text


def test_an_upload_route_has_its_own_ceiling_not_none():
    assert body_limit_of("/campaigns/new", 1024) == lists.MAX_BYTES + ENVELOPE_BYTES
    assert body_limit_of("/leads/new", 1024) == 1024


def test_an_anonymous_upload_past_the_routes_ceiling_is_refused_before_it_is_read(client):
    client.cookies.clear()
    size = lists.MAX_BYTES + ENVELOPE_BYTES + 1

    def chunks():  # type: ignore[no-untyped-def]
        # Chunked, no Content-Length: the middleware counts what arrives.
        for _ in range(size // (1024 * 1024) + 1):
            yield b"x" * (1024 * 1024)

    r = client.post(
        "/campaigns/new",
        content=chunks(),
        headers={"Content-Type": "multipart/form-data; boundary=b", "Origin": "http://testserver"},
    )
    assert r.status_code == 413, r.status_code


def test_an_urlencoded_form_gets_the_global_limit_even_on_an_upload_route(client, settings):
    client.cookies.clear()
    body = b"a=" + b"x" * (settings.max_body_bytes + 10)
    r = client.post(
        "/api/v1/imports", content=body, headers={"Content-Type": "application/x-www-form-urlencoded"}
    )
    assert r.status_code == 413
    assert f"Forms are limited to {settings.max_body_bytes} bytes." in r.text
