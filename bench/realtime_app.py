"""P4's view of the real app: ``salesos.main:create_app`` plus a commit clock, nothing else changed.

    uvicorn realtime_app:create_app --factory --app-dir bench

An extra SQLAlchemy ``after_commit`` listener, inserted before the app's own (which runs the
on-commit hooks that publish the hints), notes ``time.monotonic()`` the moment the database commit
returned, for every ``lead_id`` hint the transaction is about to publish. ``GET /_bench/commits``
answers ``[[lead_id, event, monotonic seconds], ...]``; CLOCK_MONOTONIC is system-wide on Linux,
so the bench compares it with the receipt times its SSE clients note in another process.
"""

from __future__ import annotations

import os
import time
from typing import Any

from fastapi import FastAPI
from sqlalchemy import event

stamps: list[tuple[str, str, float]] = []


def _note_commit(session: Any) -> None:
    from salesos.db.session import ON_COMMIT_KEY
    from salesos.realtime.events import _CommitHints

    now = time.monotonic()
    for hook in session.info.get(ON_COMMIT_KEY, ()):
        if isinstance(hook, _CommitHints):
            for hints in hook.by_org.values():
                for (name, _), data in hints.items():
                    if "lead_id" in data:
                        stamps.append((str(data["lead_id"]), name, now))


def create_app() -> FastAPI:
    """The real app, with the commit clock installed and ``GET /_bench/commits`` added."""
    from salesos.db.session import AppSession
    from salesos.main import create_app as create_salesos_app

    # insert=True: runs before the listener that pops and runs the on-commit hooks.
    event.listen(AppSession, "after_commit", _note_commit, insert=True)
    app = create_salesos_app()

    profile_to = os.environ.get("BENCH_PROFILE")
    profiler: Any = None
    if profile_to:
        # Investigation only: profiles the event loop's thread (this one) until the bench collects
        # the commit stamps, then writes the stats next to BENCH_PROFILE.
        import cProfile

        profiler = cProfile.Profile()
        profiler.enable()

    async def commits() -> list[tuple[str, str, float]]:
        if profiler is not None:
            profiler.disable()
            profiler.dump_stats(f"{profile_to}.{os.getpid()}")
        return stamps

    app.add_api_route("/_bench/commits", commits, methods=["GET"], include_in_schema=False)
    return app
