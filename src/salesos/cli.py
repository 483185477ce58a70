"""The ``salesos`` command: serve, worker, migrate, createuser, demo, check, jobs."""

from __future__ import annotations

import os
from pathlib import Path

import typer
from rich.console import Console
from rich.table import Table

from salesos.config import get_settings

# A crash's traceback never shows local variables: they hold settings, passwords and tokens.
app = typer.Typer(
    help="SalesOS: an open-source, self-hostable sales operating system.",
    no_args_is_help=True,
    pretty_exceptions_show_locals=False,
)
jobs_app = typer.Typer(help="Inspect and retry background jobs.", no_args_is_help=True)
app.add_typer(jobs_app, name="jobs")
console = Console()
err_console = Console(stderr=True)


@app.callback()
def _configure() -> None:
    """Every command logs the way the server does (level and format from settings)."""
    from pydantic import ValidationError

    from salesos.config import describe_settings_errors
    from salesos.logging import configure_logging

    try:
        get_settings()
    except ValidationError as exc:
        # One line per problem, never the value: a pydantic report would echo the secret key.
        for line in describe_settings_errors(exc):
            err_console.print(f"[red]configuration error[/red] {line}", highlight=False, soft_wrap=True)
        raise typer.Exit(2) from None
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
    forwarded_allow_ips: str = typer.Option(
        None,
        "--forwarded-allow-ips",
        envvar="FORWARDED_ALLOW_IPS",
        help="Comma-separated addresses of reverse proxies whose X-Forwarded-For/-Proto are trusted "
        "(default 127.0.0.1; '*' trusts any, only when nothing else can reach the port).",
    ),
) -> None:
    """Serve the web app and API. Without Redis the job consumer and scheduler run in this process."""
    import uvicorn

    settings = get_settings()
    if settings.jobs_in_process and workers != 1:
        raise typer.BadParameter(
            f"{settings.mode} mode runs one process (it runs the jobs and the realtime hub); "
            "set SALESOS_REDIS_URL to scale out",
            param_hint="--workers",
        )
    if not no_migrate:
        migrate()
    if settings.mails_to_console:
        err_console.print(
            "[bold red]warning:[/bold red] SALESOS_ENV=production with the console email provider: "
            "password-reset and invitation links are printed to stdout, not mailed. "
            "Set SALESOS_EMAIL_PROVIDER=smtp.",
            highlight=False,
        )
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
        forwarded_allow_ips=forwarded_allow_ips,
        log_level="warning",
        # Our own logging (configure_logging) formats uvicorn's records like every other line.
        log_config=None,
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

    settings = get_settings()
    if settings.jobs_in_process:
        err_console.print(
            f"[yellow]note:[/yellow] {settings.mode} mode: `salesos serve` already runs the jobs. "
            f"This worker shares its queue file ({settings.queue_path}) on this machine only, and its "
            "realtime updates do not reach browsers. Set SALESOS_REDIS_URL to run workers elsewhere.",
            highlight=False,
        )
    load_job_modules()
    console.print(f"SalesOS worker ({settings.mode} mode, periodic={'on' if periodic else 'off'})")
    run_worker(periodic=periodic)


