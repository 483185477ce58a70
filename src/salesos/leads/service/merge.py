"""Merging two leads into one: the kept lead gains the other's records, blanks and people."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy.orm import Session

from salesos.auth.principal import Principal
from salesos.errors import NotFound, ValidationFailed
from salesos.leads.merge_repository import MergeCandidateRepository, MergeSuggestionRepository
from salesos.leads.models import Lead, MergeSuggestion, MergeSuggestionStatus
from salesos.leads.repository import LeadRepository
from salesos.leads.service.dedup import COMPANY_FIELDS, fill_blanks, new_tags
from salesos.leads.service.leads import record
from salesos.realtime.events import publish_after_commit

# Lead fields the kept lead takes from the other one when its own are blank.
LEAD_FIELDS = ("owner_id", "source", "tier", "score", "next_follow_up_at", "primary_contact_id")


def _fill_blanks(target: object, source: object, names: tuple[str, ...], prefix: str = "") -> list[str]:
    return fill_blanks(target, {name: getattr(source, name) for name in names}, prefix)


def _union(first: list[str], second: list[str]) -> list[str] | None:
    """*first* and the tags of *second* it lacks (case aside); None when it lacks none."""
    added = new_tags(first, second)
    return [*first, *added] if added else None  # a new list: JSON columns only see reassignment


def _merge_company(session: Session, keep: Lead, other: Lead) -> list[str]:
    """Fill the kept company's blanks; when the other company has no lead left, its people move over."""
    if keep.company_id == other.company_id:
        return []
    kept, gone = keep.company, other.company
    filled = _fill_blanks(kept, gone, ("domain", "phone", *COMPANY_FIELDS), "company.")
    company_tags = _union(kept.tags, gone.tags)
    if company_tags is not None:
        kept.tags = company_tags
        filled.append("company.tags")
    candidates = MergeCandidateRepository(session)
    if candidates.other_leads_of_company(gone.id, besides=other.id) == 0:
        candidates.move_contacts(gone.id, kept.id)
        filled.append("contacts")
    return filled


def merge_leads(session: Session, principal: Principal, keep: Lead, other: Lead) -> Lead:
    """Merge *other* into *keep*: both histories stay on *keep*, blanks are filled, *other* is deleted."""
    if keep.id == other.id:
        raise ValidationFailed("A lead can't be merged into itself.", field="other_lead_id")
    filled = _fill_blanks(keep, other, LEAD_FIELDS)
    if keep.value is None and other.value is not None:
        keep.value, keep.currency = other.value, other.currency
        filled.append("value")
    tags = _union(keep.tags, other.tags)
    if tags is not None:
        keep.tags = tags
        filled.append("tags")
    extra = {k: v for k, v in other.custom_fields.items() if k not in keep.custom_fields}
    if extra:
        keep.custom_fields = {**keep.custom_fields, **extra}
        filled.append("custom_fields")
    filled += _merge_company(session, keep, other)
    candidates = MergeCandidateRepository(session)
    candidates.label_activities(other.id, other.company.name)
    candidates.move_records(other.id, keep.id)
    gone: dict[str, Any] = {
        "merged_lead_id": str(other.id),
        "company": other.company.name,
        "stage_id": str(other.stage_id),
        "fields": filled,
    }
    other_company_id, other_company_orphaned = other.company_id, "contacts" in filled
    LeadRepository(session).delete(other)
    if other_company_orphaned:
        candidates.delete_company(other_company_id)
    session.flush()
    # The bulk moves bypassed the identity map: reload whatever is read next.
    session.expire_all()
    record(session, keep, "lead_merged", principal.user_id, **gone)
    # Its open pages link to the lead it went into.
    deleted = {"lead_id": gone["merged_lead_id"], "merged_into": str(keep.id)}
    publish_after_commit(session, keep.org_id, "lead.deleted", deleted)
    return keep


def suggestion_or_404(session: Session, suggestion_id: uuid.UUID) -> MergeSuggestion:
    """A merge suggestion of this org."""
    suggestion = MergeSuggestionRepository(session).get(suggestion_id)
    if suggestion is None:
        raise NotFound("Merge suggestion not found.")
    return suggestion


def dismiss(session: Session, principal: Principal, suggestion: MergeSuggestion) -> MergeSuggestion:
    """ "Not a duplicate": the pair is never suggested again."""
    suggestion.status = MergeSuggestionStatus.DISMISSED.value
    suggestion.decided_by_id = principal.user_id
    session.flush()
    return suggestion


def with_leads(session: Session, suggestions: list[MergeSuggestion]) -> list[dict[str, Any]]:
    """Suggestions with a summary of both leads (one query for the whole list)."""
    ids = {s.lead_id for s in suggestions} | {s.other_lead_id for s in suggestions}
    summaries = MergeCandidateRepository(session).summaries(ids)
    return [
        {
            "id": s.id,
            "lead": summaries[s.lead_id],
            "other_lead": summaries[s.other_lead_id],
            "score": s.score,
            "reason": s.reason,
            "status": s.status,
            "created_at": s.created_at,
        }
        for s in suggestions
        if s.lead_id in summaries and s.other_lead_id in summaries
    ]


def duplicates_of(session: Session, lead: Lead, limit: int = 5) -> list[dict[str, Any]]:
    """Open suggestions for *lead*, each with the summary of the other lead, best match first."""
    suggestions = MergeSuggestionRepository(session).open_for_lead(lead.id, limit=limit)
    return [
        {**entry, "other": entry["other_lead"] if entry["lead"].id == lead.id else entry["lead"]}
        for entry in with_leads(session, suggestions)
    ]
