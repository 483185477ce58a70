"""Fuzzy duplicate finding: leads whose company names are alike in the same city become merge suggestions.

Exact matches (email, phone, domain) are merged automatically on intake and import; names are too
unreliable for that ("Smile Dental" and "Smiles Dental" may be two practices), so a person decides.
"""

from __future__ import annotations

import re
import unicodedata
import uuid
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta

from rapidfuzz import fuzz, process
from rapidfuzz.utils import default_process
from sqlalchemy.orm import Session

from salesos.db.base import utcnow
from salesos.db.session import current_tenant, unit_of_work
from salesos.jobs import enqueue
from salesos.leads.merge_repository import MergeCandidateRepository, MergeSuggestionRepository

# Similarity (0-100) of the cleaned names: 90 catches "Joe's Pizza" / "Joes Pizza Co", "Brightsmile Dental"
# / "Bright Smile Dental" and one-letter typos, and keeps "Austin Dental" away from "Austin Dentistry".
MATCH_THRESHOLD = 90
# Words that say nothing about which business it is.
NAME_NOISE = frozenset(
    {"the", "a", "an", "and", "of", "inc", "incorporated", "llc", "ltd", "limited", "co", "corp"}
    | {"corporation", "company", "gmbh", "plc", "pty", "sa", "srl"}
)
# Above this many leads in one city, compare within the same first letter only: quadratic work on a
# 100,000-lead city would take minutes, and a differing first letter is rarely a typo of the same name.
FULL_BLOCK_LIMIT = 5_000
# One scan never writes more than this; the next scan continues.
MAX_NEW_PER_SCAN = 5_000
_DIGITS = re.compile(r"\d+")
# New leads are collected for this long before one scan covers them all.
SCAN_DEBOUNCE = timedelta(seconds=60)


def _ascii(text: str) -> str:
    return unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()


def name_key(name: str) -> str:
    """A company name reduced to the words that identify it: case, accents, punctuation, legal suffixes go."""
    cleaned = default_process(_ascii(name.replace("'", "").replace("\u2019", "")))
    words = [w for w in cleaned.split() if w not in NAME_NOISE]
    return " ".join(words) or cleaned


def city_key(city: str) -> str:
    """A city compared loosely: "St. Louis", "st louis" and " ST LOUIS " are one place."""
    return " ".join(default_process(_ascii(city)).split())


@dataclass(frozen=True)
class Candidate:
    lead_id: uuid.UUID
    company_id: uuid.UUID
    name: str
    key: str
    city: str
    created_at: datetime


@dataclass(frozen=True)
class Match:
    lead_id: uuid.UUID
    other_lead_id: uuid.UUID
    score: int
    reason: str


def number_key(key: str) -> str:
    """The numbers in a name, in order: "Bulk Co 1504" and "Bulk Co 15804" are two businesses.

    Numbers in a business name are branch, store or suite numbers, not typing noise, so names are only
    compared with names holding the same numbers ("7-Eleven" still meets "7 Eleven").
    """
    return " ".join(_DIGITS.findall(key))


def _blocks(candidates: Iterable[Candidate]) -> Iterator[list[Candidate]]:
    by_city: dict[tuple[str, str], list[Candidate]] = defaultdict(list)
    for candidate in candidates:
        by_city[city_key(candidate.city), number_key(candidate.key)].append(candidate)
    for block in by_city.values():
        if len(block) <= FULL_BLOCK_LIMIT:
            yield block
            continue
        by_letter: dict[str, list[Candidate]] = defaultdict(list)
        for candidate in block:
            by_letter[candidate.key[:1]].append(candidate)
        yield from by_letter.values()


