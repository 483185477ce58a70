"""P2 bench data: two orgs' accounts through the services, then leads, companies and contacts bulk-loaded.

Org A's leads are spread evenly through the noise org's in time (UUIDv7-shaped ids from a shared
counter), over the default pipeline's stages, owners, tags, values, currencies, tiers and sources.
"""

from __future__ import annotations

import contextlib
import json
import random
import secrets
import sqlite3
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal
from pathlib import Path

MEMBERS = 10  # org A's members, owners of its leads
TAGS = ("hot", "cold", "web", "referral", "event", "vip", "partner", "csv")
CURRENCIES = ("USD",) * 9 + ("EUR",)
SOURCES = ("csv", "api", "intake", "manual", None)
TIERS = ("A", "B", "C", None)
# Stage shares (of 20): most leads are early in the funnel.
STAGE_WEIGHTS = (8, 5, 3, 2, 1, 1)
NOISE_PER_COMPANY = 10  # noise leads share companies and contacts, 10 to one


# --------------------------------------------------------------------------- ids and rows


class Ids:
    """UUIDv7-shaped ids whose time part follows a row counter: org A and noise rows interleave in time."""

    def __init__(self, start: datetime, step_us: int, seed: int) -> None:
        self.start_ms = int(start.timestamp() * 1000)
        self.start = start
        self.step_us = step_us
        self.rng = random.Random(seed)

    def at(self, n: int) -> tuple[uuid.UUID, datetime]:
        """The id and creation time of the *n*-th row of the shared timeline."""
        us = n * self.step_us
        ms = self.start_ms + us // 1000
        value = (ms & 0xFFFF_FFFF_FFFF) << 80 | 0x7 << 76 | (n & 0xFFF) << 64 | 0b10 << 62
        value |= self.rng.getrandbits(62)
        return uuid.UUID(int=value), self.start + timedelta(microseconds=us)


@dataclass
class Org:
    """What the generator needs to know about one seeded organisation."""

    id: uuid.UUID
    pipeline_id: uuid.UUID
    stage_ids: list[uuid.UUID]
    member_ids: list[uuid.UUID]
    stage_cycle: list[int] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.stage_cycle = [i for i, w in enumerate(STAGE_WEIGHTS) for _ in range(w)]


COMPANY_COLUMNS = ("id", "org_id", "name", "domain", "city", "country", "tags", "created_at", "updated_at")
CONTACT_COLUMNS = (
    "id",
    "org_id",
    "company_id",
    "first_name",
    "last_name",
    "full_name",
    "email",
    "email_key",
    "phone",
    "is_primary",
    "is_decision_maker",
    "email_consent",
    "do_not_contact",
    "created_at",
    "updated_at",
)
LEAD_COLUMNS = (
    "id",
    "org_id",
    "company_id",
    "primary_contact_id",
    "pipeline_id",
    "stage_id",
    "owner_id",
    "value",
    "currency",
    "source",
    "tags",
    "score",
    "tier",
    "next_follow_up_at",
    "custom_fields",
    "created_at",
    "updated_at",
)


TERM_COLUMNS = ("org_id", "term", "lead_id")


