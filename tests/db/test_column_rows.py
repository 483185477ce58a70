"""``Repository.rows``: Core rows on the session's connection behave like ``session.execute``."""

from __future__ import annotations

from sqlalchemy import select

from salesos.db.session import unit_of_work
from salesos.orgs.models import Membership, Role
from salesos.orgs.repository import MembershipRepository
from tests.conftest import both_databases


@both_databases
def test_rows_see_the_sessions_pending_changes_and_only_its_tenant(settings, world) -> None:
    with unit_of_work(org_id=world.alice.org_id, user_id=world.alice.user_id) as session:
        repository = MembershipRepository(session)
        bob = session.get(Membership, world.bob.member_id)
        assert bob is not None and bob.role != Role.VIEWER.value
        bob.role = Role.VIEWER.value  # pending: not flushed yet
        stmt = repository.scoped(Membership.id, Membership.role)
        roles = {row.id: row.role for row in repository.rows(stmt)}
        session.rollback()
    assert roles == {world.alice.member_id: Role.OWNER.value, world.bob.member_id: Role.VIEWER.value}


@both_databases
def test_rows_leave_pending_changes_alone_when_autoflush_is_off(settings, world) -> None:
    with unit_of_work(org_id=world.alice.org_id, user_id=world.alice.user_id) as session:
        repository = MembershipRepository(session)
        bob = session.get(Membership, world.bob.member_id)
        assert bob is not None
        before = bob.role
        bob.role = Role.VIEWER.value if before != Role.VIEWER.value else Role.MEMBER.value
        with session.no_autoflush:
            found = repository.rows(select(Membership.role).where(Membership.id == world.bob.member_id))
        session.rollback()
    assert [row.role for row in found] == [before]
