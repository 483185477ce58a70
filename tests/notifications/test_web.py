"""The bell, the notification centre and Settings → Notifications through the real app."""

from __future__ import annotations

import re

from salesos.notifications.models import NotificationPreference
from tests.notifications.helpers import new_lead, types_of
from tests.notifications.test_api import _notify
from tests.web.test_board import browser, count_rows, sign_in  # noqa: F401  (browser is a fixture)

BELL = re.compile(r'<span class="visually-hidden">Notifications, (\d+) unread</span>')


def _bell(html: str) -> int:
    match = BELL.search(html)
    assert match, "every signed-in page has the bell"
    return int(match.group(1))


def test_bell_shows_the_unread_count_on_every_page_and_as_a_fragment(client, browser, world):  # noqa: F811
    b = browser()
    sign_in(b, world.bob)
    assert _bell(b.get("/").text) == 0
    _notify(world.bob, world.alice, 3)
    for path in ("/", "/leads", "/settings/profile"):
        html = b.get(path).text
        assert _bell(html) == 3, path
    assert 'id="notification-bell" class="notification-bell" aria-live="polite"' in html
    assert f'data-user-id="{world.bob.user_id}"' in html
    assert '<script src="/static/notifications.js" defer></script>' in html
    fragment = b.get("/notifications/bell")
    assert fragment.status_code == 200 and fragment.headers["cache-control"] == "no-store"
    assert _bell(fragment.text) == 3 and 'class="bell-count"' in fragment.text
    assert "<html" not in fragment.text


def test_centre_lists_opens_and_marks_all_read(client, browser, world):  # noqa: F811
    lead_id = _notify(world.bob, world.alice, 1, lead_name="Centre <Co>")
    _notify(world.bob, world.alice, 1, lead_name="Second Co")
    b = browser()
    token = sign_in(b, world.bob)
    page = b.get("/notifications")
    assert page.status_code == 200
    assert "Alice Anders assigned Centre &lt;Co&gt; to you" in page.text, "names are escaped"
    assert page.text.index("Second Co") < page.text.index("Centre &lt;Co&gt;"), "newest first"
    assert page.text.count("notification is-unread") == 2 and "Mark all read" in page.text
    assert re.search(r'<time datetime="[^"]+">\d{1,2} \w{3} \d{4}, \d{2}:\d{2}</time>', page.text)
    ids = re.findall(r'action="/notifications/([0-9a-f-]{36})/open"', page.text)
    assert len(ids) == 2

    opened = b.post(f"/notifications/{ids[1]}/open", data={"csrf_token": token})
    assert opened.status_code == 303 and opened.headers["location"] == f"/leads/{lead_id}"
    unread = b.get("/notifications", params={"unread": "1"})
    assert "Second Co" in unread.text and "Centre &lt;Co&gt;" not in unread.text
    assert _bell(unread.text) == 1

    assert b.post(f"/notifications/{ids[0]}/open").status_code == 403, "CSRF is checked"
    done = b.post("/notifications/read-all", data={"csrf_token": token})
    assert done.status_code == 303 and done.headers["location"] == "/notifications"
    after = b.get("/notifications")
    assert _bell(after.text) == 0 and "notification is-unread" not in after.text
    assert "Mark all read" not in after.text


def test_centre_is_per_person_and_per_org(client, browser, world):  # noqa: F811
    _notify(world.alice, world.bob, 1, lead_name="Alices Only")
    for person in (world.bob, world.carol):
        b = browser()
        token = sign_in(b, person)
        page = b.get("/notifications")
        assert "Alices Only" not in page.text and "No notifications yet" in page.text
    alice = browser()
    sign_in(alice, world.alice)
    (nid,) = re.findall(r'action="/notifications/([0-9a-f-]{36})/open"', alice.get("/notifications").text)
    # Bob (same org) and Carol (other org) get the same not-found page as for a made-up id.
    for person in (world.bob, world.carol):
        b = browser()
        token = sign_in(b, person)
        real = b.post(f"/notifications/{nid}/open", data={"csrf_token": token})
        ghost = b.post("/notifications/01a20000-0000-7000-8000-000000000000/open", data={"csrf_token": token})
        assert real.status_code == ghost.status_code == 404
    assert _bell(alice.get("/").text) == 1


def test_settings_tab_saves_channels_and_in_app_off_stops_notifications(client, browser, world):  # noqa: F811
    b = browser()
    token = sign_in(b, world.bob)
    page = b.get("/settings/notifications")
    assert page.status_code == 200
    assert '<a href="/settings/notifications" aria-current="page">Notifications</a>' in page.text
    assert "Settings → Push" in page.text and "8:00 in your timezone" in page.text
    # Seven types with in-app and digest each; all but import_finished and role_changed offer Web Push.
    assert page.text.count('type="checkbox"') == 7 + 7 + 5, "import_finished offers no Web Push"
    # Everything on except in-app for assignments; the digest of mentions on.
    boxes = {f"{t}.in_app": "on" for t in ("stage_changed", "mention", "import_finished")}
    boxes |= {f"{t}.push": "on" for t in ("lead_assigned", "stage_changed", "mention")}
    boxes["mention.email_digest"] = "on"
    saved = b.post("/settings/notifications", data={"csrf_token": token, **boxes})
    assert saved.status_code == 303, saved.text
    again = b.get(saved.headers["location"])
    assert "Your notification settings were saved." in again.text
    assert 'name="lead_assigned.in_app" aria-label="A lead is assigned to me: in the app">' in again.text
    assert 'name="mention.email_digest"' in again.text and count_rows(world.bob, NotificationPreference) == 7

    lead_id = new_lead(world.alice)
    from tests.notifications.test_triggers import _note, _update

    _update(world.alice, lead_id, owner_id=world.bob.user_id)
    _note(world.alice, lead_id, "@BobBrooks see this")
    assert types_of(world.bob) == ["mention"]


def test_centre_shows_times_in_the_readers_own_zone(client, browser, world):  # noqa: F811
    from datetime import datetime
    from zoneinfo import ZoneInfo

    from salesos.auth.models import User
    from salesos.db.session import unit_of_work

    with unit_of_work() as session:
        session.get_one(User, world.bob.user_id).timezone = "Asia/Tokyo"  # the org stays on UTC
    _notify(world.bob, world.alice, 1, lead_name="Tokyo Co")
    b = browser()
    sign_in(b, world.bob)
    page = b.get("/notifications").text
    shown = re.search(r'<time datetime="([^"]+)">([^<]+)</time>', page)
    assert shown
    at = datetime.fromisoformat(shown.group(1)).astimezone(ZoneInfo("Asia/Tokyo"))
    assert shown.group(2) == f"{at.day} {at:%b %Y, %H:%M}", "nine hours ahead of UTC, as Bob reads it"
