"""Without email, the admin gets the invitation link to pass on; the texts state the link's real lifetime."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import select

from salesos.config import get_settings
from salesos.db.base import utcnow
from salesos.db.session import unit_of_work
from salesos.orgs.models import Invitation
from tests.support.mail import sent_mail
from tests.web.test_board import browser, sign_in  # noqa: F401  (browser is a fixture)
from tests.web.test_pages import invitation_token

LINK = re.compile(r'value="(http[^"]+/invite/[^"]+)"')


def _invite(b: Any, token: str, email: str) -> Any:
    return b.post("/settings/invitations", data={"email": email, "role": "member", "csrf_token": token})


def _use(monkeypatch: pytest.MonkeyPatch, **env: str) -> None:
    for key, value in env.items():
        monkeypatch.setenv(f"SALESOS_{key.upper()}", value)
    get_settings.cache_clear()


def test_without_email_the_admin_gets_the_link_to_copy(client, browser, world):  # noqa: F811
    b = browser()
    token = sign_in(b, world.alice)
    assert "expires in a few days" not in b.get("/settings/members").text
    made = _invite(b, token, "erin@a.example")
    assert made.status_code == 303
    assert made.headers["location"] == "/settings/members?done=invited"
    page = b.get(made.headers["location"]).text
    assert "Invitation created, but not emailed: email is not set up on this server." in page
    assert "Send erin@a.example their link" in page and "expires in 7 days" in page
    link = f"{get_settings().base_url}/invite/{invitation_token('erin@a.example')}"
    assert f'id="new-invitation-link" class="mono" type="text" value="{link}"' in page
    assert 'data-copy="#new-invitation-link"' in page
    # Later visits still offer it, in the pending list, until it is accepted, revoked or expired.
    later = b.get("/settings/members").text
    assert link in LINK.findall(later) and "Link (not emailed)" in later
    assert "/invite/" not in browser_of(browser, world.bob).get("/settings/members").text


def browser_of(browser: Any, person: Any) -> Any:  # noqa: F811
    b = browser()
    sign_in(b, person)
    return b


def test_with_email_set_up_no_link_is_shown(client, browser, world, monkeypatch):  # noqa: F811
    _use(monkeypatch, email_provider="smtp")
    b = browser()
    token = sign_in(b, world.alice)
    made = _invite(b, token, "erin@a.example")
    assert made.headers["location"] == "/settings/members?done=invited"
    page = b.get(made.headers["location"]).text
    assert "Invitation sent." in page and "/invite/" not in page
    assert "They get an email with a link that works once and expires in 7 days." in page


def test_the_page_and_the_email_state_the_lifetime_the_link_has(client, browser, world, monkeypatch):  # noqa: F811
    from salesos.jobs.testing import drain

    _use(monkeypatch, invitation_days="3")
    b = browser()
    token = sign_in(b, world.alice)
    _invite(b, token, "erin@a.example")
    assert "expires in 3 days" in b.get("/settings/members").text
    drain()
    (mail,) = [m for m in sent_mail(get_settings().var_dir) if m["to"] == "erin@a.example"]
    assert "expires in 3 days." in mail["text"]
    with unit_of_work(write=False, org_id=world.alice.org_id) as session:
        invitation = session.scalars(select(Invitation).where(Invitation.email == "erin@a.example")).one()
    assert abs(invitation.expires_at - (utcnow() + timedelta(days=3))) < timedelta(minutes=1)


def test_inviting_again_without_email_shows_the_new_link(client, browser, world):  # noqa: F811
    b = browser()
    token = sign_in(b, world.alice)
    _invite(b, token, "erin@a.example")
    first = invitation_token("erin@a.example")
    again = _invite(b, token, "erin@a.example")
    assert again.headers["location"] == "/settings/members?done=invited-again"
    page = b.get(again.headers["location"]).text
    assert "Invitation created again, but not emailed" in page and "The earlier link no longer works." in page
    newest = invitation_token("erin@a.example")
    assert newest != first
    assert (
        f'id="new-invitation-link" class="mono" type="text" value="{get_settings().base_url}/invite/{newest}"'
        in page
    )
    assert first not in page, "the dead link is not offered any more"
