"""Last-Event-ID catch-up: a short, gap-free window of one org's recent events."""

from __future__ import annotations

from collections import deque
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from salesos.realtime.hub import Event


def parse_event_id(event_id: str | None) -> tuple[str, int] | None:
    """Split an event id into (epoch, seq); None when it is not one of ours."""
    if not event_id:
        return None
    epoch, sep, seq = event_id.rpartition("-")
    if not sep or not epoch or not seq.isdigit():
        return None
    return epoch, int(seq)


class Replay:
    """The last events of one org, kept only while their seqs are consecutive (no silent gaps)."""

    def __init__(self, size: int) -> None:
        self.epoch: str | None = None
        self.events: deque[tuple[int, Event]] = deque(maxlen=size)

    def record(self, event: Event) -> None:
        """Append *event*, first forgetting everything if it does not directly follow the last one."""
        parsed = parse_event_id(event.id)
        if parsed is None:
            return
        epoch, seq = parsed
        if self.events and (epoch != self.epoch or seq != self.events[-1][0] + 1):
            # Something was missed (lost while reconnecting, or a new epoch): older events can
            # no longer anchor a replay, because the gap between them and now is unknown.
            self.events.clear()
        self.epoch = epoch
        self.events.append((seq, event))

    def after(self, last_event_id: str | None) -> list[Event] | None:
        """Events after *last_event_id*, or None when the buffer cannot prove nothing is missing."""
        parsed = parse_event_id(last_event_id)
        if parsed is None or not self.events:
            return None
        epoch, seq = parsed
        first, last = self.events[0][0], self.events[-1][0]
        if epoch != self.epoch or seq < first - 1 or seq > last:
            return None
        return [event for s, event in self.events if s > seq]

    @property
    def newest_id(self) -> str | None:
        """Id of the most recent event kept, if any."""
        return self.events[-1][1].id if self.events else None
