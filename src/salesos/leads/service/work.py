"""Work on a lead: notes, tasks, and the timeline that records it."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from salesos.auth.principal import Principal
from salesos.calendar import service as calendar
from salesos.db.base import utcnow
from salesos.errors import Forbidden, NotFound, ValidationFailed
from salesos.leads.models import Lead, Note, Task
from salesos.leads.repository import NoteRepository, TaskRepository
from salesos.leads.service.leads import follow_up_done, record, require_member
from salesos.notifications import triggers as notify_on
from salesos.orgs.models import Role


def add_note(session: Session, principal: Principal, lead: Lead, body: str) -> Note:
    """Write a Markdown note on *lead*."""
    note = NoteRepository(session).add(Note(lead_id=lead.id, author_id=principal.user_id, body=body))
    # The timeline names the note, not its text: hints and activity data never carry bodies.
    record(session, lead, "note_added", principal.user_id, note_id=str(note.id))
    notify_on.mentions(session, lead, note, principal.user_id)
    return note


def note_or_404(session: Session, lead: Lead, note_id: uuid.UUID) -> Note:
    """A note of *lead*; a note of another lead or org is not found."""
    note = NoteRepository(session).get(note_id)
    if note is None or note.lead_id != lead.id:
        raise NotFound("Note not found.")
    return note


def may_change_note(principal: Principal, note: Note) -> bool:
    """A note is its author's words: only they, or an admin, may change or delete it."""
    is_author = principal.user_id is not None and principal.user_id == note.author_id
    return is_author or principal.has_role(Role.ADMIN)


def _require_note_rights(principal: Principal, note: Note, verb: str) -> None:
    if not may_change_note(principal, note):
        raise Forbidden(f"Only the note's author or an admin can {verb} it.")


def edit_note(session: Session, principal: Principal, lead: Lead, note: Note, body: str) -> Note:
    """Replace a note's text; the timeline records the edit, and people newly @mentioned hear of it."""
    _require_note_rights(principal, note, "edit")
    if body == note.body:
        return note
    before, note.body, note.edited_at = note.body, body, utcnow()
    record(session, lead, "note_edited", principal.user_id, note_id=str(note.id))
    notify_on.mentions(session, lead, note, principal.user_id, before=before)
    session.flush()
    return note


def delete_note(session: Session, principal: Principal, lead: Lead, note: Note) -> None:
    """Delete a note; its "Added a note" line stays on the timeline, saying it was deleted since."""
    _require_note_rights(principal, note, "delete")
    NoteRepository(session).delete(note)
    record(session, lead, "note_deleted", principal.user_id, note_id=str(note.id))
    session.flush()


def add_task(
    session: Session,
    principal: Principal,
    lead: Lead,
    *,
    title: str,
    due_at: datetime | None,
    assignee_id: uuid.UUID | None,
) -> Task:
    """Add a task to *lead*, optionally due at a time and assigned to a member."""
    require_member(session, assignee_id, "assignee_id")
    task = TaskRepository(session).add(
        Task(lead_id=lead.id, title=title, due_at=due_at, assignee_id=assignee_id)
    )
    record(session, lead, "task_added", principal.user_id, task_id=str(task.id))
    return task


def task_or_404(session: Session, lead: Lead, task_id: uuid.UUID) -> Task:
    """A task of *lead*; a task of another lead or org is not found."""
    task = TaskRepository(session).get(task_id)
    if task is None or task.lead_id != lead.id:
        raise NotFound("Task not found.")
    return task


def update_task(
    session: Session, principal: Principal, lead: Lead, task: Task, changes: dict[str, Any]
) -> Task:
    """Mark a task done or undone, rename, reschedule or reassign it."""
    done = changes.pop("done", None)
    if "title" in changes and changes["title"] is None:
        raise ValidationFailed("A task needs a title.", field="title")
    if "assignee_id" in changes and changes["assignee_id"] != task.assignee_id:
        require_member(session, changes["assignee_id"], "assignee_id")
    edited = False
    for name, value in changes.items():
        if getattr(task, name) != value:
            setattr(task, name, value)
            edited = True
    if "due_at" in changes and edited:
        task.reminded_at = None  # rescheduled: remind again at the new time
        calendar.follow_task(session, task)  # a scheduled call moves with its task
    if done is True and task.done_at is None:
        task.done_at = utcnow()
        record(session, lead, "task_done", principal.user_id, task_id=str(task.id))
        follow_up_done(session, principal, lead)
    elif done is False and task.done_at is not None:
        task.done_at = None
        record(session, lead, "task_reopened", principal.user_id, task_id=str(task.id))
    if edited:
        record(session, lead, "task_updated", principal.user_id, task_id=str(task.id))
    session.flush()
    return task


def delete_task(session: Session, principal: Principal, lead: Lead, task: Task) -> None:
    """Delete a task; a call scheduled with it comes off the calendars (nobody is left to make it)."""
    calendar.before_task_deleted(session, task)
    TaskRepository(session).delete(task)
    record(session, lead, "task_deleted", principal.user_id, task_id=str(task.id))
    session.flush()
