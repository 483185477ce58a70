"""Alice and Bob in org A, Carol in org B, plus one object of every kind in org A.

The isolation battery fills path parameters from ``World.ids``: when a later issue adds a route with a
new ``{something_id}``, it registers a factory in ``ID_FACTORIES`` that creates such an object in org A.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass, field

from sqlalchemy.orm import Session

from salesos.auth.service import accounts, credentials
from salesos.db.session import set_tenant, unit_of_work
from salesos.orgs.models import Invitation, Membership, Role
from salesos.orgs.repository import MembershipRepository
from tests.calendar import factories as calendar_factories
from tests.campaigns import factories as campaign_factories
from tests.imports import factories as import_factories
from tests.intake import factories as intake_factories
from tests.leads import factories as lead_factories
from tests.notifications import factories as notification_factories
from tests.push import factories as push_factories

PASSWORD = "correct horse battery staple"


@dataclass
class Person:
    email: str
    name: str
    user_id: uuid.UUID
    org_id: uuid.UUID
    member_id: uuid.UUID
    access_token: str = ""
    refresh_token: str = ""

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.access_token}"}

    def set_role(self, role: Role) -> None:
        """Give this person *role* in their org, straight in the database (no app, no realtime hint)."""
        with unit_of_work(org_id=self.org_id) as session:
            session.get_one(Membership, self.member_id).role = role.value


@dataclass
class World:
    alice: Person
    bob: Person
    carol: Person
    ids: dict[str, uuid.UUID] = field(default_factory=dict)
    # Strings that belong to org A and must never appear in a response to Carol.
    markers_a: list[str] = field(default_factory=list)


def _invitation(session: Session, world: World) -> uuid.UUID:
    from salesos.auth.principal import Principal
    from salesos.orgs.service import invite

    principal = Principal(
        org_id=world.alice.org_id, role=Role.OWNER, kind="token", user_id=world.alice.user_id
    )
    invitation: Invitation = invite(session, principal, email="dave@a.example", role=Role.MEMBER)
    return invitation.id


def _api_key(session: Session, world: World) -> uuid.UUID:
    key, _secret = credentials.create_api_key(
        session, name="A's key", scopes=["read"], created_by=world.alice.user_id
    )
    return key.id


def _pipeline(session: Session, world: World) -> uuid.UUID:
    from salesos.leads.service.pipelines import create_pipeline

    # Stage names of its own: tests look the default pipeline's stages up by name.
    stages = [("Acme Alpha Intake", "open"), ("Acme Alpha Signed", "won")]
    return create_pipeline(session, "Acme Alpha Renewals", stages).id


def _stage(session: Session, world: World) -> uuid.UUID:
    """A stage of the org-A pipeline registered as ``pipeline_id`` (the stage routes' pair is valid in A)."""
    from salesos.leads.service.pipelines import add_stage, pipeline_or_404

    return add_stage(session, pipeline_or_404(session, world.ids["pipeline_id"]), "Acme Alpha Review").id


def _saved_view(session: Session, world: World) -> uuid.UUID:
    """A view of Alice's shared with org A (so every org-A member could see it; Carol must not)."""
    from salesos.leads.models import SavedView
    from salesos.leads.repository import SavedViewRepository

    view = SavedView(user_id=world.alice.user_id, name="Acme Alpha hot", filters={"tag": "hot"}, shared=True)
    return SavedViewRepository(session).add(view).id


ID_FACTORIES: dict[str, Callable[[Session, World], uuid.UUID]] = {
    "member_id": lambda _s, w: w.bob.member_id,
    "invitation_id": _invitation,
    "api_key_id": _api_key,
    "lead_id": lead_factories.lead_id,
    "task_id": lead_factories.task_id,
    "note_id": lead_factories.note_id,
    "company_id": lead_factories.company_id,
    "contact_id": lead_factories.contact_id,
    "suggestion_id": lead_factories.suggestion_id,
    "subscription_id": push_factories.subscription_id,
    "intake_endpoint_id": intake_factories.intake_endpoint_id,
    "import_id": import_factories.import_id,
    "endpoint_id": intake_factories.endpoint_id,  # type: ignore[dict-item]  # a public id string
    "view_id": _saved_view,
    "pipeline_id": _pipeline,
    "stage_id": _stage,
    "notification_id": notification_factories.notification_id,
    "campaign_id": campaign_factories.campaign_id,
    "prospect_id": campaign_factories.prospect_id,
    "event_id": calendar_factories.event_id,
}


def _person(session: Session, email: str, name: str, org_id: uuid.UUID | None, org_name: str) -> Person:
    if org_id is None:
        user, org = accounts.signup(session, name=name, email=email, password=PASSWORD, org_name=org_name)
        org_id = org.id
    else:
        from salesos.auth.models import User
        from salesos.auth.repository import UserRepository
        from salesos.auth.security import hash_password

        user = UserRepository(session).add(
            User(email=email, name=name, password_hash=hash_password(PASSWORD))
        )
        set_tenant(session, org_id, user.id)
        MembershipRepository(session).add(Membership(user_id=user.id, role=Role.MEMBER.value))
    set_tenant(session, org_id, user.id)
    membership = MembershipRepository(session).for_user(user.id)
    assert membership is not None
    pair = credentials.issue_token_pair(session, user.id, org_id)
    return Person(
        email=email,
        name=name,
        user_id=user.id,
        org_id=org_id,
        member_id=membership.id,
        access_token=pair.access_token,
        refresh_token=pair.refresh_token,
    )


def build_world() -> World:
    """Create the three people, their orgs, and one org-A object per registered id kind."""
    with unit_of_work() as session:
        alice = _person(session, "alice@a.example", "Alice Anders", None, "Acme Alpha")
        bob = _person(session, "bob@a.example", "Bob Brooks", alice.org_id, "")
        carol = _person(session, "carol@b.example", "Carol Chen", None, "Bravo Beta")
    world = World(alice=alice, bob=bob, carol=carol)
    with unit_of_work(org_id=alice.org_id, user_id=alice.user_id) as session:
        for name, factory in ID_FACTORIES.items():
            world.ids[name] = factory(session, world)
    world.markers_a = [
        alice.email,
        bob.email,
        "Acme Alpha",
        str(alice.org_id),
        alice.org_id.hex,
        *(str(v) for v in world.ids.values()),
    ]
    return world
