"""A worker killed mid-import resumes from the committed rows_done: exact counts, no duplicate leads."""

from __future__ import annotations

import uuid

import pytest

from salesos.db.session import unit_of_work
from salesos.imports.models import ImportJob
from salesos.imports.service import runner
from salesos.jobs.testing import drain
from tests.conftest import both_databases
from tests.imports.helpers import API, lead_count, upload


class Killed(Exception):
    pass


def _rows(n: int) -> bytes:
    lines = ["Company,Email,Phone"]
    for i in range(n):
        # Every 10th row repeats an earlier email with other case, so merges cross batch borders.
        email = f"P{i - 7}@CO{i - 7}.example" if i % 10 == 9 else f"p{i}@co{i}.example"
        lines.append(f"Co {i},{email},")
    lines.append("Broken,not-an-email,")
    return ("\n".join(lines) + "\n").encode()


@both_databases
def test_crash_after_first_batch_then_resume(client, world):
    up = upload(client, world.alice, _rows(95)).json()
    client.post(
        f"{API}/imports/{up['id']}/start", json={"mapping": up["mapping"]}, headers=world.alice.headers
    )

    def crash(progress: runner.Progress) -> None:
        raise Killed

    org, import_id = world.alice.org_id, up["id"]
    before = lead_count(org)
    with pytest.raises(Killed):
        runner.run_import(org, uuid.UUID(import_id), batch_size=20, after_batch=crash)
    mid = client.get(f"{API}/imports/{import_id}", headers=world.alice.headers).json()
    assert mid["rows_done"] == 20 and mid["status"] == "failed"
    assert lead_count(org) == before + mid["created"]
    # The job (as the queue would run it) resumes; then a repeat run changes nothing.
    drain()
    assert runner.run_import(org, uuid.UUID(import_id)) is None
    final = client.get(f"{API}/imports/{import_id}", headers=world.alice.headers).json()
    # 96 records: 86 unique, 9 repeats of earlier emails (p2, p12, ... p82 in other case), 1 broken.
    assert final["status"] == "done" and final["rows_done"] == 96
    assert (final["created"], final["merged"], final["rejected"]) == (86, 9, 1)
    assert lead_count(org) == before + 86
    with unit_of_work(write=False, org_id=org) as s:
        assert s.get(ImportJob, uuid.UUID(import_id)).error is None  # type: ignore[union-attr]
