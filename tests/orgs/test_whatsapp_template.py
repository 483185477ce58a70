"""The organisation's WhatsApp message: placeholders checked when saved, used on every lead's page."""

from __future__ import annotations

from urllib.parse import quote

import pytest

from tests.web import test_board
from tests.web.test_board import sign_in
from tests.web.test_lead_actions import E164_DIGITS, make_lead

browser = test_board.browser  # the fixture, shared with the board tests
API = "/api/v1"


@pytest.mark.parametrize(
    ("template", "message"),
    [
        ("Hi {name}", "Unknown placeholder {name}"),
        ("Hi {first_name.__class__}", "Unknown placeholder {first_name.__class__}"),
        ("Hi {first_name!r}", "Unknown placeholder {first_name}"),
        ("Hi {0}", "Unknown placeholder {0}"),
        ("Hi {first_name", "Unbalanced braces"),
    ],
)
def test_unknown_placeholders_are_refused(client, world, template, message):
    r = client.patch(f"{API}/org", json={"whatsapp_template": template}, headers=world.alice.headers)
    assert r.status_code == 422
    (error,) = r.json()["errors"]
    assert error["field"] == "whatsapp_template" and error["message"].startswith(message)
    assert client.get(f"{API}/org", headers=world.alice.headers).json()["whatsapp_template"] is None


def test_the_org_template_fills_the_whatsapp_link_and_empty_restores_the_default(client, browser, world):
    template = "Hello {first_name}! {sender} at {org} here about {company}."
    r = client.patch(f"{API}/org", json={"whatsapp_template": template}, headers=world.alice.headers)
    assert r.status_code == 200 and r.json()["whatsapp_template"] == template
    lead_id = make_lead(world.alice)
    b = browser()
    token = sign_in(b, world.alice)
    opened = b.post(f"/leads/{lead_id}/actions/whatsapp", data={"csrf_token": token})
    text = "Hello Zoë! Alice Anders at Acme Alpha here about Ng & Co."
    assert opened.headers["location"] == f"https://wa.me/{E164_DIGITS}?text={quote(text, safe='')}"

    bad = b.post(
        "/settings/organization",
        data={"name": "Acme Alpha", "default_region": "US", "timezone": "UTC", "whatsapp_template": "{x}",
              "csrf_token": token},
    )  # fmt: skip
    assert bad.status_code == 422 and 'id="f-whatsapp_template-error"' in bad.text
    reset = b.post(
        "/settings/organization",
        data={"name": "Acme Alpha", "default_region": "US", "timezone": "UTC", "whatsapp_template": "",
              "csrf_token": token},
    )  # fmt: skip
    assert reset.status_code == 303
    assert client.get(f"{API}/org", headers=world.alice.headers).json()["whatsapp_template"] is None
    assert "this is {sender} from {org}" in b.get("/settings/organization").text