def _alike(query: Candidate, block: list[Candidate], keys: list[str], compact: list[str]) -> dict[int, int]:
    """Index in *block* → score of every name alike *query*'s, by word order or by spacing."""
    found: dict[int, int] = {}
    # Word order: "Pizza Joe's" / "Joe's Pizza". Spacing: "Brightsmile" / "Bright Smile".
    for scorer, choices, key in (
        (fuzz.token_sort_ratio, keys, query.key),
        (fuzz.ratio, compact, query.key.replace(" ", "")),
    ):
        for _choice, score, index in process.extract(
            key, choices, scorer=scorer, score_cutoff=MATCH_THRESHOLD, limit=None
        ):
            found[index] = max(found.get(index, 0), int(score))
    return found


def find_matches(candidates: list[Candidate], since: datetime | None = None) -> list[Match]:
    """Pairs of alike names in one city; with *since*, only pairs where one lead is that new or newer."""
    matches: list[Match] = []
    for block in _blocks(candidates):
        queries = [c for c in block if since is None or c.created_at >= since]
        if not queries or len(block) < 2:
            continue
        query_ids = {q.lead_id for q in queries}
        keys = [c.key for c in block]
        compact = [k.replace(" ", "") for k in keys]
        for a in queries:
            for index, score in _alike(a, block, keys, compact).items():
                b = block[index]
                # Two deals with one company are not duplicates; each pair is reported once.
                if a.company_id == b.company_id or (a.lead_id > b.lead_id and b.lead_id in query_ids):
                    continue
                first, second = sorted((a, b), key=lambda c: c.lead_id)
                reason = f"Similar names in {first.city}: “{first.name}” and “{second.name}”"
                matches.append(Match(first.lead_id, second.lead_id, score, reason[:300]))
    return matches


def scan(session: Session, since: datetime | None = None) -> int:
    """Store new merge suggestions for the org (all leads, or those created since *since*); how many.

    The reading and the matching (seconds on a large org) run in a read-only session of their own, so
    *session* writes only at the end: on SQLite a write session holds the database's one write lock
    from its first statement, and every sign-in, edit and intake post would wait on the scan. A pair a
    concurrent scan stores meanwhile is skipped by the insert.
    """
    with unit_of_work(write=False, org_id=current_tenant(session)) as reader:
        rows = MergeCandidateRepository(reader).named_in_cities()
        known = MergeSuggestionRepository(reader).known_pairs()
    candidates = [
        Candidate(r.id, r.company_id, r.name, name_key(r.name), r.city.strip(), r.created_at)
        for r in rows
        if r.city.strip()
    ]
    fresh = [m for m in find_matches(candidates, since) if (m.lead_id, m.other_lead_id) not in known]
    fresh.sort(key=lambda m: -m.score)
    return MergeSuggestionRepository(session).add_many(
        [
            {"lead_id": m.lead_id, "other_lead_id": m.other_lead_id, "score": m.score, "reason": m.reason}
            for m in fresh[:MAX_NEW_PER_SCAN]
        ]
    )


def schedule_scan(session: Session, org_id: uuid.UUID, *, everything: bool = False) -> bool:
    """Look for duplicates of leads created now (or of all leads), once a minute per org at most."""
    now = utcnow()
    window = int(SCAN_DEBOUNCE.total_seconds())
    bucket = int(now.timestamp()) // window
    # Runs a little after the window closes, covering everything created in it (and a margin before).
    run_at = datetime.fromtimestamp((bucket + 1) * window + 5, tz=now.tzinfo)
    since = datetime.fromtimestamp(bucket * window - window, tz=now.tzinfo)
    if everything:
        # Asked for by a person: runs now, and a second click within the minute adds nothing.
        key = f"leads.find_duplicates:{org_id}:all:{bucket}"
        return enqueue(session, "leads.find_duplicates", dedup_key=key, org_id=org_id) is not None
    key = f"leads.find_duplicates:{org_id}:{bucket}"
    job = enqueue(
        session, "leads.find_duplicates", dedup_key=key, run_at=run_at, org_id=org_id, since=since.isoformat()
    )
    return job is not None
