"""The lead list API runs a fixed number of SQL statements per page, whatever the page size (no N+1)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from salesos.auth.principal import Principal
from salesos.db.session import unit_of_work
from salesos.leads.schemas import CompanyIn, ContactIn, LeadCreateIn
from salesos.leads.service import leads as lead_service
from salesos.orgs.models import Role
from tests.conftest import both_databases
from tests.support.statements import executed_statements

API = "/api/v1/leads"


def _make_leads(person: Any, count: int) -> None:
    """*count* leads (company, contact, tag) in *person*'s org, through the service."""
    principal = Principal(org_id=person.org_id, role=Role.OWNER, kind="token", user_id=person.user_id)
    with unit_of_work(org_id=person.org_id, user_id=person.user_id) as session:
        for i in range(count):
            lead_service.create_lead(
                session,
                principal,
                LeadCreateIn(
                    company=CompanyIn(name=f"Counted Co {i}"),
                    contact=ContactIn(
                        first_name="Pat", last_name=f"Person{i}", email=f"pat{i}@counted.example"
                    ),
                    tags=["counted"],
                    owner_id=person.user_id,
                    value=Decimal(1000 + i),
                ),
            )


@both_databases
def test_statements_per_list_page_do_not_grow_with_page_size(client, world):
    _make_leads(world.alice, 12)
    for query in ("", "&q=counted", "&tag=counted", f"&owner_id={world.alice.user_id}&q=pat"):
        measured = {}
        for size in (2, 12):
            client.get(f"{API}?limit={size}{query}", headers=world.alice.headers)  # warm: no first-use reads
            with executed_statements() as seen:
                response = client.get(f"{API}?limit={size}{query}", headers=world.alice.headers)
            assert response.status_code == 200, response.text
            assert len(response.json()["items"]) == size
            measured[size] = len(seen)
        assert measured[2] == measured[12], (query, measured)
        # The principal (one role lookup), the tenant setting on PostgreSQL, and the page itself.
        assert measured[12] <= 4, (query, measured)
