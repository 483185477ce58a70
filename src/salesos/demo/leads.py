"""Demo leads: local businesses across the pipeline, with stage history, notes and tasks.

Generated from a fixed seed, so every demo looks the same; all fictional (phone numbers in the
555-01xx range, example.com-style domains). Each lead's story happens in the past (created weeks ago,
moved on since), and every row of it gets the id it would have had then: lists ordered by id (the lead
list's "Created", history, timelines) show it in time order.
"""

from __future__ import annotations

import random
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import event
from sqlalchemy.orm import Session

from salesos.auth.principal import Principal
from salesos.db.base import utcnow, uuid7_at
from salesos.db.session import unit_of_work
from salesos.leads.models import Activity, Company, Contact, Lead, LeadStatusHistory, Note, Task
from salesos.leads.repository import LeadRepository
from salesos.leads.schemas import CompanyIn, ContactIn, LeadCreateIn
from salesos.leads.service import leads as lead_service
from salesos.leads.service import pipelines, work
from salesos.orgs.models import Role

DEMO_LEADS = 200
DEMO_SOURCE = "demo"
# How many of the 200 end in each stage, in pipeline order (New … Won, Lost).
STAGE_COUNTS = (60, 45, 35, 25, 20, 15)
WON, LOST = 4, 5  # positions of the default pipeline's closing stages

CITIES = [
    ("Austin", "TX", "512", 30.2672, -97.7431), ("Denver", "CO", "303", 39.7392, -104.9903),
    ("Portland", "OR", "503", 45.5152, -122.6784), ("Raleigh", "NC", "919", 35.7796, -78.6382),
    ("Nashville", "TN", "615", 36.1627, -86.7816), ("Columbus", "OH", "614", 39.9612, -82.9988),
    ("Tampa", "FL", "813", 27.9506, -82.4572), ("Madison", "WI", "608", 43.0731, -89.4012),
]  # fmt: skip
TRADES = [
    ("Dental", "Dentistry", ["Smile Studio", "Family Dental", "Dental Care", "Orthodontics"], 4800),
    ("HVAC", "HVAC", ["Heating & Air", "Comfort Systems", "Climate Pros"], 3600),
    ("Legal", "Law firm", ["Law Group", "Legal Partners", "Attorneys at Law"], 6500),
    ("Roofing", "Roofing", ["Roofing Co.", "Roof Masters", "Exteriors"], 3000),
    ("Landscaping", "Landscaping", ["Landscapes", "Lawn & Garden", "Outdoor Living"], 1800),
    ("Auto", "Auto repair", ["Auto Repair", "Motor Works", "Tire & Service"], 2200),
    ("Veterinary", "Veterinary", ["Animal Hospital", "Pet Clinic", "Veterinary Care"], 4200),
    ("Salon", "Beauty salon", ["Hair Studio", "Salon & Spa", "Beauty Bar"], 1500),
]  # fmt: skip
NAMES = ["Maple", "Summit", "Riverside", "Cedar", "Lakeview", "Pioneer", "Oak Hill", "Harbor", "Willow",
         "Blue Ridge", "Evergreen", "Granite", "Sunrise", "Northside", "Heritage", "Prairie"]  # fmt: skip
FIRST = ["Maria", "James", "Priya", "David", "Aisha", "Tom", "Elena", "Marcus", "Grace", "Luis", "Hannah",
         "Omar", "Julia", "Kevin", "Sofia", "Ben", "Chloe", "Raj", "Nina", "Victor"]  # fmt: skip
LAST = ["Garcia", "Nguyen", "Patel", "Johnson", "Okafor", "Schmidt", "Rossi", "Kim", "Hughes", "Moreno",
        "Ali", "Brennan", "Cohen", "Larsen", "Dubois", "Yamada"]  # fmt: skip
TITLES = ["Owner", "Practice Manager", "Office Manager", "General Manager", "Managing Partner"]
LOST_REASONS = ["Went with a competitor", "No budget this year", "Not the decision maker", "Bad timing"]
NOTES = [
    "Website is slow on mobile and has no booking form. Good fit for the audit offer.",
    "Spoke with the front desk; the owner prefers email. Follow up Tuesday morning.",
    "They run ads but send traffic to the home page. Landing page pitch could land.",
    "Asked for a proposal with two options; budget sounds like **$3-5k**.",
    "Reviews mention long phone waits. Online scheduling is the hook.",
]
TASKS = ["Send the audit summary", "Call back about pricing", "Book a demo", "Send the proposal", "Check in"]


def _existing_demo_leads(org_id: uuid.UUID) -> int:
    with unit_of_work(write=False, org_id=org_id) as session:
        repo = LeadRepository(session)
        return repo.count(repo.scoped().where(Lead.source == DEMO_SOURCE))


