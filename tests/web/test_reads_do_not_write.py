"""A new organisation's first pages only read: a write from a GET would run in a read transaction, which
SQLite can't always turn into a write one ("database is locked" when another writer got in first)."""

from __future__ import annotations

import uuid

from sqlalchemy import func, select

from salesos.db.session import unit_of_work
from salesos.leads.models import Pipeline
from tests.conftest import both_databases
from tests.support.statements import executed_statements, is_write
from tests.web import test_board

browser = test_board.browser  # the fixture, shared with the board tests


@both_databases
def test_signup_makes_the_default_pipeline_so_the_first_pages_only_read(client, browser):
    b = browser()
    form = {
        "name": "Nia Newco",
        "email": "nia@newco.example",
        "password": "a-long-passphrase-2026",
        "org_name": "Newco",
    }
    assert b.post("/signup", data=form).status_code == 303
    org_id = uuid.UUID(b.get("/api/v1/org").json()["id"])
    with unit_of_work(write=False, org_id=org_id) as session:
        assert (
            session.scalar(select(func.count()).select_from(Pipeline).where(Pipeline.org_id == org_id)) == 1
        )
    with executed_statements() as seen:
        for path in ("/", "/leads", "/leads/list"):
            assert b.get(path).status_code == 200, path
    assert [statement for statement in seen if is_write(statement)] == []
