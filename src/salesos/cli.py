"""The ``salesos`` command: serve, worker, migrate, createuser, demo, check, jobs."""

from __future__ import annotations

import os
import uuid
from pathlib import Path

import typer
from rich.console import Console
from rich.table import Table

from salesos.config import get_settings

app = typer.Typer(help="SalesOS: an open-source, self-hostable sales operating system.", no_args_is_help=True)
jobs_app = typer.Typer(help="Inspect and retry background jobs.", no_args_is_help=True)
app.add_typer(jobs_app, name="jobs")
console = Console()


@app.callback()
def _configure() -> None:
    """Every command logs the way the server does (level and format from settings)."""
    from salesos.logging import configure_logging

    configure_logging()


@app.command()
def migrate() -> None:
    """Apply database migrations (as the owner role on PostgreSQL)."""
    from salesos.db.migrate import upgrade

    upgrade()
    console.print("[green]Database is up to date.[/green]")


@app.command()
def serve(
    host: str = typer.Option(None, help="Interface to bind (default from SALESOS_HOST)."),
    port: int = typer.Option(None, help="Port (default from SALESOS_PORT)."),
    workers: int = typer.Option(1, help="Web processes (scale-out mode only; embedded mode runs one)."),
    no_migrate: bool = typer.Option(False, "--no-migrate", help="Skip applying migrations first."),
) -> None:
    """Serve the web app and API. In embedded mode the job consumer and scheduler run in-process."""
    import uvicorn

    settings = get_settings()
    if not no_migrate:
        migrate()
    if settings.mode == "embedded" and workers != 1:
        raise typer.BadParameter("embedded mode runs one process; set SALESOS_REDIS_URL to scale out")
    host = host or settings.host
    port = port or settings.port
    if "base_url" not in settings.model_fields_set:
        # Links in emails (invitations, password resets) and push messages point at the base URL. Not
        # configured, it follows the address served here, so `serve --port 8125` sends working links.
        shown_host = "127.0.0.1" if host in ("0.0.0.0", "::") else host
        os.environ["SALESOS_BASE_URL"] = f"http://{shown_host}:{port}"
        get_settings.cache_clear()
    console.print(f"SalesOS ({settings.mode} mode) on [bold]http://{host}:{port}[/bold]")
    uvicorn.run(
        "salesos.main:create_app",
        factory=True,
        host=host,
        port=port,
        workers=workers,
        proxy_headers=True,
        log_level="warning",
        access_log=False,
        # Open SSE streams would otherwise hold shutdown forever.
        timeout_graceful_shutdown=5,
    )


@app.command()
def worker(
    periodic: bool = typer.Option(True, "--periodic/--no-periodic", help="Also run the periodic scheduler."),
) -> None:
    """Run a job consumer (scale-out mode). Run periodic on one worker, --no-periodic on the rest."""
    from salesos.jobs.registry import load_job_modules
    from salesos.jobs.worker import run_worker

    load_job_modules()
    console.print(f"SalesOS worker ({get_settings().mode} mode, periodic={'on' if periodic else 'off'})")
    run_worker(periodic=periodic)


@app.command()
def createuser(
    email: str = typer.Option(..., prompt=True),
    name: str = typer.Option(..., prompt=True),
    org: str = typer.Option(..., prompt="Organisation name", help="Name of the new organisation."),
    password: str = typer.Option(..., prompt=True, hide_input=True, confirmation_prompt=True),
) -> None:
    """Create a user who owns a new organisation."""
    from salesos.auth.service.accounts import signup
    from salesos.db.session import unit_of_work
    from salesos.errors import DomainError

    try:
        with unit_of_work() as session:
            user, organisation = signup(session, name=name, email=email, password=password, org_name=org)
    except DomainError as exc:
        console.print(f"[red]{exc.detail}[/red]")
        raise typer.Exit(1) from exc
    console.print(f"Created {user.email}, owner of {organisation.name} ({organisation.slug}).")


@app.command()
def demo() -> None:
    """Create (or refresh) the demo organisation and its users; safe to run repeatedly."""
    from salesos.demo import load_demo

    result = load_demo()
    created = f" ({result.leads_created} demo leads added)" if result.leads_created else ""
    console.print(f"Demo organisation [bold]{result.org_name}[/bold] is ready{created}.")
    console.print(f"Sign in as [bold]{result.email}[/bold] with password [bold]{result.password}[/bold]")


