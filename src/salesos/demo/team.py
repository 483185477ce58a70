"""The demo organisation and its people: an owner, a member and a viewer."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from salesos.auth.models import User
from salesos.auth.repository import UserRepository
from salesos.auth.security import hash_password
from salesos.auth.service.accounts import create_organization
from salesos.config import get_settings
from salesos.db.session import set_tenant, unit_of_work
from salesos.orgs.models import Membership, Role
from salesos.orgs.repository import MembershipRepository, OrganizationRepository

DEMO_SLUG = "demo"
DEMO_ORG_NAME = "Northwind Outfitters (demo)"
DEMO_USERS = [
    ("demo@example.com", "Dana Reyes", Role.OWNER),
    ("sam@example.com", "Sam Okafor", Role.MEMBER),
    ("vic@example.com", "Vic Laurent", Role.VIEWER),
]


@dataclass(frozen=True)
class DemoTeam:
    org_id: uuid.UUID
    org_name: str
    email: str
    password: str
    # Users who can own leads (owner, member), in DEMO_USERS order.
    user_ids: list[uuid.UUID]


def load_demo_team() -> DemoTeam:
    """Create what is missing of the demo org and its users; running it twice changes nothing."""
    password = get_settings().demo_password
    with unit_of_work() as session:
        users = UserRepository(session)
        accounts: dict[str, User] = {}
        for email, name, _role in DEMO_USERS:
            user = users.by_email(email)
            if user is None:
                user = users.add(User(email=email, name=name, password_hash=hash_password(password)))
            accounts[email] = user
        owner = accounts[DEMO_USERS[0][0]]
        org_id = OrganizationRepository(session).id_for_slug(DEMO_SLUG)
        if org_id is None:
            org_id = create_organization(session, DEMO_ORG_NAME, owner, slug=DEMO_SLUG).id
        set_tenant(session, org_id, owner.id)
        memberships = MembershipRepository(session)
        for email, _name, role in DEMO_USERS:
            if memberships.for_user(accounts[email].id) is None:
                memberships.add(Membership(user_id=accounts[email].id, role=role.value))
    sellers = [accounts[email].id for email, _name, role in DEMO_USERS if role is not Role.VIEWER]
    return DemoTeam(org_id, DEMO_ORG_NAME, DEMO_USERS[0][0], password, sellers)
