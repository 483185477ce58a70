"""Tech-stack detection from a signature table kept as data (signatures.json), Wappalyzer-style."""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from typing import Any

from selectolax.parser import HTMLParser


@dataclass(frozen=True)
class Detection:
    """One technology found on a page, with its version when a pattern captured one."""

    name: str
    category: str
    version: str | None = None


@dataclass(frozen=True)
class Pattern:
    """A case-insensitive regex and a literal it needs, checked first because ``in`` is far cheaper."""

    regex: re.Pattern[str]
    literal: str

    def search(self, text: str, lowered: str) -> tuple[bool, str | None]:
        """(matched, version captured if any) for *text*, whose lower-cased form is *lowered*."""
        if self.literal not in lowered:
            return False, None
        match = self.regex.search(text)
        if match is None:
            return False, None
        return True, next((g for g in match.groups() if g), None)


@dataclass(frozen=True)
class Signature:
    """How to recognise one technology."""

    name: str
    category: str
    html: tuple[Pattern, ...] = ()
    scripts: tuple[Pattern, ...] = ()
    meta: tuple[tuple[str, Pattern], ...] = ()
    headers: tuple[tuple[str, Pattern], ...] = ()
    cookies: tuple[Pattern, ...] = ()
    implies: tuple[str, ...] = ()
    # (evidence key, pattern) for every pattern above, in the order they are tried; derived once.
    checks: tuple[tuple[str, Pattern], ...] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        checks = (
            *(("html", p) for p in self.html),
            *(("scripts", p) for p in self.scripts),
            *(("meta:" + key, p) for key, p in self.meta),
            *(("header:" + key, p) for key, p in self.headers),
            *(("cookies", p) for p in self.cookies),
        )
        object.__setattr__(self, "checks", checks)


QUANTIFIERS = "?*{"
META = set("()[]{}|?*+^$.\\")


def required_literal(pattern: str) -> str:
    """A lower-cased substring every match of *pattern* must contain ("" when none can be proven).

    Only text outside groups and classes counts, and only when the pattern has no top-level "|"; a run
    followed by an optional quantifier loses its last character.
    """
    runs: list[str] = []
    run: list[str] = []
    depth = 0
    i = 0
    while i < len(pattern):
        char = pattern[i]
        if char == "\\" and i + 1 < len(pattern):
            escaped = pattern[i + 1]
            if depth == 0 and (escaped in META or escaped in "/-"):
                run.append(escaped)
            else:
                runs.append("".join(run))
                run = []
            i += 2
            continue
        if char == "{" and depth == 0:
            # A counted repeat: its minimum may be 0, so the repeated character is not required.
            if run:
                run.pop()
            runs.append("".join(run))
            run = []
            i = pattern.find("}", i) + 1 or len(pattern)
            continue
        if char in "([":
            depth += 1
        elif char in ")]":
            depth -= 1
        elif char == "|" and depth == 0:
            return ""
        if depth == 0 and char not in META:
            run.append(char)
        else:
            if char in QUANTIFIERS and run:
                run.pop()
            runs.append("".join(run))
            run = []
        i += 1
    runs.append("".join(run))
    return max(runs, key=len).lower()


def _pattern(source: str) -> Pattern:
    return Pattern(re.compile(source, re.I), required_literal(source))


def _compile(patterns: Iterable[str]) -> tuple[Pattern, ...]:
    return tuple(_pattern(p) for p in patterns)


def _compile_map(patterns: Mapping[str, str]) -> tuple[tuple[str, Pattern], ...]:
    return tuple((key.lower(), _pattern(value)) for key, value in patterns.items())


def parse_signatures(data: Mapping[str, Any]) -> tuple[Signature, ...]:
    """Build signatures from the JSON document shape of signatures.json."""
    return tuple(
        Signature(
            name=entry["name"],
            category=entry["category"],
            html=_compile(entry.get("html", [])),
            scripts=_compile(entry.get("scripts", [])),
            meta=_compile_map(entry.get("meta", {})),
            headers=_compile_map(entry.get("headers", {})),
            cookies=_compile(entry.get("cookies", [])),
            implies=tuple(entry.get("implies", [])),
        )
        for entry in data["signatures"]
    )


@cache
def default_signatures() -> tuple[Signature, ...]:
    """The signatures shipped with SalesOS."""
    text = resources.files("salesos.integrations.enrich").joinpath("signatures.json").read_text("utf-8")
    return parse_signatures(json.loads(text))


@dataclass(frozen=True)
class PageEvidence:
    """What detection looks at: raw HTML, script URLs, meta tags, response headers and cookie names."""

    html: str
    scripts: tuple[str, ...] = ()
    meta: Mapping[str, str] | None = None
    headers: Mapping[str, str] | None = None
    cookies: tuple[str, ...] = ()

    @classmethod
    def from_html(
        cls, html: str, headers: Mapping[str, str] | None = None, cookies: Iterable[str] = ()
    ) -> PageEvidence:
        """Evidence from a page's HTML (scripts and meta parsed out) plus its headers and cookie names."""
        tree = HTMLParser(html)
        scripts = tuple(s.attributes.get("src") or "" for s in tree.css("script[src]"))
        meta: dict[str, str] = {}
        for node in tree.css("meta"):
            name = (node.attributes.get("name") or node.attributes.get("property") or "").lower()
            if name:
                meta.setdefault(name, node.attributes.get("content") or "")
        lowered = {k.lower(): v for k, v in (headers or {}).items()}
        return cls(html=html, scripts=scripts, meta=meta, headers=lowered, cookies=tuple(cookies))


Texts = tuple[tuple[str, str], ...]


def _texts(values: Iterable[str]) -> Texts:
    return tuple((value, value.lower()) for value in values)


def _match(signature: Signature, evidence: dict[str, Texts]) -> tuple[bool, str | None]:
    found = False
    for key, pattern in signature.checks:
        texts = evidence.get(key)
        if not texts:
            continue
        literal = pattern.literal
        for text, lowered in texts:
            # The literal is checked first because ``in`` is far cheaper than the regex (see Pattern).
            if literal not in lowered:
                continue
            match = pattern.regex.search(text)
            if match is None:
                continue
            found = True
            # Keep looking after a bare hit: a later pattern may carry the version.
            version = next((g for g in match.groups() if g), None)
            if version:
                return True, version
    return found, None


def _evidence(page: PageEvidence) -> dict[str, Texts]:
    # Lower-cased once per page, not once per pattern.
    evidence = {"html": _texts([page.html]), "scripts": _texts(page.scripts), "cookies": _texts(page.cookies)}
    evidence.update({"meta:" + k: _texts([v]) for k, v in (page.meta or {}).items()})
    evidence.update({"header:" + k.lower(): _texts([v]) for k, v in (page.headers or {}).items()})
    return evidence


@cache
def _default_table() -> dict[str, Signature]:
    return {s.name: s for s in default_signatures()}


def detect(page: PageEvidence, signatures: Iterable[Signature] | None = None) -> list[Detection]:
    """Every technology whose signature matches *page*, plus what those imply, sorted by name."""
    table = {s.name: s for s in signatures} if signatures is not None else _default_table()
    evidence = _evidence(page)
    found: dict[str, Detection] = {}
    for signature in table.values():
        hit, version = _match(signature, evidence)
        if hit:
            found[signature.name] = Detection(signature.name, signature.category, version)
    pending = [name for d in list(found.values()) for name in table[d.name].implies]
    while pending:
        name = pending.pop()
        if name not in found and name in table:
            found[name] = Detection(name, table[name].category)
            pending.extend(table[name].implies)
    return sorted(found.values(), key=lambda d: d.name.lower())
