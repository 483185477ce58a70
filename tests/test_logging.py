"""Logs carry a request id and never a password, token or message body."""

from __future__ import annotations

import json

SECRET_PASSWORD = "hunter2-very-secret-pw"


def test_logs_have_request_id_and_no_secrets(client, world, capfd):
    capfd.readouterr()
    signup = client.post(
        "/api/v1/auth/signup",
        json={
            "name": "Log Tester",
            "email": "log@l.example",
            "password": SECRET_PASSWORD,
            "org_name": "Logs Inc",
        },
    )
    assert signup.status_code == 201
    access, refresh = signup.json()["access_token"], signup.json()["refresh_token"]
    client.post("/api/v1/auth/token", json={"email": "log@l.example", "password": SECRET_PASSWORD + "x"})
    client.post("/api/v1/auth/refresh", json={"refresh_token": refresh})
    client.get("/api/v1/auth/me", headers={"Authorization": f"Bearer {access}", "X-Request-ID": "req-42"})
    out, err = capfd.readouterr()
    logged = out + err
    for secret in (SECRET_PASSWORD, access, refresh):
        assert secret not in logged
    assert "req-42" in logged


def test_json_log_lines(settings, monkeypatch, capfd):
    import structlog

    from salesos.config import get_settings
    from salesos.logging import configure_logging

    monkeypatch.setenv("SALESOS_LOG_JSON", "true")
    get_settings.cache_clear()
    configure_logging()
    structlog.get_logger("t").info("hello", password="p4ss", user_id="u1")
    line = capfd.readouterr().err.strip().splitlines()[-1]
    event = json.loads(line)
    assert event["event"] == "hello" and event["password"] == "[redacted]" and event["user_id"] == "u1"


def _json_lines(text: str) -> list[dict]:
    events = []
    for line in text.splitlines():
        try:
            events.append(json.loads(line))
        except ValueError:
            continue
    return events


def test_json_is_the_default_outside_development(tmp_path, monkeypatch):
    from salesos.config import Settings

    monkeypatch.delenv("SALESOS_LOG_JSON", raising=False)
    secret = "a-long-enough-production-secret-value-0123456789"
    assert Settings(var_dir=tmp_path, env="production", secret_key=secret).json_logs is True
    assert Settings(var_dir=tmp_path, env="development").json_logs is False
    assert Settings(var_dir=tmp_path, env="development", log_json=True).json_logs is True
    assert Settings(var_dir=tmp_path, env="production", secret_key=secret, log_json=False).json_logs is False


def test_standard_library_loggers_write_the_same_json(settings, monkeypatch, capfd):
    import logging

    from salesos.config import get_settings
    from salesos.logging import configure_logging

    monkeypatch.setenv("SALESOS_LOG_JSON", "true")
    get_settings.cache_clear()
    configure_logging()
    capfd.readouterr()
    logging.getLogger("huey.consumer").warning("worker %s died", "w1")
    logging.getLogger("uvicorn.error").error("Exception in ASGI application")  # the duplicate trace
    events = _json_lines(capfd.readouterr().err)
    assert [e["event"] for e in events] == ["worker w1 died"]
    assert events[0]["logger"] == "huey.consumer" and events[0]["level"] == "warning"


def test_unhandled_error_is_logged_once_with_the_request_id_the_client_got(settings, monkeypatch, capfd):
    from fastapi.testclient import TestClient

    from salesos.config import get_settings
    from salesos.main import create_app

    monkeypatch.setenv("SALESOS_LOG_JSON", "true")
    monkeypatch.setenv("SALESOS_RUN_WORKER_IN_PROCESS", "false")
    get_settings.cache_clear()
    app = create_app()

    @app.get("/boom")
    def boom() -> None:
        raise RuntimeError("kaboom")

    with TestClient(app, raise_server_exceptions=False) as client:
        capfd.readouterr()
        response = client.get("/boom")
    assert response.status_code == 500
    request_id = response.json()["request_id"]
    events = _json_lines(capfd.readouterr().err)
    errors = [e for e in events if e["event"] == "unhandled_error"]
    assert len(errors) == 1 and errors[0]["request_id"] == request_id
    assert "kaboom" in errors[0]["exception"]
    access = [e for e in events if e["event"] == "request"]
    assert access and access[0]["request_id"] == request_id and access[0]["status"] == 500


def test_credential_paths_are_redacted_in_the_access_log():
    from salesos.api.middleware import loggable_path

    for path in (
        "/reset-password/abc123",
        "/invite/inv_x_y",
        "/calendar/feed/tok.ics",
        "/notifications/snooze/s3cret-token",
    ):
        assert loggable_path(path).endswith("/[redacted]"), path
    assert loggable_path("/leads/123") == "/leads/123"


def test_snooze_token_never_reaches_the_log(client, capfd):
    capfd.readouterr()
    client.post("/notifications/snooze/snooze-secret-token-123")
    assert "snooze-secret-token-123" not in "".join(capfd.readouterr())
