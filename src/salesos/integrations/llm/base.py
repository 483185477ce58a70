"""The LLM provider interface: audit facts in, a grounded analysis out (summary, pain points, hooks).

``facts`` is a JSON-able dict whose fact groups carry the URL they were read from, e.g.::

    {"company": {"name": "Bright Smiles", "category": "dentist", "city": "Austin", "source_url": "..."},
     "website": {"source_url": "http://brightsmiles.example/", "reachable": True, "https": False,
                 "cert_valid": None, "cert_days_left": None, "mobile_viewport": False, "response_ms": 3400,
                 "page_bytes": 4200000, "title": "...", "description": "", "tech": ["WordPress"],
                 "copyright_year": 2016, "analytics": False, "booking": False, "social": {"facebook": "..."}},
     "reviews": {"source_url": "...", "rating": 4.8, "count": 230}}

Every pain point and hook names one of those URLs: nothing reaches an email that can't be traced back.
"""

from __future__ import annotations

import abc
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

URL_KEYS = frozenset({"source_url", "url", "final_url"})


@dataclass(frozen=True)
class Finding:
    """One statement about the business and the page it is based on."""

    text: str
    source_url: str


@dataclass(frozen=True)
class Analysis:
    """What the writer needs to personalise outreach: who they are, what hurts, what to open with."""

    summary: str
    pain_points: list[Finding] = field(default_factory=list)
    hooks: list[Finding] = field(default_factory=list)
    provider: str = ""


def _urls(value: Any) -> Iterator[str]:
    if isinstance(value, dict):
        for key, item in value.items():
            if isinstance(item, str) and (key in URL_KEYS or item.startswith(("http://", "https://"))):
                yield item
            else:
                yield from _urls(item)
    elif isinstance(value, list):
        for item in value:
            yield from _urls(item)


def fact_urls(facts: dict[str, Any]) -> set[str]:
    """Every URL the facts were read from: the only sources a finding may cite."""
    return set(_urls(facts))


class LLMProvider(abc.ABC):
    """Analyses a business from its facts; raises ``ProviderError`` (permanent or not) on failure."""

    name: str

    @abc.abstractmethod
    def analyse(self, facts: dict[str, Any]) -> Analysis:
        """A summary, pain points and hooks, each grounded in *facts* and citing its source URL."""
