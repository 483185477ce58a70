"""The same external id posted concurrently makes one lead: two sessions, and two real server processes."""

from __future__ import annotations

import threading
import time

import httpx
from sqlalchemy import func, select

from salesos.db.session import open_session, unit_of_work
from salesos.intake.schemas import IntakeResultOut
from salesos.intake.service import endpoints, receive
from salesos.intake.signing import sign
from salesos.leads.models import Lead
from tests.conftest import both_databases
from tests.intake.helpers import encode, row, signed_headers
from tests.support.servers import app_server, settings_env


def _endpoint(world):  # type: ignore[no-untyped-def]
    with unit_of_work(org_id=world.alice.org_id, user_id=world.alice.user_id) as s:
        endpoint, secret = endpoints.create_endpoint(s, name="race", source="race", created_by=None)
        return endpoints.public_id(endpoint), secret


def _leads(world, source: str = "race") -> int:  # type: ignore[no-untyped-def]
    with unit_of_work(write=False, org_id=world.alice.org_id) as s:
        return int(s.scalar(select(func.count()).select_from(Lead).where(Lead.source == source)) or 0)


@both_databases
def test_second_session_waits_and_reports_a_duplicate(settings, world):
    public_id, secret = _endpoint(world)
    raw = encode(row("same-1", "Racer Inc"))
    first = open_session()
    got_first = receive.receive(first, public_id, sign(secret, raw), raw)  # flushed, not committed
    assert got_first.created == 1
    outcome: list[IntakeResultOut] = []

    def second() -> None:
        s = open_session()
        try:
            outcome.append(receive.receive(s, public_id, sign(secret, raw), raw))
            s.commit()
        finally:
            s.close()

    thread = threading.Thread(target=second)
    thread.start()
    time.sleep(0.5)
    assert thread.is_alive(), "the second transaction must wait for the first (lock or unique key)"
    first.commit()
    first.close()
    thread.join(timeout=20)
    assert outcome and outcome[0].duplicates == 1
    assert outcome[0].results[0].lead_id == got_first.results[0].lead_id
    assert _leads(world) == 1


@both_databases
def test_concurrent_posts_to_two_server_processes_make_one_lead_each(settings, world):
    public_id, secret = _endpoint(world)
    env = settings_env(settings)
    with app_server(env) as url_a, app_server(env) as url_b:
        for attempt in range(5):
            raw = encode(row(f"race-{attempt}", f"Race {attempt}"))
            barrier = threading.Barrier(2)
            statuses: list[str] = []

            def fire(
                base: str, raw: bytes = raw, barrier: threading.Barrier = barrier, out: list[str] = statuses
            ) -> None:
                barrier.wait()
                r = httpx.post(
                    f"{base}/api/v1/intake/{public_id}",
                    content=raw,
                    headers=signed_headers(secret, raw),
                    timeout=30,
                )
                assert r.status_code == 200, r.text
                out.append(r.json()["results"][0]["status"])

            threads = [threading.Thread(target=fire, args=(u,)) for u in (url_a, url_b)]
            for t in threads:
                t.start()
            for t in threads:
                t.join(timeout=30)
            assert sorted(statuses) == ["created", "duplicate"], statuses
    assert _leads(world) == 5
