"""Names, job titles and guessed addresses: the text rules behind site extraction and email matching."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from salesos.integrations.verify.patterns import candidate_addresses

# Words a job title contains; a text next to a name counts as its title only when it has one of these.
TITLE_WORDS = (
    "owner", "co-owner", "proprietor", "founder", "co-founder", "cofounder", "president", "ceo", "coo",
    "cfo", "cto", "cmo", "chief", "principal", "partner", "director", "manager", "administrator",
    "supervisor", "lead", "head", "officer", "executive", "vp", "chair", "chairman", "secretary",
    "treasurer", "coordinator", "assistant", "associate", "receptionist", "hygienist", "dentist",
    "orthodontist", "periodontist", "surgeon", "physician", "doctor", "veterinarian", "nurse",
    "practitioner", "therapist", "chiropractor", "optometrist", "pharmacist", "technician", "stylist",
    "colorist", "barber", "esthetician", "aesthetician", "artist", "chef", "sommelier", "specialist",
    "consultant", "advisor", "adviser", "planner", "agent", "broker", "realtor", "accountant",
    "bookkeeper", "attorney", "lawyer", "paralegal", "counsel", "solicitor", "engineer", "architect",
    "designer", "developer", "electrician", "plumber", "mechanic", "installer", "inspector",
    "estimator", "foreman", "operator", "apprentice", "journeyman", "trainer", "instructor", "coach",
    "teacher",
    "representative", "rep", "sales", "marketing", "operations", "dds", "dmd", "md", "dvm", "rdh",
    "rn", "cpa", "esq", "phd",
)  # fmt: skip
# Post-nominal letters written after a name ("Jane Smith, DDS, MS").
CREDENTIALS = frozenset(
    {
        "dds", "dmd", "md", "do", "dvm", "vmd", "rdh", "rda", "cda", "rn", "np", "pa", "pa-c", "lpn",
        "cpa", "esq", "phd", "mba", "jd", "dc", "od", "pt", "dpt", "lmt", "ms", "msc", "ma", "bsc",
        "lcsw", "cfp", "pe", "ra", "aia", "mfa",
    }
)  # fmt: skip
# Words that never appear in a person's name but often in headings and nav items shaped like one.
STOP_WORDS = frozenset(
    {
        "our", "the", "team", "meet", "staff", "people", "about", "us", "contact", "home", "services",
        "service", "book", "booking", "call", "get", "touch", "hours", "opening", "location",
        "locations", "welcome", "family", "new", "patients", "patient", "and", "of", "for", "with",
        "to", "at", "a", "an", "in", "on", "we", "you", "your", "why", "what", "how", "who", "more",
        "read", "learn", "view", "all", "blog", "news", "faq", "reviews", "review", "gallery",
        "careers", "privacy", "policy", "terms", "menu", "shop", "cart", "login", "sign", "free",
        "today", "now", "appointment", "appointments", "request", "schedule", "emergency", "areas",
        "area", "values", "mission", "story", "history", "quality", "commitment", "experience",
        "testimonials", "dental", "dentistry", "clinic", "care", "health", "law", "firm", "group",
        "company", "inc", "llc", "ltd", "co", "center", "centre", "plumbing", "heating", "cooling",
        "salon", "spa", "cafe", "coffee", "restaurant", "fresh", "daily", "private", "events",
        "catering", "office", "practice", "general", "front", "desk", "hello", "info", "email",
        "phone", "address", "directions", "map", "lorem", "ipsum", "insurance", "financing", "pricing",
        "specials", "offers", "hiring", "join", "here", "click", "send", "message", "questions",
    }
)  # fmt: skip
# Words of a sentence about someone ("Sam is our hygienist."), never of a job title.
SENTENCE_WORDS = frozenset(
    {
        "is", "are", "was", "were", "be", "has", "have", "had", "will", "can", "our", "we", "you", "your",
        "i", "my", "me", "he", "she", "they", "his", "her", "their", "him", "them", "loves", "joined",
        "since", "years", "please",
    }
)  # fmt: skip
HONORIFICS = re.compile(r"^(?:dr|mr|mrs|ms|miss|mx|prof|dra)\.?\s+", re.I)
GENERATIONAL = frozenset({"jr", "sr", "ii", "iii", "iv"})
PARTICLES = frozenset({"van", "von", "de", "der", "den", "da", "del", "della", "di", "du", "la", "le"})
# "Name — Title", "Name | Title", "Name - Title" (a hyphen only with spaces: "Co-Owner" stays whole).
NAME_TITLE_SEPARATOR = re.compile(r"\s*[\u2014\u2013|\u2022:]\s*|\s+-\s+")
# Whole words only: "co-owner" is a title, "Manager's Special" (a possessive) is not.
_TITLE = re.compile(
    r"(?<![\w-])(?:" + "|".join(re.escape(w) for w in TITLE_WORDS) + r")(?![\w'\u2019-])", re.I
)


@dataclass(frozen=True)
class PersonName:
    """A parsed personal name."""

    full: str
    first: str
    last: str


def _bare(token: str) -> str:
    return token.strip(".,'\u2019").lower()


def _name_token(token: str, *, middle: bool) -> bool:
    letters = re.sub(r"['\u2019.\-]", "", token)
    if not letters.isalpha() or not token[0].isupper():
        return middle and token in PARTICLES
    if len(letters) == 1:
        return middle  # a middle initial; "J. Smith" and "Mary J." are too thin to call a name
    return True


def parse_name(text: str) -> PersonName | None:
    """The name in *text* ("Dr. Jane Smith", "KAREN O'NEIL"), or None when it does not read as one."""
    text = " ".join(text.split()).strip(" ,")
    if not text or len(text) > 40:
        return None
    text = HONORIFICS.sub("", text)
    tokens = text.split(" ")
    while len(tokens) > 2 and _bare(tokens[-1]) in GENERATIONAL | CREDENTIALS:
        tokens.pop()
    if not 2 <= len(tokens) <= 4:
        return None
    if any(_bare(t) in STOP_WORDS or _TITLE.fullmatch(_bare(t)) for t in tokens):
        return None
    if text.isupper():
        tokens = [t.title() for t in tokens]
    last_index = len(tokens) - 1
    if not all(_name_token(t, middle=0 < i < last_index) for i, t in enumerate(tokens)):
        return None
    start = last_index
    while start > 1 and tokens[start - 1] in PARTICLES:
        start -= 1
    return PersonName(" ".join(tokens), tokens[0], " ".join(tokens[start:]))


def is_title(text: str) -> bool:
    """True when *text* reads as a job title: short, no sentence, contains a title word."""
    text = text.strip()
    if not text or len(text) > 70 or len(text.split()) > 8:
        return False
    if re.search(r"[@?!\d]|https?:", text) or re.search(r"\.\s+\w", text):
        return False
    words = text.lower().split()
    if any(w.strip(",.;:") in SENTENCE_WORDS for w in words) or (text.endswith(".") and len(words) > 3):
        return False
    return bool(_TITLE.search(text))


def credentials_only(title: str | None) -> bool:
    """True for a "title" that is only post-nominal letters ("DDS, MS"): a real title should replace it."""
    return bool(title) and all(_bare(p) in CREDENTIALS for p in (title or "").split(","))


def _clean_title(text: str) -> str:
    return " ".join(text.split()).strip(" ,;:.()\u2014\u2013-|")


def split_name_title(text: str) -> tuple[PersonName, str | None] | None:
    """A name and its title from one line ("Dr. Jane Smith, DDS — Owner"); credentials stand in for a
    missing title; None when the line does not start with a name."""
    text = " ".join(text.split())
    parts = NAME_TITLE_SEPARATOR.split(text, maxsplit=1)
    head, title = parts[0], (parts[1] if len(parts) > 1 else "")
    pieces = [p.strip() for p in head.split(",")]
    name = parse_name(pieces[0])
    if name is None:
        return None
    rest = [p for p in pieces[1:] if p]
    credentials = [p for p in rest if _bare(p) in CREDENTIALS]
    extra = [p for p in rest if _bare(p) not in CREDENTIALS]
    title = _clean_title(title) or _clean_title(", ".join(extra))
    if title and not is_title(title):
        return None
    if not title and credentials:
        title = ", ".join(credentials)
    return name, title or None


def pattern_candidates(first: str, last: str, domain: str) -> list[str]:
    """Guessed addresses for a person (first.last@, first@, firstlast@, flast@, ..., most likely first).

    Guesses are never kept on their own: the caller keeps one ONLY when an email verifier says it is
    valid (``salesos.integrations.verify.patterns.first_verified`` stops at catch-all domains).
    """
    return candidate_addresses(first, last, domain)


def _ascii_word(text: str) -> str:
    folded = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z]", "", folded.lower())


def local_part_matches(local: str, first: str, last: str) -> bool:
    """True when an address's local part is built from this name (jane@, jane.smith@, jsmith@ ...)."""
    f, surname = _ascii_word(first), _ascii_word(last)
    local = local.lower().split("+", 1)[0]
    if not f:
        return False
    shapes = {f}
    if surname:
        for sep in ("", ".", "_", "-"):
            shapes |= {f"{f}{sep}{surname}", f"{f[0]}{sep}{surname}", f"{surname}{sep}{f}"}
            shapes |= {f"{f}{sep}{surname[0]}", f"{surname}{sep}{f[0]}"}
        shapes.add(surname)
    return local in shapes
