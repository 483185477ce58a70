"""``uuid_text``: UUID columns read as canonical text, equal to what the ORM's uuid.UUID prints."""

from __future__ import annotations

import uuid

from sqlalchemy import literal_column, select, type_coerce

from salesos.db.base import UuidText, uuid_text
from salesos.db.session import unit_of_work
from salesos.orgs.models import Membership
from tests.conftest import both_databases


@both_databases
def test_text_ids_equal_the_orm_ids(settings, world) -> None:
    with unit_of_work(write=False, org_id=world.alice.org_id) as session:
        stmt = select(Membership.id, uuid_text(Membership.id), uuid_text(Membership.user_id)).where(
            Membership.org_id == world.alice.org_id
        )
        rows = session.execute(stmt).all()
        labels = session.execute(select(uuid_text(Membership.id), uuid_text(Membership.user_id))).keys()
    assert {row[0] for row in rows} == {world.alice.member_id, world.bob.member_id}
    for member_id, as_text, user_text in rows:
        assert as_text == str(member_id)
        assert str(uuid.UUID(user_text)) == user_text  # canonical: lower case, dashed
    assert list(labels) == ["id", "user_id"]  # selected under the columns' own names


def test_a_value_stored_in_another_text_form_is_still_canonical(settings) -> None:
    value = uuid.uuid4()
    with unit_of_work(write=False) as session:
        for stored in (str(value), str(value).upper(), value.hex):
            got = session.execute(select(type_coerce(literal_column(f"'{stored}'"), UuidText()))).scalar()
            assert got == str(value)
