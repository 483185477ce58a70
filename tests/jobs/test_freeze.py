"""A worker freezes what it loaded at start-up, so full GC passes skip it."""

from __future__ import annotations

import gc

from salesos.jobs.worker import freeze_loaded_code


def test_loaded_code_leaves_the_collectors_passes() -> None:
    gc.unfreeze()
    try:
        assert gc.get_freeze_count() == 0
        freeze_loaded_code()
        frozen = gc.get_freeze_count()
        assert frozen > 10_000  # the modules, schemas and mappers this process imported
        garbage: list[object] = []
        garbage.append(garbage)  # a cycle made after the freeze is still collected
        del garbage
        assert gc.collect() >= 1 and gc.get_freeze_count() == frozen
    finally:
        gc.unfreeze()