def _lead_input(rng: random.Random, index: int, owner_id: uuid.UUID) -> LeadCreateIn:
    city, state, area, lat, lon = rng.choice(CITIES)
    short, industry, suffixes, typical = rng.choice(TRADES)
    name = f"{rng.choice(NAMES)} {rng.choice(suffixes)}"
    slug = "".join(ch for ch in name.lower() if ch.isalnum())[:24]
    first, last = rng.choice(FIRST), rng.choice(LAST)
    phone = f"({area}) 555-01{index % 100:02d}"
    company = CompanyIn(
        name=name, website=f"https://www.{slug}-{index}.example", phone=phone,
        address=f"{rng.randint(100, 9800)} {rng.choice(['Main St', 'Oak Ave', 'Market St', '5th St'])}",
        city=city, region=state, postal_code=f"{rng.randint(10000, 99999)}", country="US",
        lat=round(lat + rng.uniform(-0.08, 0.08), 5), lon=round(lon + rng.uniform(-0.08, 0.08), 5),
        industry=industry, size=rng.choice(["1-10", "11-50", "51-200"]), source=DEMO_SOURCE,
    )  # fmt: skip
    contact = ContactIn(
        first_name=first, last_name=last, title=rng.choice(TITLES), phone=phone,
        email=f"{first.lower()}.{last.lower()}@{slug}-{index}.example", is_decision_maker=rng.random() < 0.6,
    )  # fmt: skip
    value = Decimal(typical + rng.randint(-6, 12) * 250)
    return LeadCreateIn(
        company=company, contact=contact, owner_id=owner_id, value=value, source=DEMO_SOURCE,
        tags=[short.lower(), city.lower()], tier=rng.choice(["A", "B", "B", "C"]),
    )  # fmt: skip


class _Clock:
    """While set, the rows the demo adds are created at that moment: created_at, updated_at, and a
    UUIDv7 id of that time (set before the flush, so the ids the services read are already the final ones).
    """

    BACKDATED = (Company, Contact, Lead, LeadStatusHistory, Activity, Note, Task)

    def __init__(self, session: Session) -> None:
        self.session = session
        self.now: datetime | None = None
        event.listen(session, "before_flush", self._stamp)

    def _stamp(self, session: Session, _context: Any, _instances: Any) -> None:
        if self.now is None:
            return
        for row in session.new:
            if isinstance(row, self.BACKDATED) and row.id is None:
                row.id = uuid7_at(self.now)
                row.created_at = row.updated_at = self.now

    @contextmanager
    def at(self, moment: datetime) -> Iterator[None]:
        """Rows added in the block are created at *moment*."""
        self.now = moment
        try:
            yield
            self.session.flush()
        finally:
            self.now = None


def _moments(rng: random.Random, start: datetime, end: datetime, count: int) -> list[datetime]:
    """*count* moments between *start* and *end*, in order, none at either end."""
    span = (end - start).total_seconds()
    return [
        start + timedelta(seconds=span * f) for f in sorted(rng.uniform(0.05, 0.95) for _ in range(count))
    ]


def _lead_story(
    rng: random.Random,
    clock: _Clock,
    data: LeadCreateIn,
    actor: Principal,
    stages: list[Any],
    position: int,
) -> Lead:
    """Create a lead weeks ago and walk the pipeline the way a real lead did since, so each demo lead has
    a history, notes and a task, each at its own time."""
    session, owner, now = clock.session, actor.user_id, utcnow()
    created = now - timedelta(
        days=rng.randint(position * 5, 20 + position * 12), minutes=rng.randint(1, 1439)
    )
    with clock.at(created):
        lead = lead_service.create_lead(session, actor, data)
    path = stages[1 : position + 1] if position < LOST else [stages[1], stages[LOST]]
    add_note, add_task = rng.random() < 0.5, position < WON and rng.random() < 0.6
    moments = _moments(rng, created, now, len(path) + add_note + add_task)
    for stage, moment in zip(path, moments, strict=False):
        lost = rng.choice(LOST_REASONS) if stage.kind == "lost" else None
        with clock.at(moment):
            lead_service.move_stage(session, lead, stage.id, actor_id=owner, lost_reason=lost)
    extra = iter(moments[len(path) :])
    if add_note:
        with clock.at(next(extra)):
            work.add_note(session, actor, lead, rng.choice(NOTES))
    if add_task:
        due = now + timedelta(days=rng.randint(-3, 10), hours=rng.randint(0, 8))
        with clock.at(next(extra)):
            work.add_task(session, actor, lead, title=rng.choice(TASKS), due_at=due, assignee_id=owner)
        lead.next_follow_up_at = due
    lead.updated_at = moments[-1] if moments else created
    session.flush()
    return lead


def load_demo_leads(org_id: uuid.UUID, seller_ids: list[uuid.UUID]) -> int:
    """Create the demo pipeline's leads unless they exist; returns how many were created."""
    if _existing_demo_leads(org_id) >= DEMO_LEADS:
        return 0
    rng = random.Random(2026)
    index = 0
    with unit_of_work(org_id=org_id, user_id=seller_ids[0]) as session:
        clock = _Clock(session)
        stages = list(pipelines.ensure_default_pipeline(session).stages)
        for position, count in enumerate(STAGE_COUNTS):
            for _ in range(count):
                owner = seller_ids[index % len(seller_ids)]
                actor = Principal(org_id=org_id, role=Role.MEMBER, kind="session", user_id=owner)
                _lead_story(rng, clock, _lead_input(rng, index, owner), actor, stages, position)
                index += 1
    return index
