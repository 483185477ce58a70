"""The offline parts of the PWA as served: the worker's lead cache, the shell, the page hooks."""

from __future__ import annotations

import re

from salesos.web import pwa
from tests.web.test_pages import HTML, browser, sign_in  # noqa: F401  (browser is a fixture used by name)

API = "/api/v1"


def test_worker_caches_lead_pages_and_precaches_the_offline_script(client):
    body = client.get("/sw.js").text
    assert '"/static/offline.js"' in body and '"/static/offline-queue.js"' in body
    assert f"const LEAD_LIMIT = {pwa.OFFLINE_LEAD_LIMIT};" in body and pwa.OFFLINE_LEAD_LIMIT == 50
    assert 'const LEADS_CACHE = "salesos-leads-v1";' in body
    # Its own cache name: the shell cleanup (prefix salesos-shell-) must not wipe the leads.
    assert not "salesos-leads-v1".startswith("salesos-shell-")
    assert "{{" not in body and "{%" not in body
    version = re.search(r'const VERSION = "([^"]+)";', body)
    assert version and version.group(1) == pwa.shell_version()
    for script in ("offline.js", "offline-queue.js"):
        assert client.get(f"/static/{script}").status_code == 200


def test_shell_version_covers_the_worker_template(client, monkeypatch):
    pwa.shell_version.cache_clear()
    before = pwa.shell_version()
    original = pwa.WEB_DIR.__class__.read_bytes

    def read_bytes(path):  # type: ignore[no-untyped-def]
        data = original(path)
        return data + b"// changed" if path.name == "sw.js" else data

    monkeypatch.setattr(pwa.WEB_DIR.__class__, "read_bytes", read_bytes)
    pwa.shell_version.cache_clear()
    try:
        assert pwa.shell_version() != before
    finally:
        monkeypatch.undo()
        pwa.shell_version.cache_clear()


def test_lead_page_carries_the_offline_hooks(client, world, browser):  # noqa: F811
    lead = client.post(
        f"{API}/leads", json={"company": {"name": "Hooli"}}, headers=world.alice.headers
    ).json()
    b = browser()
    sign_in(b, world.alice.email)
    page = b.get(f"/leads/{lead['id']}").text
    assert f'data-offline-lead="{lead["id"]}" data-stage-id="{lead["stage_id"]}"' in page
    assert 'data-offline="note"' in page and 'data-offline="stage"' in page
    scope = f'data-scope="{world.alice.user_id}:{world.alice.org_id}"'
    assert f'<script src="/static/offline.js" {scope} defer></script>' in page
    # The queue is defined before the page side that uses it (deferred scripts run in document order).
    assert page.index("/static/offline-queue.js") < page.index("/static/offline.js")
    # Signed-out pages have no queue to replay.
    assert "offline.js" not in b.get("/offline", headers=HTML).text
