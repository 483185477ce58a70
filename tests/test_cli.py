"""The salesos command: check, demo (idempotent), createuser, jobs."""

from __future__ import annotations

from typer.testing import CliRunner

from salesos.cli import app

runner = CliRunner()


def test_check_reports_embedded_mode(settings):
    result = runner.invoke(app, ["check"])
    assert result.exit_code == 0, result.output
    assert "embedded" in result.output
    assert "unreachable" not in result.output


def test_demo_is_idempotent_and_login_works(settings, client):
    first = runner.invoke(app, ["demo"])
    second = runner.invoke(app, ["demo"])
    assert first.exit_code == second.exit_code == 0, first.output + second.output
    assert "demo@example.com" in first.output
    token = client.post(
        "/api/v1/auth/token", json={"email": "demo@example.com", "password": settings.demo_password}
    )
    assert token.status_code == 200
    headers = {"Authorization": f"Bearer {token.json()['access_token']}"}
    members = client.get("/api/v1/members", headers=headers).json()["items"]
    assert sorted(m["role"] for m in members) == ["member", "owner", "viewer"]


def test_createuser(settings):
    result = runner.invoke(
        app,
        [
            "createuser",
            "--email",
            "ops@x.example",
            "--name",
            "Ops",
            "--org",
            "Ops Co",
            "--password",
            "a long password",
        ],
    )
    assert result.exit_code == 0, result.output
    assert "ops-co" in result.output
    again = runner.invoke(
        app,
        [
            "createuser",
            "--email",
            "ops@x.example",
            "--name",
            "Ops",
            "--org",
            "Ops Co",
            "--password",
            "a long password",
        ],
    )
    assert again.exit_code == 1 and "already exists" in again.output


def test_jobs_list_and_retry_unknown(settings):
    listed = runner.invoke(app, ["jobs", "list", "--status", "all"])
    assert listed.exit_code == 0, listed.output
    missing = runner.invoke(app, ["jobs", "retry", "00000000-0000-0000-0000-000000000000"])
    assert missing.exit_code == 1


def test_demo_builds_a_realistic_pipeline(settings, client):
    from collections import Counter

    runner.invoke(app, ["demo"])
    token = client.post(
        "/api/v1/auth/token", json={"email": "demo@example.com", "password": settings.demo_password}
    ).json()["access_token"]
    headers = {"Authorization": f"Bearer {token}"}
    stages = {
        s["id"]: s["name"] for s in client.get("/api/v1/pipelines", headers=headers).json()[0]["stages"]
    }
    rows, cursor = [], None
    while True:
        page = client.get(
            "/api/v1/leads", params={"limit": 200, **({"cursor": cursor} if cursor else {})}, headers=headers
        ).json()
        rows += page["items"]
        cursor = page["next_cursor"]
        if not cursor:
            break
    assert len(rows) == 200
    by_stage = Counter(stages[r["stage_id"]] for r in rows)
    assert by_stage == {"New": 60, "Contacted": 45, "Qualified": 35, "Proposal": 25, "Won": 20, "Lost": 15}
    won = next(r for r in rows if stages[r["stage_id"]] == "Won")
    timeline = client.get(f"/api/v1/leads/{won['id']}/timeline", headers=headers).json()["items"]
    assert sum(1 for a in timeline if a["kind"] == "stage_changed") == 4


def test_serve_points_emailed_links_at_its_own_port_unless_a_base_url_is_set(settings, monkeypatch):
    import uvicorn

    from salesos.config import get_settings

    served: list[int] = []
    monkeypatch.setattr(uvicorn, "run", lambda *a, **kw: served.append(kw["port"]))
    monkeypatch.setenv("SALESOS_BASE_URL", "placeholder")  # recorded as absent before: undone after the test
    monkeypatch.delenv("SALESOS_BASE_URL")
    get_settings.cache_clear()
    result = runner.invoke(app, ["serve", "--port", "8125", "--no-migrate"])
    assert result.exit_code == 0, result.output
    assert served == [8125] and get_settings().base_url == "http://127.0.0.1:8125"

    monkeypatch.setenv("SALESOS_BASE_URL", "https://crm.example")
    get_settings.cache_clear()
    assert runner.invoke(app, ["serve", "--port", "8126", "--no-migrate"]).exit_code == 0
    assert get_settings().base_url == "https://crm.example", "a configured base URL is kept"


