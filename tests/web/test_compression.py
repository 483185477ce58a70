"""Responses are gzip-compressed for clients that accept it, event streams excepted, and pages carry their
CSRF token masked anew each time, so compression can't be used to guess it (BREACH)."""

from __future__ import annotations

import base64
import contextlib
import secrets

import httpx

from salesos.auth.security import csrf_token_matches, mask_csrf_token
from tests.support.servers import app_server, settings_env
from tests.web import test_board
from tests.web.test_board import CSRF_META, make_leads, sign_in

browser = test_board.browser  # the fixture, shared with the board tests


def test_a_board_page_goes_out_gzipped_only_to_clients_that_accept_it(client, browser, world):
    make_leads(world.alice, 30)  # a full first page of the New column (25 cards)
    b = browser()
    sign_in(b, world.alice)
    zipped = b.get("/leads", headers={"Accept-Encoding": "gzip"})
    plain = b.get("/leads", headers={"Accept-Encoding": "identity"})
    assert zipped.headers["content-encoding"] == "gzip" and "content-encoding" not in plain.headers
    assert int(zipped.headers["content-length"]) * 5 < len(plain.content)  # httpx has decoded .content
    assert zipped.text.count('class="lead-card"') == plain.text.count('class="lead-card"') == 25
    api = client.get("/api/v1/leads", headers={**world.alice.headers, "Accept-Encoding": "gzip"})
    assert api.status_code == 200 and api.headers["content-encoding"] == "gzip"


def test_every_page_masks_the_token_differently_and_each_mask_is_accepted(client, browser, world):
    (lead_id,) = make_leads(world.alice, 1)
    b = browser()
    sign_in(b, world.alice)
    first, second = (CSRF_META.search(b.get("/leads").text).group(1) for _ in range(2))  # type: ignore[union-attr]
    assert first != second
    for token in (first, second):
        note = {"body": f"Note sent with {token[:6]}", "csrf_token": token}
        assert b.post(f"/leads/{lead_id}/notes", data=note).status_code == 303
    forged = base64.urlsafe_b64encode(secrets.token_bytes(len(base64.urlsafe_b64decode(first)))).decode()
    refused = b.post(f"/leads/{lead_id}/notes", data={"body": "forged", "csrf_token": forged})
    assert refused.status_code == 403
    assert "forged" not in b.get(f"/leads/{lead_id}").text


def test_masking_round_trips_and_refuses_other_secrets() -> None:
    secret = secrets.token_urlsafe(24)
    masked = mask_csrf_token(secret)
    assert masked != mask_csrf_token(secret) and secret not in masked
    assert csrf_token_matches(masked, secret) and csrf_token_matches(secret, secret)  # bare: older pages
    assert not csrf_token_matches(mask_csrf_token(secrets.token_urlsafe(24)), secret)
    for bad in ("", "%%%", masked[:-4], masked + "AAAA", secret[:-1]):
        assert not csrf_token_matches(bad, secret)
    assert not csrf_token_matches(masked, "")


def test_the_event_stream_is_never_compressed(settings, world):
    """A gzip encoder would hold events back until its buffer fills: the real app, over real HTTP."""
    with app_server(settings_env(settings)) as url:
        headers = {**world.alice.headers, "Accept": "text/event-stream", "Accept-Encoding": "gzip"}
        with httpx.stream("GET", f"{url}/api/v1/events", headers=headers, timeout=10) as stream:
            assert stream.status_code == 200
            assert "content-encoding" not in stream.headers
            first = next(stream.iter_lines())
            assert first == "retry: 3000"
            with contextlib.suppress(httpx.HTTPError):
                stream.close()
