"""Free-text search and the tag filter of leads, served by the ``lead_search_terms`` index.

A lead is found by the words of its company's name and of its primary contact's name and email, each
query word matching the start of one of them ("glob" finds "Globex Corp", "ann@" finds
"ann.lee@acme.example"), every query word required. Words are case- and accent-folded ("müller" and
"Muller" are the same word). This is how sales tools search, and unlike a substring ``LIKE`` it is an
index range that row-level security lets PostgreSQL use (see ``LeadSearchTerm``). A lead's tags are
terms too, "#" and the tag as given, so the tag filter is one exact index lookup: "#" never occurs in
a word, so a tag is never found by the free-text search and a word never passes for a tag.

The terms follow the data by themselves: a session hook recomputes them for every lead whose tags,
company name, primary contact, or primary contact's name or email a flush changed. A bulk writer (the
CSV import) writes them itself, inside ``written_by_caller``.
"""

from __future__ import annotations

import re
import unicodedata
import uuid
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import event, inspect
from sqlalchemy.orm import Session

from salesos.db.session import AppSession
from salesos.leads.models import Company, Contact, Lead
from salesos.leads.search_repository import SearchTermRepository

MAX_TERM_CHARS = 40  # a longer word is found by its first 40 characters (the column holds 64, for tags)
MAX_QUERY_WORDS = 8
# Letters and digits; underscores and punctuation separate words ("real_co" is "real" and "co").
_WORD = re.compile(r"[^\W_]+")
# Above every character a term can continue with: (word, word + this) is the range of its prefixes.
_ABOVE = "\U0010ffff"
PENDING_KEY = "search_terms_pending"
BY_CALLER_KEY = "search_terms_by_caller"


def words(text: str | None) -> list[str]:
    """The searchable words of *text*: case-folded, accents removed, at most 40 characters each."""
    if not text:
        return []
    folded = text.casefold()
    if not folded.isascii():
        decomposed = unicodedata.normalize("NFKD", folded)
        # Folded again: compatibility forms decompose to letters that still have a case (math bold A is A).
        folded = "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()
    return [word[:MAX_TERM_CHARS] for word in _WORD.findall(folded)]


TAG_MARK = "#"


def tag_term(tag: str) -> str:
    """The term of a lead's tag: exact, case and all."""
    return TAG_MARK + tag


def lead_terms(
    company_name: str | None, full_name: str | None, email: str | None, tags: Iterable[str] = ()
) -> set[str]:
    """Every term of a lead with this company name, primary contact and tags."""
    return {*words(company_name), *words(full_name), *words(email), *(tag_term(t) for t in tags)}


def prefix_ranges(query: str) -> list[tuple[str, str]]:
    """``[low, high)`` term bounds for each distinct word of *query* (empty: nothing searchable)."""
    distinct = list(dict.fromkeys(words(query)))[:MAX_QUERY_WORDS]
    return [(word, word + _ABOVE) for word in distinct]


# --------------------------------------------------------------------------- keeping the terms


def _changed(obj: Any, *names: str) -> bool:
    state = inspect(obj)
    return any(state.attrs[name].history.has_changes() for name in names)


@contextmanager
def written_by_caller(session: Session) -> Iterator[None]:
    """Within the block the hook leaves the terms alone: the caller writes them with its own rows.

    For the CSV import. Its lookups of a lead's terms would run on tables that grow faster than
    autovacuum analyses them, where PostgreSQL planned "this lead's terms" as a walk of all the org's
    terms (133,000 rows for 466 at 40,000 records), and its merges only ever add words and tags, so it
    inserts the merged leads' terms and skips the ones already there instead of replacing them.
    """
    previous = session.info.get(BY_CALLER_KEY, False)
    session.info[BY_CALLER_KEY] = True
    try:
        yield
    finally:
        session.info[BY_CALLER_KEY] = previous


def _before_flush(session: Session, _context: Any, _instances: Any) -> None:
    if session.info.get(BY_CALLER_KEY):
        return
    # A deleted contact's leads lose it by ON DELETE SET NULL, which the ORM never sees: find them now.
    gone = [obj.id for obj in session.deleted if isinstance(obj, Contact)]
    if gone:
        leads = SearchTermRepository(session).leads_with_contacts(gone)
        session.info.setdefault(PENDING_KEY, set()).update(leads)


def _after_flush(session: Session, _context: Any) -> None:
    if session.info.get(BY_CALLER_KEY):
        return
    lead_ids: set[uuid.UUID] = session.info.pop(PENDING_KEY, set())
    company_ids: set[uuid.UUID] = set()
    contact_ids: set[uuid.UUID] = set()
    for obj in session.new:
        if isinstance(obj, Lead):
            lead_ids.add(obj.id)
    for obj in session.dirty:
        if isinstance(obj, Lead) and _changed(obj, "company_id", "primary_contact_id", "tags"):
            lead_ids.add(obj.id)
        elif isinstance(obj, Company) and _changed(obj, "name"):
            company_ids.add(obj.id)
        elif isinstance(obj, Contact) and _changed(obj, "full_name", "email"):
            contact_ids.add(obj.id)
    if lead_ids or company_ids or contact_ids:
        refresh(session, lead_ids, company_ids, contact_ids)


def refresh(
    session: Session,
    lead_ids: Iterable[uuid.UUID] = (),
    company_ids: Iterable[uuid.UUID] = (),
    contact_ids: Iterable[uuid.UUID] = (),
) -> None:
    """Recompute the terms of these leads and of the leads of these companies and primary contacts."""
    repo = SearchTermRepository(session)
    locked = repo.lock_leads(set(lead_ids), set(company_ids), set(contact_ids))
    sources = repo.sources(locked)
    repo.replace({row.id: lead_terms(row.name, row.full_name, row.email, row.tags or ()) for row in sources})


event.listen(AppSession, "before_flush", _before_flush)
event.listen(AppSession, "after_flush", _after_flush)
