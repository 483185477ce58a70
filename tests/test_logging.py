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
