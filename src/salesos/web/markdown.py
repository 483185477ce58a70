"""Markdown as people type it in notes, rendered to HTML that can't carry script or styling."""

from __future__ import annotations

import html

import nh3
from markdown_it import MarkdownIt
from markupsafe import Markup

# CommonMark without raw HTML, with tables and strikethrough; a single newline is a line break, as
# in a chat box, because notes are typed quickly and nobody expects two newlines for one break.
_PARSER = MarkdownIt("commonmark", {"html": False, "breaks": True}).enable(["table", "strikethrough"])
ALLOWED_TAGS = {
    "p", "br", "strong", "em", "s", "del", "code", "pre", "blockquote", "ul", "ol", "li", "a", "hr",
    "h1", "h2", "h3", "h4", "h5", "h6", "table", "thead", "tbody", "tr", "th", "td",
}  # fmt: skip
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "ol": {"start"}, "th": {"align"}, "td": {"align"}}
URL_SCHEMES = {"http", "https", "mailto", "tel"}


# A note sits under the page's own headings (the lead's name, "Notes"): its "# Title" is a level below them.
HEADING_OFFSET = 2


def _html(text: str) -> str:
    tokens = _PARSER.parse(text)
    for token in tokens:
        if token.type in ("heading_open", "heading_close"):
            token.tag = f"h{min(6, int(token.tag[1]) + HEADING_OFFSET)}"
    return _PARSER.renderer.render(tokens, _PARSER.options, {})


def render_markdown(text: str) -> Markup:
    """Sanitised HTML for *text*: markdown-it never emits raw HTML, and nh3 (ammonia) is the second lock."""
    html = _html(text)
    clean = nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=URL_SCHEMES,
        link_rel="noopener noreferrer nofollow",
    )
    return Markup(clean)  # sanitised just above


def markdown_text(text: str) -> str:
    """*text* as it reads once rendered, on one line: "**Call** [Ann](https://x)" is "Call Ann"."""
    return " ".join(html.unescape(nh3.clean(_html(text), tags=set())).split())
