"""Scale-out realtime: an event committed in API process A reaches an SSE client of API process B,
through Redis, and an org-B client receives nothing."""

from __future__ import annotations

import contextlib
import json
import queue
import threading

import httpx
import pytest

from tests.support.servers import app_server, settings_env
from tests.support.services import REDIS_URL, require


@pytest.fixture
def redis_settings():  # type: ignore[no-untyped-def]
    require("redis")


def _listen(url: str, token: str, out: queue.Queue, stop: threading.Event) -> None:  # type: ignore[type-arg]
    headers = {"Authorization": f"Bearer {token}", "Accept": "text/event-stream"}
    with contextlib.suppress(httpx.HTTPError):  # the server shuts down at the end of the test
        _read_stream(url, headers, out, stop)


def _read_stream(url: str, headers: dict[str, str], out: queue.Queue, stop: threading.Event) -> None:  # type: ignore[type-arg]
    with httpx.stream("GET", f"{url}/api/v1/events", headers=headers, timeout=httpx.Timeout(5, read=20)) as r:
        out.put(("status", r.status_code))
        event = None
        for line in r.iter_lines():
            if stop.is_set():
                return
            if line.startswith("event:"):
                event = line.split(":", 1)[1].strip()
            elif line.startswith("data:") and event:
                out.put((event, json.loads(line.split(":", 1)[1])))


@pytest.mark.parametrize("db_kind", ["postgres"], indirect=True)
def test_event_from_process_a_reaches_sse_client_on_process_b(redis_settings, settings, world):
    env = settings_env(settings, redis_url=REDIS_URL)
    with app_server(env) as url_a, app_server(env) as url_b:
        alice_events: queue.Queue = queue.Queue()  # type: ignore[type-arg]
        carol_events: queue.Queue = queue.Queue()  # type: ignore[type-arg]
        stop = threading.Event()
        for token, out in (
            (world.alice.access_token, alice_events),
            (world.carol.access_token, carol_events),
        ):
            threading.Thread(target=_listen, args=(url_b, token, out, stop), daemon=True).start()
        assert alice_events.get(timeout=10) == ("status", 200)
        assert carol_events.get(timeout=10) == ("status", 200)

        renamed = httpx.patch(
            f"{url_a}/api/v1/org", json={"name": "Acme Renamed"}, headers=world.alice.headers
        )
        assert renamed.status_code == 200

        while True:
            event, data = alice_events.get(timeout=10)
            if event == "org.updated":
                assert data == {"org_id": str(world.alice.org_id)}
                break
        # Carol's stream on the same process saw nothing of org A.
        with pytest.raises(queue.Empty):
            while True:
                event, _data = carol_events.get(timeout=1.5)
                assert event not in {"org.updated"}, "org B received org A's event"
        stop.set()


@pytest.mark.parametrize("db_kind", ["postgres"], indirect=True)
def test_rolled_back_write_publishes_nothing(redis_settings, settings, world):
    env = settings_env(settings, redis_url=REDIS_URL)
    with app_server(env) as url:
        events: queue.Queue = queue.Queue()  # type: ignore[type-arg]
        stop = threading.Event()
        threading.Thread(
            target=_listen, args=(url, world.alice.access_token, events, stop), daemon=True
        ).start()
        assert events.get(timeout=10) == ("status", 200)
        # Viewer-level failure after validation: a 4xx rolls the request back, so no event goes out.
        bad = httpx.patch(f"{url}/api/v1/org", json={"name": ""}, headers=world.alice.headers)
        assert bad.status_code == 422
        with pytest.raises(queue.Empty):
            events.get(timeout=1.5)
        stop.set()
