"""The notification types, declared in one place: name, label, wording, and which channels they use.

A later issue adds a type (a reminder, a reply) by calling ``register`` here, then ``notify(...)`` where it
happens; preferences, the settings tab and the API pick it up from this registry.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class NotificationType:
    """One kind of notification and the channels it may be delivered on."""

    name: str
    label: str
    # Wording with {actor}, {lead} and the type's facts, e.g. "{actor} assigned {lead} to you".
    text: str
    push: bool = True
    digest: bool = True
    # Wording for one notification about several leads (a bulk action), with {count}; same preference.
    text_many: str | None = None

    def describe(self, actor: str | None, lead: str | None, facts: dict[str, Any]) -> str:
        """The sentence a person reads; missing names fall back to neutral words."""
        values = {k: v for k, v in facts.items() if isinstance(v, str | int | float)}
        values.update(actor=actor or "Someone", lead=lead or "a lead")
        count = facts.get("count")
        template = self.text_many if self.text_many and isinstance(count, int) and count > 1 else self.text
        try:
            return template.format(**values)
        except (KeyError, IndexError, ValueError):
            return self.label


TYPES: dict[str, NotificationType] = {}


def register(kind: NotificationType) -> NotificationType:
    """Add *kind* to the registry (names are unique)."""
    if kind.name in TYPES and TYPES[kind.name] != kind:
        raise ValueError(f"notification type {kind.name!r} is already registered")
    TYPES[kind.name] = kind
    return kind


def get_type(name: str) -> NotificationType:
    """The registered type *name*; KeyError for an unknown one (a programming error)."""
    return TYPES[name]


LEAD_ASSIGNED = register(
    NotificationType(
        "lead_assigned",
        "A lead is assigned to me",
        "{actor} assigned {lead} to you",
        text_many="{actor} assigned {count} leads to you",
    )
)
STAGE_CHANGED = register(
    NotificationType(
        "stage_changed",
        "A lead I own changes stage",
        "{actor} moved {lead} to {stage}",
        text_many="{actor} moved {count} of your leads to {stage}",
    )
)
MENTION = register(
    NotificationType("mention", "I am @mentioned in a note", "{actor} mentioned you in a note on {lead}")
)
IMPORT_FINISHED = register(
    NotificationType(
        "import_finished",
        "My CSV import finishes",
        "Your import of {filename} finished: {created} created, {merged} merged, {rejected} rejected",
        push=False,
    )
)
TASK_DUE = register(
    NotificationType("task_due", "A task or call of mine is due", "{task} is due at {due} ({lead})")
)
