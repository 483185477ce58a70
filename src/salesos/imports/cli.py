"""``salesos import FILE --org SLUG``: the same import runner as the job, in-process, with a Rich bar."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import NoReturn

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn
from sqlalchemy.orm import Session

from salesos.auth.principal import Principal
from salesos.db.session import set_tenant, unit_of_work
from salesos.errors import DomainError
from salesos.imports.models import ImportStatus
from salesos.imports.service import imports as import_service
from salesos.imports.service import mapping as mapping_rules
from salesos.imports.service import runner, sniff
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
    rejects: Path | None = None,
) -> runner.Progress:
    """Create the import with the auto mapping, run it batch by batch, and print the counts.

    *owner*: the email of the member who gets the new leads of rows that name no owner.
    *stages*: "file value=stage name" pairs, for a file that names its stages its own way.
    *pipeline*: the name of the pipeline the new leads go to (default: the default pipeline).
    *rejects*: where the rejected rows go (default: ``rejects_path(path)``); written only if there are some.

    Anything that stops the import is one line on stderr and exit code 1, as is a file of which no
    row got in.
    """
    if preset and preset not in mapping_rules.PRESETS:
        raise typer.BadParameter(f"unknown preset; choose one of {', '.join(sorted(mapping_rules.PRESETS))}")
    try:
        created = _create(path, slug, preset, console, owner, stages, pipeline)
        result = _run(created, console)
    except DomainError as exc:
        _fail(exc.detail)
    console.print(
        f"Import {created.import_id}: [green]{result.created:,} created[/green], {result.merged:,} merged, "
        f"[yellow]{result.rejected:,} rejected[/yellow], {result.skipped:,} skipped (empty) "
        f"of {result.rows_done:,} rows.",
        soft_wrap=True,
    )
    if result.rejected:
        written = rejects or rejects_path(path)
        _write_rejects(created, written)
        # Not wrapped: the path is to be copied whole.
        console.print(
            f"The rejected rows, each with the reason, are in {written}.", soft_wrap=True, markup=False
        )
    if result.rejected and not (result.created or result.merged):
        _fail(f"No row of {path.name} was imported: all {result.rejected:,} non-empty rows were rejected.")
    return result


def rejects_path(path: Path) -> Path:
    """Where the rejected rows of *path* go by default: beside it, ``leads.csv`` → ``leads.rejected.csv``."""
    return path.with_name(f"{path.stem}.rejected.csv")


def _fail(message: str) -> NoReturn:
    """One line on stderr (no traceback), then exit code 1."""
    typer.secho(message, err=True, fg=typer.colors.RED)
    raise typer.Exit(1)


@dataclass(frozen=True)
class _Created:
    """The queued import, as the run and the rejects file need it."""

    org_id: uuid.UUID
    import_id: uuid.UUID
    header: list[str]
    total_rows: int


def _create(
    path: Path,
    slug: str,
    preset: str | None,
    console: Console,
    owner: str | None,
    stages: Sequence[str],
    pipeline: str | None,
) -> _Created:
    """Store and describe the file, and queue the import with the choices given (nothing enqueued)."""
    with unit_of_work() as session:
        org_id = OrganizationRepository(session).id_for_slug(slug)
        if org_id is None:
            _fail(f"No organisation with slug {slug!r}.")
        set_tenant(session, org_id)
        default_owner = _default_owner(session, owner)
        chosen = _pipeline(session, pipeline)
        stage_values = _stage_values(chosen, stages)
        principal = Principal(org_id=org_id, role=Role.OWNER, kind="api_key")
        with path.open("rb") as source:
            job = import_service.create_import(session, principal, path.name, source, preset)
        problem = mapping_rules.check_mapping(job.mapping, job.header)
        if problem:
            Path(job.stored_path).unlink(missing_ok=True)  # the import's row is rolled back with it
            _fail(f"Can't map the columns automatically: {problem}")
        # Started without the queue: this process is the worker, so nothing is enqueued.
        job.pipeline_id = chosen.id if pipeline else None
        job.stage_values = stage_values
        job.status = ImportStatus.QUEUED
        job.default_owner_id = default_owner
        created = _Created(org_id, job.id, list(job.header), job.total_rows)
        delimiter = "tab" if job.delimiter == "\t" else repr(job.delimiter)
        described = f"{path.name}: {job.total_rows:,} rows, {sniff.encoding_label(job.encoding)}, "
        described += f"delimiter {delimiter}"
    console.print(described, soft_wrap=True, markup=False)
    return created


def _run(created: _Created, console: Console) -> runner.Progress:
    """Run the queued import here with a progress bar; its final counts."""
    columns = (
        TextColumn("[progress.description]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("{task.fields[rate]} rows/s"),
        TimeRemainingColumn(),
    )
    with Progress(*columns, console=console) as bar:
        task = bar.add_task("Importing", total=created.total_rows, rate="-")

        def advance(progress: runner.Progress) -> None:
            bar.update(task, completed=progress.rows_done)
            speed = bar.tasks[task].speed
            bar.update(task, rate=f"{speed:,.0f}" if speed else "-")

        freeze_loaded_code()  # this process is the import's worker
        result = runner.run_import(created.org_id, created.import_id, after_batch=advance)
    if result is None:
        _fail(f"Import {created.import_id} did not run (another run of it is ahead).")
    return result


def _write_rejects(created: _Created, path: Path) -> None:
    """The rejected rows as the web's "Download rejected rows" gives them; exits saying why if it can't."""
    chunks = import_service.rejected_csv_chunks(created.org_id, created.import_id, created.header)
    try:
        with path.open("wb") as out:
            for chunk in chunks:
                out.write(chunk)
    except OSError as exc:
        _fail(f"Couldn't write the rejected rows to {path} ({exc.strerror}); choose a file with --rejects.")


def _default_owner(session: Session, email: str | None) -> uuid.UUID | None:
    """The member *email* names, if they can own leads; exits with the reason otherwise."""
    if not email:
        return None
    if "@" not in email:
        _fail("--owner takes a member's email.")
    try:
        return load_context(session, None).owner(email)
    except RowError as exc:
        _fail(str(exc))


def _pipeline(session: Session, name: str | None) -> Pipeline:
    """The pipeline ``--pipeline`` names (default: the default one); exits saying why if there is none."""
    if not name:
        return ensure_default_pipeline(session)
    found = PipelineRepository(session).by_name(name)
    if found is None:
        names = ", ".join(p.name for p in list_pipelines(session))
        _fail(f"No pipeline is called {name!r} (the pipelines: {names}).")
    return found


def _stage_values(pipeline: Pipeline, pairs: Sequence[str]) -> dict[str, str]:
    """``--stage "Closed Won=Won"`` pairs as the import's stage values; exits saying why if one is wrong."""
    stages = list(pipeline.stages)
    by_name = {stage.name.casefold(): stage.id for stage in stages}
    choices: dict[str, uuid.UUID] = {}
    for pair in pairs:
        value, _, name = pair.rpartition("=")
        stage_id = by_name.get(name.strip().casefold())
        if not value.strip() or stage_id is None:
            names = ", ".join(stage.name for stage in stages)
            _fail(f'--stage takes "file value=stage" with a stage of: {names} (got {pair!r}).')
        choices[value] = stage_id
    return stage_value_rules.checked(choices, stages)
