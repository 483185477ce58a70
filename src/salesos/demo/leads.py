"""Demo leads: local businesses across the pipeline, with stage history, notes and tasks.

Generated from a fixed seed, so every demo looks the same; all fictional (phone numbers in the
555-01xx range, example.com-style domains).
"""

from __future__ import annotations

import random
import uuid
from datetime import timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy.orm import Session

from salesos.auth.principal import Principal
from salesos.db.base import utcnow
from salesos.db.session import unit_of_work
from salesos.leads.models import Lead
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


def _work_the_lead(
    session: Session, rng: random.Random, lead: Lead, actor: Principal, stages: list[Any], position: int
) -> None:
    """Walk the pipeline the way a real lead did, so each demo lead has a history, notes and a task."""
    owner = actor.user_id
    path = stages[1 : position + 1] if position < LOST else [stages[1], stages[LOST]]
    for stage in path:
        lost = rng.choice(LOST_REASONS) if stage.kind == "lost" else None
        lead_service.move_stage(session, lead, stage.id, actor_id=owner, lost_reason=lost)
    if rng.random() < 0.5:
        work.add_note(session, actor, lead, rng.choice(NOTES))
    now = utcnow()
    if position < WON and rng.random() < 0.6:
        due = now + timedelta(days=rng.randint(-3, 10), hours=rng.randint(0, 8))
        work.add_task(session, actor, lead, title=rng.choice(TASKS), due_at=due, assignee_id=owner)
        lead.next_follow_up_at = due
    lead.created_at = now - timedelta(days=rng.randint(position * 5, 20 + position * 12))


def load_demo_leads(org_id: uuid.UUID, seller_ids: list[uuid.UUID]) -> int:
    """Create the demo pipeline's leads unless they exist; returns how many were created."""
    if _existing_demo_leads(org_id) >= DEMO_LEADS:
        return 0
    rng = random.Random(2026)
    index = 0
    with unit_of_work(org_id=org_id, user_id=seller_ids[0]) as session:
        stages = list(pipelines.ensure_default_pipeline(session).stages)
        for position, count in enumerate(STAGE_COUNTS):
            for _ in range(count):
                owner = seller_ids[index % len(seller_ids)]
                actor = Principal(org_id=org_id, role=Role.MEMBER, kind="session", user_id=owner)
                lead = lead_service.create_lead(session, actor, _lead_input(rng, index, owner))
                _work_the_lead(session, rng, lead, actor, stages, position)
                index += 1
    return index
