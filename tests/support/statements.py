"""The SQL statements a block of test code executes, on any engine."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import Engine

WRITES = frozenset({"INSERT", "UPDATE", "DELETE"})


@contextmanager
def executed_statements() -> Iterator[list[str]]:
    """Every statement executed in the block, in order."""
    seen: list[str] = []

    def record(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        seen.append(statement)

    event.listen(Engine, "before_cursor_execute", record)
    try:
        yield seen
    finally:
        event.remove(Engine, "before_cursor_execute", record)


def is_write(statement: str) -> bool:
    """Whether *statement* changes rows."""
    return statement.lstrip().split(" ", 1)[0].upper() in WRITES
