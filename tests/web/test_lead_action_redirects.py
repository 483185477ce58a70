"""The lead page's action forms may go where they redirect: browsers hold every hop of a form submission
to the page's CSP ``form-action``, so a 303 to a disallowed origin opens a blank tab (the WhatsApp bug)."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from salesos.config import Settings
from tests.browser.test_shell import (  # noqa: F401  (live_server is a fixture used by name)
    CHROMIUM,
    CHROMIUM_ARGS,
    live_server,
    open_page,
    sign_up,
)
from tests.support.services import require
from tests.web.test_board import browser, sign_in  # noqa: F401
from tests.web.test_lead_actions import E164_DIGITS, kinds, make_lead

ORIGIN = "http://testserver"
# Where wa.me sends a browser on (it answers 302 to the API host with the same number and text).
WHATSAPP_API = "https://api.whatsapp.com/send/"


def form_action_sources(csp: str) -> list[str]:
    """The source list of the policy's form-action directive (form-action missing: anything goes)."""
    for directive in csp.split(";"):
        name, *sources = directive.split()
        if name == "form-action":
            return sources
    return ["*"]


def form_action_allows(csp: str, url: str, *, origin: str = ORIGIN) -> bool:
    """Whether a form on a page of *origin* served with *csp* may navigate (or be redirected) to *url*.

    Enough of CSP source matching for this app's policy: 'self', scheme sources and exact hosts.
    """
    target = urlsplit(url)
    scheme = target.scheme or urlsplit(origin).scheme
    # A relative URL is on the page's origin; a mailto: or tel: URL has no host, so no origin at all.
    target_origin = f"{scheme}://{target.netloc}" if target.netloc else (None if target.scheme else origin)
    for source in form_action_sources(csp):
        if source == "*" or (source == "'self'" and target_origin == origin):
            return True
        if source.endswith(":") and scheme == source[:-1]:
            return True
        if "://" in source and source.rstrip("/") == target_origin:
            return True
    return False


def test_form_action_matching_is_strict_enough_to_catch_the_bug() -> None:
    old_policy = "default-src 'self'; form-action 'self'"
    assert form_action_allows(old_policy, "/leads/1?done=email")
    assert not form_action_allows(old_policy, f"https://wa.me/{E164_DIGITS}?text=Hi")
    assert not form_action_allows(old_policy, "mailto:zoe@ng-co.example")
    assert not form_action_allows("form-action 'self' https://wa.me", "https://wa.me.evil.example/x")
    assert form_action_allows("form-action 'self' mailto:", "mailto:zoe@ng-co.example")


def test_every_action_redirect_is_allowed_by_the_csp(client, browser, world):  # noqa: F811
    lead_id = make_lead(world.alice)
    b = browser()
    token = sign_in(b, world.alice)
    lead_page = b.get(f"/leads/{lead_id}")
    csp = lead_page.headers["content-security-policy"]
    posts: list[tuple[str, dict[str, str]]] = [
        ("actions/email", {}),
        ("actions/call", {"outcome": "connected"}),
        ("actions/whatsapp", {}),
    ]
    for path, data in posts:
        response = b.post(f"/leads/{lead_id}/{path}", data={**data, "csrf_token": token})
        assert response.status_code == 303, path
        location = response.headers["location"]
        assert form_action_allows(csp, location), (path, location, csp)
    # wa.me hands the chat on to the API host (or the app): later hops of the same form submission.
    assert location.startswith(f"https://wa.me/{E164_DIGITS}?text=")
    assert form_action_allows(csp, f"{WHATSAPP_API}?phone={E164_DIGITS}&text=Hi")
    assert form_action_allows(csp, f"whatsapp://send?phone={E164_DIGITS}&text=Hi")
    # Mail and phone links are plain links, not forms: form-action never applies to them.
    assert f'<a class="btn btn-secondary btn-small" href="tel:+{E164_DIGITS}"' in lead_page.text
    assert '<a class="btn btn-secondary btn-small" href="mailto:' in lead_page.text


def test_each_whatsapp_click_is_logged_once(client, browser, world):  # noqa: F811
    lead_id = make_lead(world.alice)
    b = browser()
    token = sign_in(b, world.alice)
    for clicks in (1, 2):
        response = b.post(f"/leads/{lead_id}/actions/whatsapp", data={"csrf_token": token})
        assert response.status_code == 303
        assert kinds(world.alice, lead_id) == ["whatsapp_opened"] * clicks


def _fake_wa_me(context: Any, seen: list[str]) -> None:
    """wa.me answered inside the browser (no test touches the internet).

    The real wa.me redirects on to api.whatsapp.com, but Playwright does not route a redirect it served
    itself, so that second hop is checked against the policy by the test above instead.
    """

    def chat(route: Any) -> None:
        seen.append(route.request.url)
        route.fulfill(status=200, content_type="text/html", body="<title>WhatsApp</title><h1>Chat</h1>")

    context.route(lambda url: url.startswith("https://wa.me/"), chat)


def test_whatsapp_button_opens_the_chat_in_chromium(live_server: str, settings: Settings) -> None:  # noqa: F811
    """The real CSP in a real browser: the new tab reaches the chat with the message, one timeline entry."""
    require("chromium")
    from playwright.sync_api import expect, sync_playwright

    errors: list[str] = []
    seen: list[str] = []
    with sync_playwright() as pw:
        chromium = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            page = open_page(chromium, live_server, errors)
            _fake_wa_me(page.context, seen)
            sign_up(page, live_server, "Wanda Whats", "wanda@whats.example", "Whats Ltd")
            page.goto("/leads/new")
            page.get_by_label("Company name").fill("Ng & Co")
            page.get_by_label("Contact name").fill("Zoë Ng")
            page.get_by_label("Contact phone").fill("+44 20 7946 0958")
            page.get_by_role("button", name="Create lead").click()
            page.get_by_role("heading", name="Ng & Co", level=1).wait_for()

            with page.context.expect_page() as opened:
                page.get_by_role("button", name="WhatsApp (opens in a new tab)").click()
            chat = opened.value
            chat.wait_for_load_state()
            expect(chat.get_by_role("heading", name="Chat")).to_be_visible()
            assert chat.url.startswith(
                f"https://wa.me/{E164_DIGITS}?text=Hi%20Zo%C3%AB%2C%20this%20is%20Wanda"
            )
            assert len(seen) == 1, seen
            assert not [e for e in errors if "Content Security Policy" in e], errors

            page.reload()
            expect(page.get_by_text("Opened a WhatsApp chat")).to_have_count(1)
        finally:
            chromium.close()
