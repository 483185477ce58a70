"""The lead after a given one in a filtered, sorted list: the whole list walked one lead at a time is the
list as its pages show it, in every sort; a lead moved out of the list still leads on to the next one."""

from __future__ import annotations

import uuid

import pytest

from salesos.db.session import unit_of_work
from salesos.leads.models import Lead
from salesos.leads.repository import LeadRepository
from salesos.leads.schemas import LeadFilters
from tests.conftest import both_databases
from tests.web.test_board import make_leads

SORTS = [
    "-created_at",
    "created_at",
    "-value",
    "value",
    "company_name",
    "-company_name",
    "tier",
    "-tier",
    "-score",
]


def _seed(world) -> None:  # type: ignore[no-untyped-def]
    person = world.alice
    # Ties and blanks in every key: same values, same company names, no tier or no value at all.
    scores: dict[uuid.UUID, int] = {}
    for ids, score in (
        (make_leads(person, 2, name="Acme", value=500, tags=["hot"], tier="A"), 90),
        (make_leads(person, 2, name="acme", value=500, tags=["hot"], tier="B"), 40),
        (make_leads(person, 2, name="Zeta", tags=["hot"]), 70),
        (make_leads(person, 1, name="Beta", value=50, tags=["hot"], tier="A"), 90),
        (make_leads(person, 1, name="Cold", value=9_999, tags=["cold"], tier="A"), 99),
    ):
        scores.update(dict.fromkeys(ids, score))
    with unit_of_work(org_id=person.org_id, user_id=person.user_id) as s:
        for lead_id, score in scores.items():
            s.get_one(Lead, lead_id).score = score


def _walk(world, filters: LeadFilters) -> list[uuid.UUID]:  # type: ignore[no-untyped-def]
    with unit_of_work(write=False, org_id=world.alice.org_id, user_id=world.alice.user_id) as s:
        leads = LeadRepository(s)
        first = leads.page(filters, limit=1, cursor=None).items
        walked = [first[0].id] if first else []
        while walked:
            following = leads.next_after(filters, walked[-1])
            if following is None:
                break
            walked.append(following.id)
            assert len(walked) < 20, "the walk does not end"
        return walked


@both_databases
@pytest.mark.parametrize("sort", SORTS)
def test_walking_lead_by_lead_is_the_list(world, sort):
    _seed(world)
    filters = LeadFilters(tag="hot", sort=sort)
    with unit_of_work(write=False, org_id=world.alice.org_id, user_id=world.alice.user_id) as s:
        listed = [row.id for row in LeadRepository(s).page(filters, limit=200, cursor=None).items]
    assert len(listed) == 7
    assert _walk(world, filters) == listed


@both_databases
def test_a_lead_that_left_the_list_leads_on_to_the_next(world):
    _seed(world)
    filters = LeadFilters(tag="hot", sort="-value")
    with unit_of_work(write=False, org_id=world.alice.org_id, user_id=world.alice.user_id) as s:
        leads = LeadRepository(s)
        listed = [row.id for row in leads.page(filters, limit=200, cursor=None).items]
        everyone = [row.id for row in leads.page(LeadFilters(sort="-value"), limit=200, cursor=None).items]
        cold = everyone[0]  # 9,999: not tagged hot, yet first by value
        assert cold not in listed
        assert leads.next_after(filters, cold).id == listed[0]
        assert leads.next_after(filters, listed[-1]) is None
        assert leads.next_after(filters, uuid.uuid4()) is None