def generate(
    a: Org, noise: Org, leads: int, noise_leads: int, start: datetime
) -> Iterator[tuple[str, tuple]]:
    """(table, row) in id order: org A's leads spread evenly through the noise org's, each lead followed
    by its search terms (what the app's session hook or import writes with a lead)."""
    from salesos.leads.search import lead_terms

    total = leads + noise_leads
    ids = Ids(start, step_us=max(1, int(365 * 86400 * 1_000_000 / total)), seed=7)
    every = max(1, total // max(1, leads))  # one org-A lead every *every* rows
    made_a = made_noise = 0
    company = contact = None
    names: tuple[str, str, str] = ("", "", "")
    for n in range(total):
        is_a = made_a < leads and (n % every == 0 or made_noise >= noise_leads)
        org = a if is_a else noise
        index = made_a if is_a else made_noise
        row_id, at = ids.at(n)
        if is_a or index % NOISE_PER_COMPANY == 0:
            company = uuid.UUID(int=row_id.int ^ 1)
            contact = uuid.UUID(int=row_id.int ^ 2)
            prefix = "Alpha" if is_a else "Noise"
            name = f"{prefix} {('Acme', 'Globex', 'Initech', 'Umbrella', 'Hooli')[index % 5]} {index}"
            yield (
                "companies",
                (company, org.id, name, f"c{index}.{prefix.lower()}.example", "Lyon", "FR", "[]", at, at),
            )
            first, last = ("Pat", "Kim", "Sam", "Alex")[index % 4], f"Person{index}"
            email = f"{first.lower()}.{index}@{prefix.lower()}.example"
            names = (name, f"{first} {last}", email)
            yield (
                "contacts",
                (
                    contact,
                    org.id,
                    company,
                    first,
                    last,
                    f"{first} {last}",
                    email,
                    email,  # its key: no "+tag"
                    None,
                    True,
                    False,
                    False,
                    False,
                    at,
                    at,
                ),
            )
        tags = json.dumps([TAGS[(index + k * 3) % len(TAGS)] for k in range(index % 3)])
        value = Decimal((index * 37) % 50_000) if index % 7 else None
        yield (
            "leads",
            (
                row_id,
                org.id,
                company,
                contact,
                org.pipeline_id,
                org.stage_ids[org.stage_cycle[index % len(org.stage_cycle)]],
                org.member_ids[index % len(org.member_ids)] if index % 9 else None,
                value,
                CURRENCIES[index % len(CURRENCIES)],
                SOURCES[index % len(SOURCES)],
                tags,
                index % 100,
                TIERS[index % len(TIERS)],
                at + timedelta(days=3) if index % 4 == 0 else None,
                "{}",
                at,
                at,
            ),
        )
        for term in lead_terms(*names, json.loads(tags)):
            yield "lead_search_terms", (org.id, term, row_id)
        if is_a:
            made_a += 1
        else:
            made_noise += 1


# --------------------------------------------------------------------------- seeding


@dataclass
class Seeded:
    a: Org
    noise: Org
    cookie: str
    token: str


def seed_accounts() -> Seeded:
    """Users, both orgs, their default pipelines; org A's owner's browser session and access token."""
    from salesos.auth.models import User
    from salesos.auth.repository import UserRepository
    from salesos.auth.security import hash_password
    from salesos.auth.service import accounts, credentials
    from salesos.db.session import set_tenant, unit_of_work
    from salesos.leads.service.pipelines import ensure_default_pipeline
    from salesos.orgs.models import Membership, Role
    from salesos.orgs.repository import MembershipRepository

    shared_hash = hash_password(secrets.token_urlsafe(16))
    orgs: list[Org] = []
    with unit_of_work() as session:
        users = UserRepository(session)
        owner = users.add(User(email="owner@alpha.bench", name="Olivia Owner", password_hash=shared_hash))
        org_a = accounts.create_organization(session, "Bench Alpha", owner)
        noise_owner = users.add(User(email="owner@noise.bench", name="Noah Noise", password_hash=shared_hash))
        org_noise = accounts.create_organization(session, "Bench Noise", noise_owner)
        for org, head, domain in ((org_a, owner, "alpha"), (org_noise, noise_owner, "noise")):
            set_tenant(session, org.id, head.id)
            member_ids = [head.id]
            for i in range(1, MEMBERS):
                user = users.add(
                    User(
                        email=f"m{i}@{domain}.bench",
                        name=f"{domain.title()} Member {i}",
                        password_hash=shared_hash,
                    )
                )
                MembershipRepository(session).add(Membership(user_id=user.id, role=Role.MEMBER.value))
                member_ids.append(user.id)
            pipeline = ensure_default_pipeline(session)
            orgs.append(Org(org.id, pipeline.id, [s.id for s in pipeline.stages], member_ids))
        set_tenant(session, org_a.id, owner.id)
        cookie = credentials.start_web_session(session, owner, org_a.id, "board-bench")
        token = credentials.issue_token_pair(session, owner.id, org_a.id).access_token
    return Seeded(orgs[0], orgs[1], cookie, token)


def load_rows(
    make_rows: Callable[[], Iterator[tuple[str, tuple]]], sqlite_path: Path | None, pg_dsn: str | None
) -> dict[str, int]:
    """Bulk-insert the generated rows; row counts per table."""
    columns = {
        "companies": COMPANY_COLUMNS,
        "contacts": CONTACT_COLUMNS,
        "leads": LEAD_COLUMNS,
        "lead_search_terms": TERM_COLUMNS,
    }
    counts = dict.fromkeys(columns, 0)
    if pg_dsn is not None:
        import psycopg

        # As the superuser: FORCE ROW LEVEL SECURITY applies to the owner too, and COPY has no tenant.
        # One connection per table, so one pass of the generator feeds four COPYs at once, with
        # foreign-key triggers off (session_replication_role): the generator makes consistent rows.
        with contextlib.ExitStack() as connections:
            conns = []
            with contextlib.ExitStack() as copying:  # every COPY ends here, before the commits
                copies = {}
                for table, cols in columns.items():
                    conn = connections.enter_context(psycopg.connect(pg_dsn))
                    conn.execute("SET session_replication_role = replica")
                    conns.append(conn)
                    copy_sql = f"COPY {table} ({', '.join(cols)}) FROM STDIN"
                    copies[table] = copying.enter_context(conn.cursor().copy(copy_sql))
                for table, row in make_rows():
                    copies[table].write_row(row)
                    counts[table] += 1
            for conn in conns:
                conn.commit()
        with psycopg.connect(pg_dsn, autocommit=True) as conn:
            for table in columns:
                conn.execute(f"VACUUM ANALYZE {table}")
        return counts
    assert sqlite_path is not None
    db = sqlite3.connect(sqlite_path, isolation_level=None)
    db.execute("PRAGMA foreign_keys=OFF")  # rows arrive in time order, companies before their leads
    batches: dict[str, list[tuple]] = {t: [] for t in columns}

    def to_sqlite(row: tuple) -> tuple:
        return tuple(
            v.hex
            if isinstance(v, uuid.UUID)
            else v.strftime("%Y-%m-%d %H:%M:%S.%f")
            if isinstance(v, datetime)
            else float(v)
            if isinstance(v, Decimal)
            else v
            for v in row
        )

    def flush(table: str) -> None:
        cols = columns[table]
        sql = f"INSERT INTO {table} ({', '.join(cols)}) VALUES ({', '.join('?' * len(cols))})"
        db.executemany(sql, batches[table])
        batches[table].clear()

    db.execute("BEGIN")
    for table, row in make_rows():
        batches[table].append(to_sqlite(row))
        counts[table] += 1
        if len(batches[table]) >= 10_000:
            flush(table)
    for table in columns:
        flush(table)
    db.execute("COMMIT")
    db.execute("ANALYZE")
    db.close()
    return counts
