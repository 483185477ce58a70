"""``salesos discover "dentists" "Austin, TX" --limit 200``: a campaign run in this process with a Rich bar.

The same steps as the jobs (discovery, one enrichment per prospect, scoring), called directly, so it
works without a worker; the campaign stays in the organisation like one made in the UI.
"""

from __future__ import annotations

import uuid
from concurrent.futures import ThreadPoolExecutor, as_completed
from pathlib import Path

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn
from rich.table import Table

from salesos.auth.principal import Principal
from salesos.campaigns.repository import ProspectRepository
from salesos.campaigns.schemas import CampaignCreateIn
from salesos.campaigns.service import campaigns as campaign_service
from salesos.campaigns.service import discovery, enrichment, lists, runs
from salesos.config import get_settings
from salesos.db.base import utcnow
from salesos.db.session import set_tenant, unit_of_work
from salesos.errors import DomainError
from salesos.integrations.base import ProviderError
from salesos.orgs.models import Role
from salesos.orgs.repository import OrganizationRepository

TOP_ROWS = 15


def _org_id(slug: str | None, console: Console) -> uuid.UUID:
    with unit_of_work(write=False) as session:
        orgs = OrganizationRepository(session)
        if slug:
            found = orgs.id_for_slug(slug)
            if found is None:
                console.print(f"[red]No organisation with slug {slug!r}.[/red]")
                raise typer.Exit(1)
            return found
        ids = orgs.all_ids()
    if len(ids) != 1:
        console.print("[red]Several organisations exist here: name one with --org SLUG.[/red]")
        raise typer.Exit(1)
    return ids[0]


def _create(org_id: uuid.UUID, data: CampaignCreateIn, list_file: Path | None, console: Console) -> uuid.UUID:
    principal = Principal(org_id=org_id, role=Role.OWNER, kind="api_key")
    try:
        with unit_of_work(org_id=org_id) as session:
            set_tenant(session, org_id)
            campaign = campaign_service.create_campaign(session, principal, data)
            if list_file is not None:
                with list_file.open("rb") as source:
                    lists.attach_list(campaign, list_file.name, source)
            campaign_service.start_run(session, campaign, enqueue_jobs=False)
            return campaign.id
    except DomainError as exc:
        console.print(f"[red]{exc.detail}[/red]")
        raise typer.Exit(1) from exc


def _enrich_all(
    org_id: uuid.UUID, campaign_id: uuid.UUID, pending: list[uuid.UUID], console: Console
) -> None:
    columns = (
        TextColumn("[progress.description]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("{task.fields[rate]}/min"),
        TimeRemainingColumn(),
    )
    with (
        Progress(*columns, console=console) as bar,
        ThreadPoolExecutor(get_settings().enrich_concurrency) as pool,
    ):
        task = bar.add_task("Enriching", total=len(pending), rate="-")
        futures = [pool.submit(enrichment.enrich, org_id, campaign_id, pid) for pid in pending]
        for future in as_completed(futures):
            future.result()
            bar.advance(task)
            speed = bar.tasks[task].speed
            bar.update(task, rate=f"{speed * 60:,.0f}" if speed else "-")


def _report(org_id: uuid.UUID, campaign_id: uuid.UUID, console: Console) -> None:
    with unit_of_work(write=False, org_id=org_id) as session:
        campaign = campaign_service.campaign_or_404(session, campaign_id)
        best = ProspectRepository(session).ranked(campaign_id, limit=TOP_ROWS)
        table = Table("Tier", "Score", "Business", "Website", "Why")
        for prospect in best:
            why = prospect.tier_reason or prospect.failure_reason or ""
            table.add_row(
                prospect.tier or "-", str(prospect.score or "-"), prospect.name, prospect.domain or "-", why
            )
        console.print(table)
        console.print(
            f"Campaign {campaign.id} ({campaign.status}): {campaign.found} found, "
            f"{campaign.enriched} enriched, {campaign.failed} failed, "
            f"[green]{campaign.qualified} qualified[/green] (tiers A and B)."
        )
        if campaign.error:
            console.print(f"[yellow]{campaign.error}[/yellow]")


def run_cli_discover(
    business_type: str,
    location: str,
    *,
    limit: int,
    org: str | None,
    radius_km: int | None,
    console: Console,
    sources: list[str] | None = None,
    list_file: Path | None = None,
) -> uuid.UUID:
    """Create the campaign, discover, enrich every prospect with a progress bar, score, print the best."""
    try:
        name = f"{business_type} in {location}"[:120]
        data = CampaignCreateIn.model_validate(
            {"name": name, "business_type": business_type, "location": location, "radius_km": radius_km,
             "max_prospects": limit, "start": False,
             "sources": [*(sources or []), "file"] if list_file else sources}
        )  # fmt: skip
    except ValueError as exc:
        console.print(f"[red]{exc}[/red]")
        raise typer.Exit(2) from exc
    org_id = _org_id(org, console)
    campaign_id = _create(org_id, data, list_file, console)
    with console.status(f"Searching for {business_type} in {location}…"):
        try:
            found = discovery.discover(org_id, campaign_id, enqueue_enrichment=False)
        except ProviderError as exc:
            # No queue retries a run in this process: it fails with the reason (Retry is on its web page).
            with unit_of_work(org_id=org_id) as session:
                discovery.record_failure(session, campaign_id, wave=None,
                                         message=discovery.failure_message(exc), retry_at=None)  # fmt: skip
            found = None
    if found is None or found.found == 0:
        _report(org_id, campaign_id, console)
        raise typer.Exit(1)
    console.print(f"Found {found.found} businesses, {found.new} new.")
    with unit_of_work(write=False, org_id=org_id) as session:
        pending = list(ProspectRepository(session).pending_ids(campaign_id))
    _enrich_all(org_id, campaign_id, pending, console)
    with unit_of_work(org_id=org_id) as session:
        runs.score_campaign(session, campaign_id, utcnow())
    _report(org_id, campaign_id, console)
    return campaign_id