@app.command()
def check() -> None:
    """Print the deployment mode and whether the database, queue and Redis are reachable."""
    from salesos.api.health import database_ok, queue_ok
    from salesos.db.migrate import current_revision

    settings = get_settings()
    table = Table(show_header=False)
    table.add_row("mode", settings.mode)
    table.add_row("database", f"{_redacted(settings.database_url)}: {_ok(database_ok())}")
    try:
        revision = current_revision() or "not migrated"
    except Exception:
        revision = "unknown"
    table.add_row("schema revision", revision)
    table.add_row("queue", f"{'redis' if settings.redis_url else settings.queue_path}: {_ok(queue_ok())}")
    table.add_row(
        "redis", f"{_redacted(settings.redis_url)}: {_ok(_redis_ok())}" if settings.redis_url else "not used"
    )
    table.add_row("email provider", settings.email_provider)
    console.print(table)


@app.command("import")
def import_csv(
    file: Path = typer.Argument(..., exists=True, dir_okay=False, readable=True),
    org: str = typer.Option(..., help="Slug of the organisation to import into"),
    preset: str = typer.Option("", help="hubspot | pipedrive | apollo"),
    owner: str = typer.Option("", help="Email of the member who gets new leads whose row names no owner"),
    stage: list[str] = typer.Option(
        [], help='The file\'s stage name and ours, e.g. "Closed Won=Won"; repeat for several'
    ),
    pipeline: str = typer.Option(
        "", help="Name of the pipeline the new leads go to (default: the default one)"
    ),
) -> None:
    """Import leads from a CSV file with the detected mapping, showing a progress bar."""
    from salesos.imports.cli import run_cli_import

    run_cli_import(
        file, org, preset or None, console, owner=owner or None, stages=stage, pipeline=pipeline or None
    )


@app.command()
def discover(
    business_type: str = typer.Argument(..., help='What to look for, e.g. "dentists"'),
    location: str = typer.Argument(..., help='Where, e.g. "Austin, TX"'),
    limit: int = typer.Option(100, min=1, max=1000, help="At most this many businesses"),
    org: str = typer.Option("", help="Slug of the organisation (needed when there are several)"),
    radius: int = typer.Option(0, min=0, max=100, help="Search radius in km around the place (0 = its area)"),
    source: list[str] = typer.Option(
        [], help="osm | google_places | yelp; repeat for several (default: settings)"
    ),
    file: Path | None = typer.Option(
        None, exists=True, dir_okay=False, help="Your own list (CSV or JSON) to enrich"
    ),
) -> None:
    """Run a prospecting campaign here: discover, enrich and score, with a progress bar."""
    from salesos.campaigns.cli import run_cli_discover

    run_cli_discover(
        business_type, location, limit=limit, org=org or None, radius_km=radius or None,
        sources=source or None, list_file=file, console=console,
    )  # fmt: skip


def _ok(flag: bool) -> str:
    return "[green]ok[/green]" if flag else "[red]unreachable[/red]"


def _redacted(url: str) -> str:
    from sqlalchemy.engine.url import make_url

    try:
        return make_url(url).render_as_string(hide_password=True)
    except Exception:
        return url.split("@")[-1]


def _redis_ok() -> bool:
    import redis

    try:
        return bool(redis.Redis.from_url(get_settings().redis_url, socket_timeout=2).ping())
    except Exception:
        return False


@jobs_app.command("list")
def jobs_list(
    status: str = typer.Option(
        "failed", help="failed (dead + retrying) | dead | pending | running | done | all"
    ),
    limit: int = typer.Option(50),
) -> None:
    """List jobs, by default the ones that failed."""
    from salesos.jobs import admin

    table = Table("id", "name", "status", "attempts", "run at", "last error")
    for row in admin.list_jobs(status=status, limit=limit):
        table.add_row(
            str(row.id), row.name, row.status, str(row.attempts), str(row.run_at), (row.last_error or "")[:80]
        )
    console.print(table)
    console.print(admin.status_counts())


@jobs_app.command("retry")
def jobs_retry(job_id: str) -> None:
    """Run a dead or failed job again, with its attempts reset."""
    from salesos.jobs import admin

    try:
        ok = admin.retry_job(uuid.UUID(job_id))
    except ValueError as exc:
        raise typer.BadParameter("not a job id") from exc
    if not ok:
        console.print("[red]No such job, or it is not in a retryable state.[/red]")
        raise typer.Exit(1)
    console.print("Queued for another run.")


if __name__ == "__main__":
    app()