@app.command()
def createuser(
    email: str = typer.Option(..., prompt=True),
    name: str = typer.Option(..., prompt=True),
    org: str = typer.Option(..., prompt="Organisation name", help="Name of the new organisation."),
    password: str = typer.Option(..., prompt=True, hide_input=True, confirmation_prompt=True),
) -> None:
    """Create a user who owns a new organisation."""
    from pydantic import EmailStr, TypeAdapter, ValidationError

    from salesos.auth.service.accounts import create_account
    from salesos.db.session import unit_of_work
    from salesos.errors import Conflict, DomainError

    try:
        # The same check as the sign-up API's schema.
        TypeAdapter(EmailStr).validate_python(email)
    except ValidationError:
        raise typer.BadParameter(f"{email!r} is not a valid email address", param_hint="--email") from None
    if not name.strip():
        raise typer.BadParameter("must not be empty", param_hint="--name")
    if not org.strip():
        raise typer.BadParameter("must not be empty", param_hint="--org")
    try:
        with unit_of_work() as session:
            user, organisation = create_account(
                session, name=name, email=email, password=password, org_name=org
            )
    except Conflict as exc:
        err_console.print(f"[red]A user with the email {email} already exists.[/red]", highlight=False)
        raise typer.Exit(1) from exc
    except DomainError as exc:
        field = getattr(exc, "field", None)
        err_console.print(f"[red]{f'--{field}: ' if field else ''}{exc.detail}[/red]", highlight=False)
        raise typer.Exit(1) from exc
    console.print(f"Created {user.email}, owner of {organisation.name} ({organisation.slug}).")


@app.command()
def demo() -> None:
    """Create (or refresh) the demo organisation and its users; safe to run repeatedly.

    Refused in production while SALESOS_DEMO_PASSWORD is the one the README publishes: anyone who read
    it could sign in.
    """
    from salesos.demo import load_demo

    settings = get_settings()
    if (
        settings.env == "production"
        and settings.demo_password == type(settings).model_fields["demo_password"].default
    ):
        err_console.print(
            "[red]Not in production with the published demo password:[/red] set SALESOS_DEMO_PASSWORD "
            "to a password of your own first.",
            highlight=False,
        )
        raise typer.Exit(1)

    result = load_demo()
    created = f" ({result.leads_created} demo leads added)" if result.leads_created else ""
    console.print(f"Demo organisation [bold]{result.org_name}[/bold] is ready{created}.")
    console.print(f"Sign in as [bold]{result.email}[/bold] with password [bold]{result.password}[/bold]")


