"""The lead page's timeline and notes: newest first, a page at a time, each entry in plain words.

An entry says what happened to what: the note's first words, the task's title, the stages moved between,
the person added.
Older entries load a page at a time ("Show older"), so a lead with years of history opens as fast as a
new one and still shows all of it.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from salesos.leads.board_repository import BoardRepository, user_names
from salesos.leads.models import Activity, Contact, Lead, Note, Task
from salesos.leads.repository import ActivityRepository, NoteRepository
from salesos.leads.service.actions import describe as describe_action
from salesos.web.markdown import markdown_text

TIMELINE_PAGE = 50
NOTES_PAGE = 50
SNIPPET_CHARS = 100
TASK_WORDS = {
    "task_added": "Added a task",
    "task_done": "Completed a task",
    "task_reopened": "Reopened a task",
    "task_updated": "Edited a task",
    "task_deleted": "Deleted a task",
}


@dataclass
class Entry:
    """One line of the timeline."""

    at: datetime
    who: str
    text: str


@dataclass
class TimelinePage:
    entries: list[Entry]
    next_cursor: str | None


@dataclass
class NotesPage:
    notes: list[tuple[Note, str]]  # each note with its author's name
    next_cursor: str | None


def snippet(text: str) -> str:
    """The first words of a note as it reads (Markdown rendered), on one line, as the timeline quotes it."""
    line = markdown_text(text)
    return line if len(line) <= SNIPPET_CHARS else line[: SNIPPET_CHARS - 1].rstrip() + "…"


@dataclass
class Names:
    """What the activities of a page refer to, by id: stages, notes (first words), tasks, people."""

    stages: dict[str, str]
    notes: dict[str, str]
    tasks: dict[str, str]
    people: dict[str, str]
    users: dict[str, str]  # members: a lead's new owner


def _fields(fields: list[str]) -> str:
    return ", ".join(f.removesuffix("_id").replace("_", " ") for f in fields)


def _owner_change(data: dict[str, Any], names: Names) -> str:
    """An edit that gave the lead to someone ("owner" is recorded with it since entries name them)."""
    owner = data["owner"]
    change = f"gave the lead to {names.users.get(owner, 'a former member')}" if owner else "left it unowned"
    others = [f for f in data.get("fields", []) if f != "owner_id"]
    return f"Changed {_fields(others)}; {change}" if others else change[0].upper() + change[1:]


def describe(kind: str, data: dict[str, Any], names: Names) -> str:
    """An activity in plain words, naming what it refers to while that still exists.

    An entry that came with a merged lead says so: its stage moves and "created" were that lead's.
    """
    text = _describe(kind, data, names)
    merged_from = data.get("merged_from")
    return f"{text} (on {merged_from}, since merged into this lead)" if merged_from else text


def _describe(kind: str, data: dict[str, Any], names: Names) -> str:
    if kind == "updated" and "owner" in data:
        return _owner_change(data, names)
    action = describe_action(kind, data)
    if action is not None:
        return action
    if kind == "created":
        return f"Created in {names.stages.get(data.get('stage_id', ''), 'the pipeline')}"
    if kind == "stage_changed":
        src = names.stages.get(data.get("from_stage_id", ""), "another stage")
        dst = names.stages.get(data.get("to_stage_id", ""), "another stage")
        reason = data.get("reason")
        return f"Moved from {src} to {dst}" + (f": {reason}" if reason else "")
    if kind == "updated":
        return "Changed " + _fields(data.get("fields", []))
    if kind == "note_added":
        quoted = names.notes.get(str(data.get("note_id")))
        return f"Added a note: “{quoted}”" if quoted else "Added a note (since deleted)"
    if kind == "note_edited":
        quoted = names.notes.get(str(data.get("note_id")))
        return f"Edited a note: “{quoted}”" if quoted else "Edited a note (since deleted)"
    if kind == "note_deleted":
        return "Deleted a note"
    if kind in TASK_WORDS:
        title = names.tasks.get(str(data.get("task_id")))
        return f"{TASK_WORDS[kind]}: {title}" if title else TASK_WORDS[kind]
    if kind == "contact_added":
        person = names.people.get(str(data.get("contact_id")))
        return f"Added a contact: {person}" if person else "Added a contact (since deleted)"
    if kind == "contact_edited":
        person = names.people.get(str(data.get("contact_id")))
        what = _fields(data.get("fields", []))
        return f"Edited {person}: {what}" if person else f"Edited a contact (since removed): {what}"
    if kind == "contact_removed":
        return f"Removed a contact: {data.get('name') or 'someone'}"
    if kind == "primary_contact_changed":
        if not data.get("contact_id"):
            return "Removed the primary contact"
        person = names.people.get(str(data.get("contact_id")))
        return f"Made {person} the primary contact" if person else "Changed the primary contact"
    if kind == "follow_up_done":
        return "Followed up: the follow-up date is cleared"
    return kind.replace("_", " ").capitalize()


def _referenced(activities: list[Activity], key: str) -> set[uuid.UUID]:
    found = set()
    for activity in activities:
        value = (activity.data or {}).get(key)
        if value:
            try:
                found.add(uuid.UUID(str(value)))
            except ValueError:
                continue
    return found


def _note_snippets(session: Session, lead: Lead, ids: set[uuid.UUID]) -> dict[str, str]:
    if not ids:
        return {}
    stmt = select(Note.id, Note.body).where(Note.org_id == lead.org_id, Note.lead_id == lead.id)
    rows = session.execute(stmt.where(Note.id.in_(ids))).all()
    return {str(row.id): snippet(row.body) for row in rows}


def _task_titles(session: Session, lead: Lead, ids: set[uuid.UUID]) -> dict[str, str]:
    if not ids:
        return {}
    stmt = select(Task.id, Task.title).where(Task.org_id == lead.org_id, Task.lead_id == lead.id)
    rows = session.execute(stmt.where(Task.id.in_(ids))).all()
    return {str(row.id): row.title for row in rows}


def _people(session: Session, lead: Lead, ids: set[uuid.UUID]) -> dict[str, str]:
    if not ids:
        return {}
    stmt = select(Contact.id, Contact.full_name, Contact.email).where(Contact.org_id == lead.org_id)
    rows = session.execute(stmt.where(Contact.id.in_(ids))).all()
    return {str(row.id): row.full_name or row.email or "someone unnamed" for row in rows}


def timeline_page(
    session: Session, lead: Lead, stage_names: dict[str, str], cursor: str | None = None
) -> TimelinePage:
    """A page of the lead's timeline, newest first (a fixed number of queries whatever it holds)."""
    page = ActivityRepository(session).page(lead.id, limit=TIMELINE_PAGE, cursor=cursor)
    activities = page.items
    actors = {a.actor_id for a in activities if a.actor_id is not None}
    # Actors and new owners are both members: one query names them all.
    actor_names = user_names(BoardRepository(session), actors | _referenced(activities, "owner"))
    names = Names(
        stages=stage_names,
        notes=_note_snippets(session, lead, _referenced(activities, "note_id")),
        tasks=_task_titles(session, lead, _referenced(activities, "task_id")),
        people=_people(session, lead, _referenced(activities, "contact_id")),
        users={str(user_id): name for user_id, name in actor_names.items()},
    )
    entries = [
        Entry(
            at=a.created_at,
            who=actor_names.get(a.actor_id, "Someone") if a.actor_id else "SalesOS",
            text=describe(a.kind, a.data or {}, names),
        )
        for a in activities
    ]
    return TimelinePage(entries, page.next_cursor)


def notes_page(session: Session, lead: Lead, cursor: str | None = None) -> NotesPage:
    """A page of the lead's notes with their authors, newest first."""
    page = NoteRepository(session).page(lead.id, limit=NOTES_PAGE, cursor=cursor)
    authors = {n.author_id for n in page.items if n.author_id is not None}
    names = user_names(BoardRepository(session), authors)
    notes = [(n, names.get(n.author_id, "Someone") if n.author_id else "Someone") for n in page.items]
    return NotesPage(notes, page.next_cursor)
