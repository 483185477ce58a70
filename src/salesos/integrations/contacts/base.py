"""Contacts found for a prospect (on its site, by Hunter, by pattern) and the finder interface."""

from __future__ import annotations

import abc
import dataclasses
import re
from dataclasses import dataclass
from typing import Any

from salesos.integrations.verify.checks import is_role_address
from salesos.leads.normalize import normalize_email

# Titles of people who can say yes to a purchase at a small business. Matched as whole words,
# case-insensitively; a small dental practice's dentist is usually its owner, hence dentist/DDS/DMD.
DECISION_MAKER_TITLES = (
    "owner", "co-owner", "proprietor", "founder", "co-founder", "cofounder", "president", "ceo",
    "chief executive", "chief operating", "coo", "chief", "principal", "managing director",
    "managing partner", "partner", "director", "general manager", "practice manager", "office manager",
    "practice administrator", "dentist", "dds", "dmd",
)  # fmt: skip
# Words that turn any of the above into someone who reports to the decision-maker
# ("Assistant to the Owner", "Associate Dentist", "Executive Assistant to the CEO").
NOT_DECISION_MAKER = ("assistant", "associate", "intern", "receptionist", "apprentice")

_DECISION_MAKER = re.compile(
    r"(?<![\w-])(?:" + "|".join(re.escape(t) for t in DECISION_MAKER_TITLES) + r")(?![\w-])", re.I
)
_NOT_DECISION_MAKER = re.compile(r"\b(?:" + "|".join(NOT_DECISION_MAKER) + r")\b", re.I)


def is_decision_maker(title: str | None) -> bool:
    """True when *title* names someone who decides (see DECISION_MAKER_TITLES / NOT_DECISION_MAKER)."""
    if not title:
        return False
    return bool(_DECISION_MAKER.search(title)) and not _NOT_DECISION_MAKER.search(title)


@dataclass(frozen=True)
class FoundContact:
    """A person or mailbox at a prospect; ``email`` is None when only a name/title was found."""

    email: str | None
    name: str | None = None
    first_name: str | None = None
    last_name: str | None = None
    title: str | None = None
    source: str = "site"  # "site" | "hunter" | "pattern"
    source_url: str | None = None
    confidence: int | None = None
    role_address: bool = False
    decision_maker: bool = False

    @classmethod
    def build(
        cls,
        email: str | None,
        *,
        name: str | None = None,
        first_name: str | None = None,
        last_name: str | None = None,
        title: str | None = None,
        source: str = "site",
        source_url: str | None = None,
        confidence: int | None = None,
        executive: bool = False,
        generic: bool = False,
    ) -> FoundContact:
        """A contact with the email normalised and the role / decision-maker flags derived; *executive* and
        *generic* are a provider's own verdicts (Hunter's seniority and type)."""
        address = normalize_email(email) if email else None
        if not name and (first_name or last_name):
            name = " ".join(part for part in (first_name, last_name) if part)
        return cls(
            email=address,
            name=name or None,
            first_name=first_name or None,
            last_name=last_name or None,
            title=title or None,
            source=source,
            source_url=source_url,
            confidence=confidence,
            role_address=bool(address) and (generic or is_role_address(address or "")),
            decision_maker=executive or is_decision_maker(title),
        )

    def with_email(self, email: str) -> FoundContact:
        """This contact with *email* attached (and its role flag recomputed)."""
        return dataclasses.replace(self, email=email, role_address=is_role_address(email))

    def as_dict(self) -> dict[str, Any]:
        """A JSON-able dict, for storing on the prospect."""
        return dataclasses.asdict(self)


class ContactFinder(abc.ABC):
    """A service that lists the people and mailboxes of a company's domain."""

    name: str

    @abc.abstractmethod
    def find(self, domain: str) -> list[FoundContact]:
        """Contacts at *domain*; raises ``ProviderError(permanent=bool)`` when the service fails."""