@app.command()
def check() -> None:
    """Print the deployment mode and check the database, schema, queue and Redis.

    Exits with 1, naming the failed checks, when any of them fails; warnings do not fail it.
    """
    from salesos.api.health import database_status, queue_ok
    from salesos.db.migrate import head_revisions

    settings = get_settings()
    failed: list[str] = []
    warnings: list[str] = []
    table = Table(show_header=False)
    table.add_row("mode", settings.mode)
    db = database_status()
    table.add_row("database", f"{_redacted(settings.database_url)}: {_ok(db.reachable)}")
    if not db.reachable:
        failed.append("database unreachable")
        schema = "not checked"
    elif db.schema == "current":
        schema = f"{db.revision} (up to date)"
    elif db.schema in ("behind", "not migrated"):
        schema = f"[red]{db.revision or 'not migrated'}, code is at {', '.join(head_revisions())}[/red]"
        failed.append("schema behind: run salesos migrate")
    elif db.schema == "ahead":
        schema = f"{db.revision} (newer than this code)"
        warnings.append("the database was migrated by a newer release: upgrade this installation")
    else:
        schema = "unknown"
        warnings.append(
            "the app role cannot read alembic_version: run salesos migrate (it grants read access)"
        )
    table.add_row("schema revision", schema)
    queue_up = queue_ok()
    table.add_row("queue", f"{'redis' if settings.redis_url else settings.queue_path}: {_ok(queue_up)}")
    if not queue_up:
        failed.append("queue unreachable")
    if settings.redis_url:
        redis_up = _redis_ok()
        table.add_row("redis", f"{_redacted(settings.redis_url)}: {_ok(redis_up)}")
        if not redis_up:
            failed.append("redis unreachable")
    else:
        table.add_row("redis", "not used")
    if settings.jobs_in_process:
        jobs = "run inside `salesos serve` (local queue; no workers needed)"
        if not settings.run_worker_in_process:
            jobs = "[red]nothing runs them[/red]"
            warnings.append("SALESOS_RUN_WORKER_IN_PROCESS=false without SALESOS_REDIS_URL: no job runs")
    else:
        jobs = "run by `salesos worker` processes (Redis queue)"
    table.add_row("jobs", jobs)
    table.add_row("email provider", settings.email_provider)
    if settings.mails_to_console:
        warnings.append(
            "production with the console email provider: password-reset and invitation links are printed "
            "to stdout, not mailed; set SALESOS_EMAIL_PROVIDER=smtp"
        )
    console.print(table)
    for warning in warnings:
        console.print(f"[yellow]warning:[/yellow] {warning}", highlight=False)
    if failed:
        err_console.print(f"[red]check failed:[/red] {'; '.join(failed)}", highlight=False)
        raise typer.Exit(1)


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
    rejects: Path | None = typer.Option(
        None,
        dir_okay=False,
        help="Where to write the rejected rows, each with its reason (default: FILE's name with "
        ".rejected.csv, next to it: leads.csv → leads.rejected.csv). Written only when rows are rejected; "
        "fix them there and import that file.",
    ),
) -> None:
    """Import leads from a CSV file with the detected mapping, showing a progress bar.

    Prints what was created, merged into existing leads, rejected and skipped (empty rows). Exits with
    1, and one line on stderr saying why, when the file can't be imported or no row of it got in.
    """
    from salesos.imports.cli import run_cli_import

    run_cli_import(
        file,
        org,
        preset or None,
        console,
        owner=owner or None,
        stages=stage,
        pipeline=pipeline or None,
        rejects=rejects,
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
        client = redis.Redis.from_url(get_settings().redis_url, socket_connect_timeout=2, socket_timeout=2)
        return bool(client.ping())
    except Exception:
        return False


@jobs_app.command("list")
def jobs_list(
    status: str = typer.Option(
        "failed", help="failed (dead + retrying) | dead | pending | running | done | all"
    ),
    limit: int = typer.Option(50, min=1),
) -> None:
    """List jobs, by default the ones that failed, with full ids (for `jobs retry`) and status counts.

    Piped, it prints tab-separated lines instead of a table.
    """
    from salesos.jobs import admin

    if status not in admin.LIST_FILTERS:
        raise typer.BadParameter(f"choose from {', '.join(admin.LIST_FILTERS)}", param_hint="--status")
    rows = admin.list_jobs(status=status, limit=limit)
    columns = ("id", "name", "status", "attempts", "run at", "last error")
    cells = [
        (str(r.id), r.name, r.status, str(r.attempts), r.run_at.isoformat(timespec="seconds"),
         " ".join((r.last_error or "").split())[:120])
        for r in rows
    ]  # fmt: skip
    if console.is_terminal:
        table = Table(*columns)
        table.columns[0].no_wrap = True
        table.columns[0].min_width = 36  # a cut id cannot be pasted into `jobs retry`
        for row in cells:
            table.add_row(*row)
        console.print(table)
    else:
        print("\t".join(columns))
        for row in cells:
            print("\t".join(row))
    counts = admin.status_counts()
    console.print("  ".join(f"{name} {count}" for name, count in counts.items()), highlight=False)


@jobs_app.command("retry")
def jobs_retry(
    job_id: str = typer.Argument(..., help="The job's id, or enough of its start to be unique"),
) -> None:
    """Run a dead or failed job again, with its attempts reset."""
    from salesos.jobs import admin

    try:
        matches = admin.ids_with_prefix(job_id)
    except ValueError:
        raise typer.BadParameter("not a job id (or the start of one)", param_hint="JOB_ID") from None
    if len(matches) > 1:
        raise typer.BadParameter(
            "more than one job starts with this; give more of the id", param_hint="JOB_ID"
        )
    if not matches or not admin.retry_job(matches[0]):
        err_console.print("[red]No such job, or it is not dead or pending.[/red]", highlight=False)
        raise typer.Exit(1)
    console.print(f"Job {matches[0]} is queued for another run.", highlight=False)


if __name__ == "__main__":
    app()
