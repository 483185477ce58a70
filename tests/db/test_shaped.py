"""Shaped selects: one statement object per shape, each call's own values, each tenant its own rows."""

from __future__ import annotations

from sqlalchemy import bindparam, select

from salesos.db.session import unit_of_work
from salesos.db.shaped import shaped_select, with_values
from salesos.orgs.models import Membership, Role
from tests.conftest import both_databases


def _members(org_id, role=None):  # type: ignore[no-untyped-def]
    stmt = shaped_select(
        "test_members",
        lambda: select(Membership.id).where(Membership.org_id == bindparam("org_id")),
        org_id=org_id,
    )
    if role is not None:
        stmt = stmt.where("role", lambda: Membership.role == bindparam("role"), role=role)
    return stmt


@both_databases
def test_a_shape_is_built_once_and_run_with_each_calls_values(settings, world) -> None:
    with unit_of_work(org_id=world.alice.org_id, user_id=world.alice.user_id) as session:
        first = _members(world.alice.org_id, Role.OWNER.value)
        second = _members(world.alice.org_id, Role.MEMBER.value)
        assert first.shape == second.shape
        assert first.statement() is second.statement()  # the same object: its cache key is kept
        owners = {row.id for row in first.rows(session)}
        members = {row.id for row in second.rows(session)}
        everyone = {row.id for row in _members(world.alice.org_id).rows(session)}
    assert owners == {world.alice.member_id}
    assert members == {world.bob.member_id}
    assert everyone == {world.alice.member_id, world.bob.member_id}


@both_databases
def test_a_kept_statement_never_carries_one_tenants_values_to_another(settings, world) -> None:
    with unit_of_work(org_id=world.alice.org_id, user_id=world.alice.user_id) as session:
        alices = {row.id for row in _members(world.alice.org_id).rows(session)}
    with unit_of_work(org_id=world.carol.org_id, user_id=world.carol.user_id) as session:
        carols = {row.id for row in _members(world.carol.org_id).rows(session)}
    assert world.alice.member_id in alices and world.carol.member_id in carols
    assert not alices & carols


def test_with_values_binds_a_conditions_named_parameters_into_a_copy() -> None:
    condition = Membership.role == bindparam("role")
    bound = with_values(condition, {"role": "owner"})
    assert bound.compile().params == {"role": "owner"}
    assert condition.compile().params == {"role": None}  # the original is left as it was
