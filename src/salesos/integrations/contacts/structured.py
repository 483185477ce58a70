"""People in a page's structured data: schema.org Person as JSON-LD and as microdata."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any, cast
from urllib.parse import unquote

from selectolax.parser import HTMLParser, Node

from salesos.integrations.contacts.base import FoundContact
from salesos.integrations.contacts.people import parse_name, split_name_title
from salesos.leads.normalize import normalize_email

# schema.org properties of an organisation whose Person values work there (not review/author/customer).
STAFF_KEYS = {"employee", "employees", "member", "members"}
FOUNDER_KEYS = {"founder", "founders"}
NESTED_ORG_KEYS = {"department", "subOrganization", "parentOrganization", "@graph"}
# Elements whose text repeats or quotes other people: menus, customer quotes, blog bylines.
SKIP_TAGS = {"nav", "blockquote", "footer", "script", "style", "noscript", "template"}
SKIP_CLASS = re.compile(r"testimonial|review|quote|comment|byline|author|menu|breadcrumb|post-meta", re.I)


def mailto_address(href: str) -> str | None:
    """The normalised address of a mailto: link, or None."""
    if not href.lower().startswith("mailto:"):
        return None
    return normalize_email(unquote(href[7:]).split("?", 1)[0])


def node_key(node: Node) -> int:
    """A stable identity for a parsed element (selectolax makes a new Node object per access)."""
    # The stubs declare mem_id as a method; at runtime it is an int property.
    return cast(int, node.mem_id)


def _text(value: Any) -> str:
    if isinstance(value, dict):
        return _text(value.get("name", ""))
    if isinstance(value, list):
        return _text(value[0]) if value else ""
    return " ".join(str(value or "").split())


def make_person(
    raw_name: str, title: str | None, email: str | None, url: str, first: str = "", last: str = ""
) -> FoundContact | None:
    """A site contact when *raw_name* (or *first* + *last*) reads as a personal name, else None."""
    split = split_name_title(raw_name) if raw_name else None
    name = split[0] if split else parse_name(f"{first} {last}")
    if name is None:
        return None
    title = title or (split[1] if split else None)
    return FoundContact.build(
        email, name=name.full, first_name=name.first, last_name=name.last, title=title, source_url=url
    )


def _ld_nodes(value: Any, context: str | None) -> Iterator[tuple[dict[str, Any], str | None]]:
    """(Person node, how it was reached) pairs: "top", "staff" or "founder"."""
    if isinstance(value, list):
        for item in value:
            yield from _ld_nodes(item, context)
        return
    if not isinstance(value, dict):
        return
    types = value.get("@type", [])
    if any(
        str(t).rsplit("/", 1)[-1].lower() == "person" for t in (types if isinstance(types, list) else [types])
    ):
        yield value, context
    for key, child in value.items():
        if key in STAFF_KEYS:
            yield from _ld_nodes(child, "staff")
        elif key in FOUNDER_KEYS:
            yield from _ld_nodes(child, "founder")
        elif key in NESTED_ORG_KEYS:
            yield from _ld_nodes(child, "top")


def jsonld_people(tree: HTMLParser, url: str) -> Iterator[FoundContact]:
    """schema.org Person nodes: top-level ones with a title or email, employees, members, founders."""
    # A stated jobTitle beats the "Founder" implied by where a node sits, so those are yielded first.
    implied: list[FoundContact] = []
    for script in tree.css('script[type="application/ld+json"]'):
        try:
            data = json.loads(script.text(), strict=False)
        except ValueError:
            continue
        for node, context in _ld_nodes(data, "top"):
            stated = _text(node.get("jobTitle"))
            title = stated or ("Founder" if context == "founder" else None)
            email = _text(node.get("email")).removeprefix("mailto:") or None
            # A bare Person at the top is often a blog's author: keep it only when it says what it does.
            if context == "top" and not (title or email):
                continue
            person = make_person(
                _text(node.get("name")), title, email, url, _text(node.get("givenName")),
                _text(node.get("familyName")),
            )  # fmt: skip
            if person and stated:
                yield person
            elif person:
                implied.append(person)
    yield from implied


def skipped(node: Node) -> bool:
    """True inside nav, footers, quotes, reviews and bylines: names there are not the staff's."""
    current: Node | None = node
    while current is not None:
        if current.tag in SKIP_TAGS:
            return True
        attrs = current.attributes
        marks = f"{attrs.get('class') or ''} {attrs.get('id') or ''}"
        if SKIP_CLASS.search(marks) or (attrs.get("itemprop") or "").lower() in {"author", "review"}:
            return True
        current = current.parent
    return False


def _scope(node: Node) -> Node | None:
    current = node.parent
    while current is not None and "itemscope" not in current.attributes:
        current = current.parent
    return current


def microdata_people(tree: HTMLParser, url: str) -> Iterator[FoundContact]:
    """itemscope itemtype=schema.org/Person elements, except review authors."""
    for item in tree.css("[itemscope][itemtype]"):
        if not re.search(r"schema\.org/Person\b", item.attributes.get("itemtype") or "", re.I):
            continue
        if skipped(item):
            continue
        props: dict[str, str] = {}
        for prop in item.css("[itemprop]"):
            if (
                "itemscope" in prop.attributes
                or (scope := _scope(prop)) is None
                or node_key(scope) != node_key(item)
            ):
                continue
            attrs = prop.attributes
            value = attrs.get("content") or (attrs.get("href") if prop.tag == "a" else None)
            value = value or prop.text(separator=" ", strip=True)
            props.setdefault((attrs.get("itemprop") or "").split(" ")[0], " ".join(value.split()))
        raw_email = props.get("email", "")
        email = mailto_address(raw_email) if raw_email.lower().startswith("mailto:") else raw_email
        person = make_person(
            props.get("name", ""), props.get("jobTitle"), email or None, url, props.get("givenName", ""),
            props.get("familyName", ""),
        )  # fmt: skip
        if person:
            yield person
