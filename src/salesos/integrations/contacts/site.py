"""People named on a business's own pages (schema.org, team cards, named mailto links), joined to its emails.

Precision over recall: a name counts only when it parses as a personal name AND comes with a title or an
address, or sits in structured data; nav, testimonials, reviews and bylines are never read for names.
"""

from __future__ import annotations

from collections.abc import Iterator

from selectolax.parser import HTMLParser, Node

from salesos.integrations.contacts.base import FoundContact
from salesos.integrations.contacts.join import contacts_from_site, merge_people
from salesos.integrations.contacts.people import credentials_only, is_title, parse_name, split_name_title
from salesos.integrations.contacts.structured import (
    jsonld_people,
    mailto_address,
    make_person,
    microdata_people,
    node_key,
    skipped,
)
from salesos.integrations.verify.checks import is_role_address

__all__ = ["contacts_from_site", "merge_people", "people_from_html", "people_from_tree"]

NAME_SELECTOR = "h1, h2, h3, h4, h5, h6, strong, b, [class*=name]"
MAX_NAME_CHARS = 90
# How far up from a name to look for its card's own mailto link.
CARD_LEVELS = 3


def _following_title(node: Node) -> str | None:
    """The title written right after a name: the next non-empty sibling(s), or after its wrapper."""
    current: Node | None = node
    for _ in range(3):
        if current is None:
            return None
        seen = 0
        sibling = current.next
        while sibling is not None and seen < 2:
            if sibling.tag in {"h1", "h2", "h3", "h4", "h5", "h6"}:
                return None
            text = " ".join(sibling.text(separator=" ").split()).strip(" ,;:\u2014\u2013-|()")
            if text:
                seen += 1
                if is_title(text):
                    return text
            sibling = sibling.next
        if seen:
            return None
        current = current.parent  # the name is its wrapper's last child: the title follows the wrapper
    return None


def _card_email(node: Node, names_within: dict[int, set[str]]) -> str | None:
    """The one personal mailto address in the card around *node*, unless the card names others too."""
    container = node.parent
    for _ in range(CARD_LEVELS):
        if container is None or len(names_within.get(node_key(container), ())) > 1:
            return None
        found = {
            address
            for a in container.css("a[href]")
            if (address := mailto_address(a.attributes.get("href") or "")) and not is_role_address(address)
        }
        if len(found) == 1:
            return found.pop()
        if found:
            return None
        container = container.parent
    return None


def _card_people(tree: HTMLParser, url: str) -> Iterator[FoundContact]:
    candidates: list[tuple[Node, str, str | None]] = []
    # element -> the names inside it, so a card's size is known without re-scanning it per name.
    names_within: dict[int, set[str]] = {}
    for node in tree.css(NAME_SELECTOR):
        text = node.text(separator=" ", strip=True)
        if not text or len(text) > MAX_NAME_CHARS or skipped(node):
            continue
        split = split_name_title(text)
        if split:
            candidates.append((node, split[0].full, split[1]))
            ancestor = node.parent
            while ancestor is not None:
                names_within.setdefault(node_key(ancestor), set()).add(split[0].full)
                ancestor = ancestor.parent
    for node, full, title in candidates:
        if not title or credentials_only(title):
            title = _following_title(node) or title
        email = _card_email(node, names_within)
        if title or email:
            person = make_person(full, title, email, url)
            if person:
                yield person


def _mailto_people(tree: HTMLParser, url: str) -> Iterator[FoundContact]:
    for anchor in tree.css("a[href]"):
        email = mailto_address(anchor.attributes.get("href") or "")
        if not email or skipped(anchor):
            continue
        name = parse_name(anchor.text(separator=" ", strip=True))
        if name is None:
            continue
        tail = (anchor.next.text(strip=True) if anchor.next is not None else "").strip(
            " ,;:\u2014\u2013-|()."
        )
        person = make_person(name.full, tail if is_title(tail) else None, email, url)
        if person:
            yield person


def people_from_tree(tree: HTMLParser, url: str) -> list[FoundContact]:
    """People on an already parsed page (run before scripts are stripped: JSON-LD lives in them)."""
    found: list[FoundContact] = []
    for source in (jsonld_people, microdata_people, _card_people, _mailto_people):
        found = merge_people(found, list(source(tree, url)))
    return found


def people_from_html(html: str, url: str) -> list[FoundContact]:
    """Names, titles and the emails next to them from one page: JSON-LD, microdata, cards, mailto links."""
    return people_from_tree(HTMLParser(html), url)