def _silent_port() -> tuple[object, int]:
    import socket

    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    sock.listen(16)  # the kernel accepts connections; nobody ever answers
    return sock, sock.getsockname()[1]


def _reconfigure(monkeypatch, **env: str) -> None:
    from salesos.config import get_settings
    from salesos.db.engine import reset_engines
    from salesos.jobs.queue import reset_queue

    for key, value in env.items():
        monkeypatch.setenv(f"SALESOS_{key.upper()}", value)
    get_settings.cache_clear()
    reset_engines()
    reset_queue()


def test_check_fails_naming_an_unreachable_database_quickly(settings, monkeypatch):
    import time

    sock, port = _silent_port()
    try:
        _reconfigure(
            monkeypatch,
            database_url=f"postgresql+psycopg://app@127.0.0.1:{port}/x",
            db_connect_timeout_seconds="2",
        )
        started = time.monotonic()
        result = runner.invoke(app, ["check"])
        elapsed = time.monotonic() - started
    finally:
        sock.close()
        _reconfigure(monkeypatch)
    assert result.exit_code == 1, result.output
    assert "database unreachable" in result.output
    assert elapsed < 10


def test_check_fails_when_redis_is_unreachable(settings, monkeypatch):
    sock, port = _silent_port()
    sock.close()  # now nothing listens there
    _reconfigure(monkeypatch, redis_url=f"redis://127.0.0.1:{port}/0")
    try:
        result = runner.invoke(app, ["check"])
    finally:
        monkeypatch.delenv("SALESOS_REDIS_URL")
        _reconfigure(monkeypatch)
    assert result.exit_code == 1, result.output
    assert "queue unreachable" in result.output and "redis unreachable" in result.output


def test_check_fails_on_a_schema_behind_the_code(settings):
    from sqlalchemy import text

    from salesos.db.engine import get_engine

    with get_engine().begin() as conn:
        conn.execute(text("DROP TABLE alembic_version"))
    result = runner.invoke(app, ["check"])
    assert result.exit_code == 1, result.output
    assert "schema behind: run salesos migrate" in result.output


def test_check_warns_about_console_email_in_production(settings, monkeypatch):
    _reconfigure(monkeypatch, env="production", secret_key="k" * 40)
    result = runner.invoke(app, ["check"])
    assert result.exit_code == 0, result.output
    assert "console email provider" in result.output and "SALESOS_EMAIL_PROVIDER=smtp" in result.output


