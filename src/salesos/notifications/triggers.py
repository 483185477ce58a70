"""Where notifications come from: one function per trigger, called by the domain code where it happens."""

from __future__ import annotations

import re
import uuid
from collections import Counter
from collections.abc import Callable
from typing import Any

from sqlalchemy.orm import Session

from salesos.imports.models import ImportJob
from salesos.leads.models import Lead, Note, PipelineStage
from salesos.notifications import registry
from salesos.notifications.service import notify
from salesos.orgs.models import Role
from salesos.orgs.repository import MembershipRepository

# The members domain's types, registered beside their only triggers (below).
WORK_HANDED_OVER = registry.register(
    registry.NotificationType(
        "work_handed_over",
        "A removed member's leads or tasks are handed to me",
        "{actor} handed you {work} {source}",
    )
)
ROLE_CHANGED = registry.register(
    registry.NotificationType(
        "role_changed", "My role in the organisation changes", "{actor} made you {role_phrase}", push=False
    )
)

# "@" not glued to a preceding word (so a plain address is not a mention), then an email or a name.
MENTION = re.compile(r"(?<![\w.+-])@([^\s@]+(?:@[^\s@]+)?)")
TRAILING = ".,;:!?)]}*_~'\""


def lead_assigned(session: Session, lead: Lead, actor_id: uuid.UUID | None) -> None:
    """The lead's (new) owner hears that someone else gave it to them."""
    notify(session, [lead.owner_id], registry.LEAD_ASSIGNED.name, lead=lead, actor_id=actor_id)


def stage_changed(session: Session, lead: Lead, stage: PipelineStage, actor_id: uuid.UUID | None) -> None:
    """The lead's owner hears that someone else moved it."""
    notify(
        session,
        [lead.owner_id],
        registry.STAGE_CHANGED.name,
        lead=lead,
        actor_id=actor_id,
        stage=stage.name,
        stage_id=stage.id,
    )


def leads_assigned(session: Session, leads: list[Lead], actor_id: uuid.UUID | None) -> None:
    """A bulk assignment: each new owner hears once, with how many leads."""
    _tell_owners(
        session,
        leads,
        registry.LEAD_ASSIGNED.name,
        actor_id,
        lambda lead: lead_assigned(session, lead, actor_id),
    )


def stages_changed(
    session: Session, leads: list[Lead], stage: PipelineStage, actor_id: uuid.UUID | None
) -> None:
    """A bulk move to *stage*: each owner hears once, with how many of their leads moved."""
    _tell_owners(
        session,
        leads,
        registry.STAGE_CHANGED.name,
        actor_id,
        lambda lead: stage_changed(session, lead, stage, actor_id),
        stage=stage.name,
        stage_id=stage.id,
    )


def _tell_owners(
    session: Session,
    leads: list[Lead],
    type_: str,
    actor_id: uuid.UUID | None,
    about_one: Callable[[Lead], None],
    **facts: Any,
) -> None:
    """Each owner of *leads* hears once: about the lead itself when it is their only one, else a count
    (with ``owner_id``, so the notification links to their leads in the list)."""
    for owner_id, owned in _by_owner(leads).items():
        if len(owned) == 1:
            about_one(owned[0])
        else:
            notify(
                session, [owner_id], type_, actor_id=actor_id, count=len(owned), owner_id=owner_id, **facts
            )


def _by_owner(leads: list[Lead]) -> dict[uuid.UUID, list[Lead]]:
    owned: dict[uuid.UUID, list[Lead]] = {}
    for lead in leads:
        if lead.owner_id is not None:
            owned.setdefault(lead.owner_id, []).append(lead)
    return owned


def mentioned_user_ids(session: Session, text: str) -> list[uuid.UUID]:
    """Members @mentioned in *text*, case-insensitive: by email, by name without spaces, or by first name
    when no other member shares it (@Dana finds Dana Reyes; with two Danas it finds neither)."""
    handles = {m.group(1).rstrip(TRAILING).lower() for m in MENTION.finditer(text)}
    handles.discard("")
    if not handles:
        return []
    users = [membership.user for membership in MembershipRepository(session).listing()]
    first_names = Counter(_first_name(user.name) for user in users)
    found: list[uuid.UUID] = []
    for user in users:
        names = {user.email.lower(), "".join(user.name.split()).lower()}
        first = _first_name(user.name)
        if first and first_names[first] == 1:
            names.add(first)
        if names & handles:
            found.append(user.id)
    return found


def _first_name(name: str) -> str:
    words = name.split()
    return words[0].lower() if words else ""


def mentions(
    session: Session, lead: Lead, note: Note, actor_id: uuid.UUID | None, *, before: str | None = None
) -> None:
    """Members @mentioned in a note hear about it (the payload names the note, never its text).

    After an edit (*before* is the old text) only those the edit newly mentions do: fixing a typo must not
    call everyone in the note again.
    """
    recipients = mentioned_user_ids(session, note.body)
    if before is not None:
        already = set(mentioned_user_ids(session, before))
        recipients = [user_id for user_id in recipients if user_id not in already]
    notify(session, recipients, registry.MENTION.name, lead=lead, actor_id=actor_id, note_id=note.id)


def import_finished(session: Session, job: ImportJob) -> None:
    """The member who started a CSV import hears that it is done, with its counts."""
    notify(
        session,
        [job.created_by_id],
        registry.IMPORT_FINISHED.name,
        import_id=job.id,
        filename=job.filename,
        created=job.created,
        merged=job.merged,
        rejected=job.rejected,
    )


def work_handed_over(
    session: Session,
    to_id: uuid.UUID | None,
    *,
    member_id: uuid.UUID,
    member_name: str,
    leads: int,
    tasks: int,
    actor_id: uuid.UUID | None,
) -> None:
    """Whoever takes over a removed member's leads and open tasks hears once, with how many of each
    ("Dana Reyes handed you 15 leads and 3 tasks from Rita Patel"; "... as they left" when Rita left)."""
    if to_id is None or not (leads or tasks):
        return
    source = "as they left" if actor_id == member_id else f"from {member_name}"
    facts: dict[str, Any] = {"leads": leads, "tasks": tasks, "work": _work_phrase(leads, tasks)}
    if leads:
        facts["owner_id"] = to_id  # the notification then opens their leads in the list
    notify(
        session, [to_id], WORK_HANDED_OVER.name, actor_id=actor_id, member=member_name, source=source, **facts
    )


def _work_phrase(leads: int, tasks: int) -> str:
    """What was handed over in words, with only the parts there are: "15 leads and 3 tasks", "1 lead"."""
    parts = [f"{n} {word}{'' if n == 1 else 's'}" for n, word in ((leads, "lead"), (tasks, "task")) if n]
    return " and ".join(parts)


def role_changed(session: Session, user_id: uuid.UUID, role: str, actor_id: uuid.UUID | None) -> None:
    """A member hears that someone else gave them another role, and which."""
    notify(
        session,
        [user_id],
        ROLE_CHANGED.name,
        actor_id=actor_id,
        role=role,
        role_phrase=Role(role).with_article,
    )
