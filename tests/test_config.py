"""Settings: embedded defaults, a generated secret kept private, placeholder secrets refused."""

from __future__ import annotations

import stat

import pytest
from pydantic import ValidationError

from salesos.config import Settings


def test_defaults_are_embedded_mode(tmp_path, monkeypatch):
    for key in ("SALESOS_DATABASE_URL", "SALESOS_REDIS_URL", "SALESOS_SECRET_KEY", "SALESOS_ENV"):
        monkeypatch.delenv(key, raising=False)
    s = Settings(var_dir=tmp_path)
    assert s.mode == "embedded"
    assert s.database_url == f"sqlite:///{tmp_path / 'salesos.db'}"
    assert s.queue_path == tmp_path / "queue.db"
    secret_file = tmp_path / "secret_key"
    assert stat.S_IMODE(secret_file.stat().st_mode) == 0o600
    assert Settings(var_dir=tmp_path).secret_key == s.secret_key, "generated once, then reused"
    assert len(s.secret_key) >= 32


def test_redis_is_scale_out_and_postgres_alone_runs_jobs_in_the_server(tmp_path):
    scale_out = Settings(var_dir=tmp_path, redis_url="redis://127.0.0.1:6379/0")
    assert scale_out.mode == "scale-out" and not scale_out.jobs_in_process
    single = Settings(var_dir=tmp_path, database_url="postgresql+psycopg://x@h/db")
    assert single.mode == "single-server" and single.jobs_in_process, "no Redis: nothing else reads the queue"
    assert Settings(var_dir=tmp_path).jobs_in_process


@pytest.mark.parametrize("url", ["postgres://u:pw@h/db", "postgresql://u:pw@h/db"])
def test_a_driverless_postgres_url_is_refused_with_the_form_that_works(tmp_path, url):
    with pytest.raises(ValidationError) as caught:
        Settings(var_dir=tmp_path, database_url=url)
    assert "postgresql+psycopg://" in str(caught.value)


def test_settings_errors_are_described_without_their_values(tmp_path):
    from salesos.config import describe_settings_errors

    with pytest.raises(ValidationError) as caught:
        Settings(var_dir=tmp_path, env="production", secret_key="hunter2")
    lines = describe_settings_errors(caught.value)
    assert lines == ["settings: SALESOS_SECRET_KEY is a placeholder or shorter than 32 characters"]
    with pytest.raises(ValidationError) as caught:
        Settings(var_dir=tmp_path, port="eighty", smtp_port="x")  # type: ignore[arg-type]
    lines = describe_settings_errors(caught.value)
    assert [line.split(":")[0] for line in lines] == ["SALESOS_PORT", "SALESOS_SMTP_PORT"]
    assert not any("eighty" in line for line in lines)


def test_console_email_in_production_is_flagged(tmp_path):
    secret = "k" * 40
    assert Settings(var_dir=tmp_path, env="production", secret_key=secret).mails_to_console
    assert not Settings(
        var_dir=tmp_path, env="production", secret_key=secret, email_provider="smtp"
    ).mails_to_console
    assert not Settings(var_dir=tmp_path).mails_to_console


@pytest.mark.parametrize("secret", ["changeme", "secret", "short-but-not-placeholder"])
def test_placeholder_or_short_secret_refused_in_production(tmp_path, secret):
    with pytest.raises(ValidationError):
        Settings(var_dir=tmp_path, env="production", secret_key=secret)


def test_production_needs_an_explicit_secret(tmp_path):
    with pytest.raises(ValidationError):
        Settings(var_dir=tmp_path, env="production")
    ok = Settings(var_dir=tmp_path, env="production", secret_key="x" * 10 + "a-real-long-random-value-123")
    assert ok.env == "production"