def test_configuration_errors_are_one_line_each_and_never_echo_the_value(settings, monkeypatch):
    _reconfigure(monkeypatch, env="production", secret_key="hunter2", port="eighty")
    result = runner.invoke(app, ["check"])
    assert result.exit_code == 2, result.output
    assert "hunter2" not in result.output and "eighty" not in result.output
    assert "Traceback" not in result.output
    lines = [line for line in result.output.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith("configuration error SALESOS_PORT:"), lines

    _reconfigure(monkeypatch, port="8000")
    result = runner.invoke(app, ["check"])
    assert result.exit_code == 2 and "hunter2" not in result.output
    assert "SALESOS_SECRET_KEY is a placeholder or shorter than 32 characters" in result.output


def test_a_postgres_scheme_gets_a_hint(settings, monkeypatch):
    _reconfigure(monkeypatch, database_url="postgres://app:pw-secret@db/salesos")
    result = runner.invoke(app, ["check"])
    assert result.exit_code == 2, result.output
    assert "SALESOS_DATABASE_URL" in result.output and "postgresql+psycopg://" in result.output
    assert "pw-secret" not in result.output


def test_createuser_validates_the_email_like_the_api(settings):
    args = ["--name", "Ops", "--org", "Ops Co", "--password", "a long password"]
    bad = runner.invoke(app, ["createuser", "--email", "notanemail", *args])
    assert bad.exit_code == 2 and "not a valid email address" in bad.output
    assert "Created" not in bad.output
    assert runner.invoke(app, ["createuser", "--email", "ops@x.example", *args]).exit_code == 0
    twice = runner.invoke(app, ["createuser", "--email", "OPS@x.example", *args])
    assert twice.exit_code == 1 and "Sign in" not in twice.output
    assert "already exists" in twice.output
    weak = runner.invoke(
        app, ["createuser", "--email", "b@x.example", "--name", "B", "--org", "B", "--password", "123"]
    )
    assert weak.exit_code == 1 and "--password:" in weak.output


def _dead_jobs(*ids: str) -> None:
    import uuid

    from salesos.db.session import unit_of_work
    from salesos.jobs.models import OutboxJob

    with unit_of_work() as session:
        for job_id in ids:
            session.add(
                OutboxJob(
                    id=uuid.UUID(job_id),
                    name="sample.fail",
                    payload={},
                    status="dead",
                    attempts=5,
                    last_error="RuntimeError: boom\nsecond line",
                )
            )


def test_jobs_list_prints_full_ids_and_retry_takes_a_unique_prefix(settings):
    first, second = "01a246d5-f2aa-7000-8000-000000000001", "01a246d5-f2bb-7000-8000-000000000002"
    _dead_jobs(first, second)
    listed = runner.invoke(app, ["jobs", "list"])
    assert listed.exit_code == 0, listed.output
    assert first in listed.output and second in listed.output
    assert "{" not in listed.output and "dead 2" in listed.output

    ambiguous = runner.invoke(app, ["jobs", "retry", "01a246d5-f2"])
    assert ambiguous.exit_code == 2 and "more than one job" in ambiguous.output
    retried = runner.invoke(app, ["jobs", "retry", "01a246d5-f2b"])
    assert retried.exit_code == 0, retried.output
    assert second in retried.output
    assert runner.invoke(app, ["jobs", "retry", "ffff"]).exit_code == 1
    assert runner.invoke(app, ["jobs", "retry", "not-hex"]).exit_code == 2


def test_jobs_list_refuses_an_unknown_status_with_the_valid_ones(settings):
    result = runner.invoke(app, ["jobs", "list", "--status", "bogus"])
    assert result.exit_code == 2
    assert "Invalid value for --status" in result.output
    assert all(status in result.output for status in ("failed", "all", "pending", "running", "done", "dead"))
    assert "Traceback" not in result.output


def test_serve_refuses_several_workers_without_redis(settings, monkeypatch):
    import uvicorn

    monkeypatch.setattr(uvicorn, "run", lambda *a, **kw: None)
    result = runner.invoke(app, ["serve", "--workers", "2", "--no-migrate"])
    assert result.exit_code == 2 and "SALESOS_REDIS_URL" in result.output


def test_serve_passes_the_trusted_proxy_addresses(settings, monkeypatch):
    import uvicorn

    seen: list[dict] = []
    monkeypatch.setattr(uvicorn, "run", lambda *a, **kw: seen.append(kw))
    result = runner.invoke(app, ["serve", "--no-migrate", "--forwarded-allow-ips", "10.0.0.5"])
    assert result.exit_code == 0, result.output
    assert seen[0]["forwarded_allow_ips"] == "10.0.0.5" and seen[0]["proxy_headers"] is True


def test_demo_refuses_production_with_the_published_password(settings, monkeypatch):
    _reconfigure(monkeypatch, env="production", secret_key="k" * 40)
    refused = runner.invoke(app, ["demo"])
    assert refused.exit_code == 1 and "SALESOS_DEMO_PASSWORD" in refused.output
    _reconfigure(monkeypatch, demo_password="a password of our own")
    assert runner.invoke(app, ["demo"]).exit_code == 0


def test_createuser_works_when_public_sign_up_is_closed(settings, monkeypatch):
    _reconfigure(monkeypatch, signup_open="false")
    args = ["createuser", "--email", "ops@x.example", "--name", "Ops", "--org", "Ops Co"]
    result = runner.invoke(app, [*args, "--password", "long enough pw"])
    assert result.exit_code == 0, result.output
