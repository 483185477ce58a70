"""``salesos import FILE --org SLUG``: the same import runner as the job, in-process, with a Rich bar."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from pathlib import Path

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn
from sqlalchemy.orm import Session

from salesos.auth.principal import Principal
from salesos.db.session import set_tenant, unit_of_work
from salesos.errors import ValidationFailed
from salesos.imports.models import ImportStatus
from salesos.imports.service import imports as import_service
from salesos.imports.service import mapping as mapping_rules
from salesos.imports.service import runner
from salesos.imports.service import stage_values as stage_value_rules
from salesos.imports.service.context import load_context
from salesos.imports.service.mapping import RowError
from salesos.jobs.worker import freeze_loaded_code
from salesos.leads.models import Pipeline
from salesos.leads.repository import PipelineRepository
from salesos.leads.service.pipelines import ensure_default_pipeline, list_pipelines
from salesos.orgs.models import Role
from salesos.orgs.repository import OrganizationRepository


def run_cli_import(
    path: Path,
    slug: str,
    preset: str | None,
    console: Console,
    *,
    owner: str | None = None,
    stages: Sequence[str] = (),
    pipeline: str | None = None,
) -> runner.Progress:
    """Create the import with the auto mapping, run it batch by batch, and print the counts.

    *owner*: the email of the member who gets the new leads of rows that name no owner.
    *stages*: "file value=stage name" pairs, for a file that names its stages its own way.
    *pipeline*: the name of the pipeline the new leads go to (default: the default pipeline).
    """
    if preset and preset not in mapping_rules.PRESETS:
        raise typer.BadParameter(f"unknown preset; choose one of {', '.join(sorted(mapping_rules.PRESETS))}")
    with unit_of_work() as session:
        org_id = OrganizationRepository(session).id_for_slug(slug)
        if org_id is None:
            console.print(f"[red]No organisation with slug {slug!r}.[/red]")
            raise typer.Exit(1)
        set_tenant(session, org_id)
        default_owner = _default_owner(session, owner, console)
        principal = Principal(org_id=org_id, role=Role.OWNER, kind="api_key")
        with path.open("rb") as source:
            job = import_service.create_import(session, principal, path.name, source, preset)
        problem = mapping_rules.check_mapping(job.mapping, job.header)
        if problem:
            console.print(f"[red]Can't map the columns automatically: {problem}[/red]")
            raise typer.Exit(1)
        # Started without the queue: this process is the worker, so nothing is enqueued.
        chosen = _pipeline(session, pipeline, console)
        job.pipeline_id = chosen.id if pipeline else None
        job.stage_values = _stage_values(chosen, stages, console)
        job.status = ImportStatus.QUEUED
        job.default_owner_id = default_owner
        import_id, total = job.id, job.total_rows
    console.print(f"{path.name}: {total:,} rows, {job.encoding}, delimiter {job.delimiter!r}")
    columns = (
        TextColumn("[progress.description]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("{task.fields[rate]} rows/s"),
        TimeRemainingColumn(),
    )
    with Progress(*columns, console=console) as bar:
        task = bar.add_task("Importing", total=total, rate="-")

        def advance(progress: runner.Progress) -> None:
            bar.update(task, completed=progress.rows_done)
            speed = bar.tasks[task].speed
            bar.update(task, rate=f"{speed:,.0f}" if speed else "-")

        freeze_loaded_code()  # this process is the import's worker
        result = runner.run_import(org_id, import_id, after_batch=advance)
    if result is None:
        raise typer.Exit(1)
    console.print(
        f"Import {import_id}: [green]{result.created:,} created[/green], {result.merged:,} merged, "
        f"[yellow]{result.rejected:,} rejected[/yellow] of {result.rows_done:,} rows."
    )
    return result


def _default_owner(session: Session, email: str | None, console: Console) -> uuid.UUID | None:
    """The member *email* names, if they can own leads; exits with the reason otherwise."""
    if not email:
        return None
    if "@" not in email:
        console.print("[red]--owner takes a member's email.[/red]")
        raise typer.Exit(1)
    try:
        return load_context(session, None).owner(email)
    except RowError as exc:
        console.print(f"[red]{exc}[/red]")
        raise typer.Exit(1) from None


def _pipeline(session: Session, name: str | None, console: Console) -> Pipeline:
    """The pipeline ``--pipeline`` names (default: the default one); exits saying why if there is none."""
    if not name:
        return ensure_default_pipeline(session)
    found = PipelineRepository(session).by_name(name)
    if found is None:
        names = ", ".join(p.name for p in list_pipelines(session))
        console.print(f"[red]No pipeline is called {name!r} (the pipelines: {names}).[/red]")
        raise typer.Exit(1)
    return found


def _stage_values(pipeline: Pipeline, pairs: Sequence[str], console: Console) -> dict[str, str]:
    """``--stage "Closed Won=Won"`` pairs as the import's stage values; exits saying why if one is wrong."""
    stages = list(pipeline.stages)
    by_name = {stage.name.casefold(): stage.id for stage in stages}
    choices: dict[str, uuid.UUID] = {}
    for pair in pairs:
        value, _, name = pair.rpartition("=")
        stage_id = by_name.get(name.strip().casefold())
        if not value.strip() or stage_id is None:
            names = ", ".join(stage.name for stage in stages)
            console.print(
                f'[red]--stage takes "file value=stage" with a stage of: {names} (got {pair!r}).[/red]'
            )
            raise typer.Exit(1)
        choices[value] = stage_id
    try:
        return stage_value_rules.checked(choices, stages)
    except ValidationFailed as exc:
        console.print(f"[red]{exc}[/red]")
        raise typer.Exit(1) from None
