"""The intake settings page: admins list, create, rotate and revoke; secrets appear once; members get 403."""

from __future__ import annotations

import re

from tests.intake.helpers import post, row
from tests.web.test_pages import browser, sign_in  # noqa: F401  (browser is a fixture)

SECRET = re.compile(r'id="new-intake-secret" class="mono" type="text" value="([^"]+)"')
URL = re.compile(r"<code>(http[^<]+/api/v1/intake/ie_[^<]+)</code>")


def test_admin_creates_rotates_and_revokes(client, browser, world):  # noqa: F811
    b = browser()
    token = sign_in(b, world.alice.email)
    assert 'href="/settings/intake"' in b.get("/settings/profile").text
    listed = b.get("/settings/intake")
    assert listed.status_code == 200 and "A&#39;s scraper" in listed.text and "How to sign" in listed.text
    created = b.post("/settings/intake", data={"name": "Maps", "source": "maps", "csrf_token": token})
    assert created.status_code == 200 and created.headers["cache-control"] == "no-store"
    secret = SECRET.search(created.text).group(1)  # type: ignore[union-attr]
    url = URL.search(created.text).group(1)  # type: ignore[union-attr]
    path = url.split("testserver", 1)[-1] if "testserver" in url else "/api" + url.split("/api", 1)[1]
    assert post(client, path, row("p-1"), secret).status_code == 200
    listing = b.get("/settings/intake")
    assert secret not in listing.text and "Maps" in listing.text
    endpoint_id = re.search(r"/settings/intake/([0-9a-f-]{36})/rotate", listing.text).group(1)  # type: ignore[union-attr]
    rotated = b.post(f"/settings/intake/{endpoint_id}/rotate", data={"csrf_token": token})
    new_secret = SECRET.search(rotated.text).group(1)  # type: ignore[union-attr]
    assert new_secret != secret and "keeps working for 24 hours" in rotated.text
    assert post(client, path, row("p-2"), new_secret).status_code == 200
    revoked = b.post(f"/settings/intake/{endpoint_id}/revoke", data={"csrf_token": token})
    assert revoked.status_code == 303
    assert "Revoked" in b.get(revoked.headers["location"]).text
    assert post(client, path, row("p-3"), new_secret).status_code == 401
    bad = b.post("/settings/intake", data={"name": "", "csrf_token": token})
    assert bad.status_code == 422


def test_member_gets_403_and_no_tab(client, browser, world):  # noqa: F811
    b = browser()
    sign_in(b, world.bob.email)
    assert "/settings/intake" not in b.get("/settings/profile").text
    assert b.get("/settings/intake").status_code == 403
