"""Settings read from the environment (prefix SALESOS_), with embedded-mode defaults."""

from __future__ import annotations

import os
import secrets
from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import Field, ValidationError, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

PROJECT_ROOT = Path(__file__).resolve().parents[2]

# Values that show up in copy-pasted examples; refusing them outside development
# stops a deployment from running with a key everybody knows.
PLACEHOLDER_SECRETS = {"changeme", "change-me", "secret", "dev", "development", "password", "xxx", "test"}
MIN_SECRET_LENGTH = 32


def _read_or_create_secret(path: Path) -> str:
    """Return the secret stored at *path*, generating it (mode 0600) on first use."""
    if path.exists():
        return path.read_text().strip()
    path.parent.mkdir(parents=True, exist_ok=True)
    value = secrets.token_urlsafe(48)
    # O_EXCL: two processes starting together must not each write their own key.
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return path.read_text().strip()
    with os.fdopen(fd, "w") as fh:
        fh.write(value)
    return value


class Settings(BaseSettings):
    """Every knob of a SalesOS deployment; nothing set means embedded mode."""

    model_config = SettingsConfigDict(env_prefix="SALESOS_", env_file=".env", extra="ignore")

    env: Literal["development", "test", "production"] = "development"
    var_dir: Path = PROJECT_ROOT / "var"
    base_url: str = "http://127.0.0.1:8000"
    host: str = "127.0.0.1"
    port: int = 8000

    database_url: str = ""
    # Migrations run as the table owner; the app connects as a role without ownership
    # so that FORCE ROW LEVEL SECURITY applies to it. Empty means "same as database_url".
    migration_database_url: str = ""
    redis_url: str = ""
    queue_path: Path | None = None

    secret_key: str = ""
    session_cookie: str = "salesos_session"
    session_days: int = 14
    access_token_minutes: int = 15
    refresh_token_days: int = 30
    invitation_days: int = 7
    password_reset_minutes: int = 60

    login_max_failures: int = 5
    login_window_seconds: int = 60
    max_body_bytes: int = 1024 * 1024
    # Connections kept per process (as many again may overflow under bursts).
    db_pool_size: int = 20
    # PostgreSQL: give up on a connection attempt after this long (a server that accepts TCP but never
    # answers would otherwise hang requests, /readyz and `salesos check`). libpq rounds below 2 up to 2.
    db_connect_timeout_seconds: int = 5

    email_provider: Literal["console", "smtp"] = "console"
    email_from: str = "SalesOS <no-reply@salesos.local>"
    smtp_host: str = "127.0.0.1"
    smtp_port: int = 25
    smtp_username: str = ""
    smtp_password: str = ""
    smtp_starttls: bool = False

    # Web Push: keys are generated into var/ on first use unless given (base64url, raw P-256 scalar);
    # the subject is how push services reach the operator (default: the From address of email).
    push_provider: Literal["webpush", "log"] = "webpush"
    vapid_private_key: str = ""
    vapid_subject: str = ""
    # Push services besides the built-in list (FCM, Mozilla, Apple, Windows) that subscriptions may name.
    push_extra_hosts: str = ""

    # Google Calendar sync (optional; the per-user ICS feed needs nothing). The URLs are settings so a
    # test can point them at a loopback fake.
    google_client_id: str = ""
    google_client_secret: str = ""
    google_auth_url: str = "https://accounts.google.com/o/oauth2/v2/auth"
    google_token_url: str = "https://oauth2.googleapis.com/token"
    google_calendar_api: str = "https://www.googleapis.com/calendar/v3"

    # Discovery. OSM is keyless; its policy asks for a contact in the User-Agent (default: the email From).
    osm_nominatim_url: str = "https://nominatim.openstreetmap.org"
    osm_overpass_url: str = "https://overpass-api.de/api"
    osm_contact: str = ""
    osm_requests_per_second: float = 1.0
    osm_max_results: int = 1000
    google_places_api_key: str = ""
    google_places_url: str = "https://places.googleapis.com/v1"
    yelp_api_key: str = ""
    yelp_api_url: str = "https://api.yelp.com/v3"
    # Retries shared by every HTTP provider.
    provider_max_attempts: int = 4
    provider_retry_after_cap_seconds: float = 30.0
    # Email verification; the SMTP RCPT probe is off because probing hurts the sender's reputation.
    email_verify_smtp_probe: bool = False
    email_verify_smtp_port: int = 25
    email_verify_helo: str = ""
    email_verify_mail_from: str = ""
    # DNS servers for the mail-route check ("ip" or "ip:port", comma separated); empty = the system's.
    email_verify_nameservers: str = ""
    # LLM: "rules" (offline) or "openai" (any OpenAI-compatible endpoint: OpenAI, Ollama, vLLM, Gemini).
    llm_provider: Literal["rules", "openai"] = "rules"
    llm_base_url: str = "https://api.openai.com/v1"
    llm_api_key: str = ""
    llm_model: str = "gpt-4o-mini"
    llm_cost_per_1k_tokens: float = 0.0
    # Contacts: Hunter domain search is used when a key is set; the site itself is always read.
    hunter_api_key: str = ""
    hunter_api_url: str = "https://api.hunter.io/v2"

    # Prospecting campaigns. A campaign without its own sources uses these (comma separated).
    discovery_sources: str = "osm"
    # Audits one enrichment job runs at a time inside one worker (each site gets 2 connections at most).
    enrich_concurrency: int = 8
    # Prospects an org may enrich per calendar month unless its own budget says otherwise.
    lead_credits_monthly: int = 1000
    # Test deployments only (ignored unless SALESOS_ENV=test), so loopback fake sites can be audited:
    # "ip:port,..." the website fetcher lets through although private, and "name=ip,..." it resolves
    # without DNS ("*=ip" for every name).
    enrich_test_allow: str = ""
    enrich_test_hosts: str = ""

    job_workers: int = 2
    job_sweep_seconds: int = 30
    job_stale_seconds: int = 60
    job_max_attempts: int = 5
    job_backoff_base_seconds: float = 2.0
    job_timeout_seconds: int = 300
    run_worker_in_process: bool = True
    # Distinct queue names let several deployments (or test runs) share one Redis.
    queue_name: str = "salesos"
    # Modules outside salesos.<pkg>.jobs that register jobs (comma separated; tests use it).
    extra_job_modules: str = ""
    # Periodic interval overrides, "name=seconds,name=seconds" (tests shorten ticks with it).
    periodic_intervals: str = ""
    # Finished outbox rows (and so their dedup keys) are kept this long.
    job_retention_days: float = 7.0

    sse_heartbeat_seconds: float = 15.0
    sse_queue_size: int = 100

    log_level: str = "INFO"
    # JSON lines by default, except a readable console in development (see `json_logs`).
    log_json: bool | None = None

    demo_password: str = Field(default="demo-sales-2026")
    # False closes public sign-up (a self-hosted team's server): people join by invitation, and
    # `salesos createuser` makes a new organisation.
    signup_open: bool = True

    @field_validator("database_url", "migration_database_url")
    @classmethod
    def _known_driver(cls, url: str) -> str:
        scheme = url.split("://", 1)[0] if "://" in url else ""
        if scheme in ("postgres", "postgresql"):
            # SQLAlchemy reads these as psycopg2 (not installed) or not at all; say what works instead.
            raise ValueError(f"use postgresql+psycopg://… instead of {scheme}://… (the psycopg 3 driver)")
        return url

    @model_validator(mode="after")
    def _fill_defaults(self) -> Settings:
        self.var_dir = Path(self.var_dir)
        if not self.database_url:
            self.database_url = f"sqlite:///{self.var_dir / 'salesos.db'}"
        if not self.migration_database_url:
            self.migration_database_url = self.database_url
        if self.queue_path is None:
            self.queue_path = self.var_dir / "queue.db"
        if not self.secret_key:
            if self.env == "production":
                raise ValueError("SALESOS_SECRET_KEY must be set in production")
            self.secret_key = _read_or_create_secret(self.var_dir / "secret_key")
        if self.env != "development" and self.env != "test":
            lowered = self.secret_key.lower()
            if lowered in PLACEHOLDER_SECRETS or len(self.secret_key) < MIN_SECRET_LENGTH:
                raise ValueError(
                    f"SALESOS_SECRET_KEY is a placeholder or shorter than {MIN_SECRET_LENGTH} characters"
                )
        return self

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")

    @property
    def mode(self) -> Literal["embedded", "single-server", "scale-out"]:
        """Embedded = SQLite, no Redis; single-server = PostgreSQL, no Redis; scale-out = Redis.

        Without Redis the job queue is the local SQLite file and the realtime hub lives in memory, so
        one `salesos serve` process runs the web, the job consumer and the scheduler, whichever database.
        """
        if self.redis_url:
            return "scale-out"
        return "embedded" if self.is_sqlite else "single-server"

    @property
    def jobs_in_process(self) -> bool:
        """True when `salesos serve` must consume the (local) job queue itself: no Redis, no workers."""
        return not self.redis_url

    @property
    def json_logs(self) -> bool:
        """JSON log lines unless SALESOS_LOG_JSON says otherwise; a readable console in development."""
        return self.log_json if self.log_json is not None else self.env != "development"

    @property
    def mails_to_console(self) -> bool:
        """Production with the console email provider: reset and invitation links land in the log."""
        return self.env == "production" and self.email_provider == "console"

    @property
    def secure_cookies(self) -> bool:
        return self.base_url.startswith("https://")


def describe_settings_errors(exc: ValidationError) -> list[str]:
    """One line per invalid setting, "SALESOS_NAME: what is wrong", never the value (it may be a secret)."""
    lines = []
    for error in exc.errors(include_input=False, include_url=False, include_context=False):
        loc = error.get("loc") or ()
        name = f"SALESOS_{str(loc[0]).upper()}" if loc else "settings"
        message = str(error.get("msg", "invalid"))
        for prefix in ("Value error, ", "Assertion failed, "):
            message = message.removeprefix(prefix)
        lines.append(f"{name}: {message}")
    return lines


@lru_cache
def get_settings() -> Settings:
    """Process-wide settings; tests clear the cache to switch configuration."""
    return Settings()
