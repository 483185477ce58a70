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


def test_redis_or_postgres_is_scale_out(tmp_path):
    assert Settings(var_dir=tmp_path, redis_url="redis://127.0.0.1:6379/0").mode == "scale-out"
    assert Settings(var_dir=tmp_path, database_url="postgresql+psycopg://x@h/db").mode == "scale-out"


@pytest.mark.parametrize("secret", ["changeme", "secret", "short-but-not-placeholder"])
def test_placeholder_or_short_secret_refused_in_production(tmp_path, secret):
    with pytest.raises(ValidationError):
        Settings(var_dir=tmp_path, env="production", secret_key=secret)


def test_production_needs_an_explicit_secret(tmp_path):
    with pytest.raises(ValidationError):
        Settings(var_dir=tmp_path, env="production")
    ok = Settings(var_dir=tmp_path, env="production", secret_key="x" * 10 + "a-real-long-random-value-123")
    assert ok.env == "production"
