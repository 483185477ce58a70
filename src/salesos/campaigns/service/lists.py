"""A campaign's own list of businesses (CSV or JSON) as its discovery source: checked, then stored under
``var/campaign_lists/<org>/<campaign>.<ext>``; the file source reads it on every run."""

from __future__ import annotations

from pathlib import Path
from typing import BinaryIO

from salesos.campaigns.models import Campaign, CampaignStatus
from salesos.config import get_settings
from salesos.errors import Conflict, PayloadTooLarge, ValidationFailed
from salesos.integrations.base import ProviderError
from salesos.integrations.search.file_source import FileSearchProvider
from salesos.uploads import store_capped

MAX_BYTES = 10 * 1024 * 1024
SUFFIXES = (".csv", ".json")


def attach_list(campaign: Campaign, filename: str, source: BinaryIO) -> int:
    """Check and store the list; how many named businesses it holds. Nothing is kept if it is refused."""
    if campaign.status == CampaignStatus.RUNNING.value:
        raise Conflict("Pause the campaign before replacing its list.")
    suffix = Path(filename or "").suffix.lower()
    if suffix not in SUFFIXES:
        raise ValidationFailed("Upload a .csv or .json file.", field="file")
    folder = get_settings().var_dir / "campaign_lists" / str(campaign.org_id)
    incoming = folder / f"{campaign.id}.upload{suffix}"
    too_large = PayloadTooLarge(f"Lists are limited to {MAX_BYTES // (1024 * 1024)} MB.")
    store_capped(source, incoming, MAX_BYTES, too_large)
    try:
        count = len(FileSearchProvider(incoming).places())
    except ProviderError as exc:
        incoming.unlink(missing_ok=True)
        raise ValidationFailed(str(exc), field="file") from exc
    if count == 0:
        incoming.unlink(missing_ok=True)
        raise ValidationFailed("No row has a business name (a name, business_name or company column).",
                               field="file")  # fmt: skip
    target = folder / f"{campaign.id}{suffix}"
    if campaign.list_path and Path(campaign.list_path) != target:
        Path(campaign.list_path).unlink(missing_ok=True)
    incoming.replace(target)
    campaign.list_path, campaign.list_name = str(target), Path(filename).name[:255]
    if "file" not in campaign.sources:
        campaign.sources = [*campaign.sources, "file"]
    return count


def remove_list(path: str) -> None:
    """Delete a stored list file (its campaign is gone)."""
    Path(path).unlink(missing_ok=True)
