"""HTML mail as plain text: what an agent reads when a message has no text part.

Beautiful Soup, on the standard library's parser, reads the broken HTML mail
clients write and resolves its entities; block elements become line breaks,
scripts and styles go, and no more than two blank lines follow each other.
"""

from __future__ import annotations

import html
import re
import warnings

from bs4 import (
    BeautifulSoup,
    MarkupResemblesLocatorWarning,
    ParserRejectedMarkup,
    XMLParsedAsHTMLWarning,
)

_BLOCKS = ("p", "div", "li", "tr", "h1", "h2", "h3", "h4", "h5", "h6")
_HIDDEN = ("script", "style", "head")
_TAG = re.compile(r"<[^>]*>")
_BLANK_RUNS = re.compile(r"\n{4,}")


def html_to_text(markup: str) -> str:
    """The readable text of an HTML document or fragment."""
    try:
        text = _soup_text(markup)
    except ParserRejectedMarkup:
        # Markup the parser refuses outright: its tags dropped, its text kept.
        text = html.unescape(_TAG.sub(" ", markup))
    lines = (" ".join(line.split()) for line in text.splitlines())
    return _BLANK_RUNS.sub("\n\n\n", "\n".join(lines)).strip()


def _soup_text(markup: str) -> str:
    with warnings.catch_warnings():
        # A short body that looks like a URL or like XML is still the body.
        warnings.simplefilter("ignore", MarkupResemblesLocatorWarning)
        warnings.simplefilter("ignore", XMLParsedAsHTMLWarning)
        soup = BeautifulSoup(markup, "html.parser")
    for hidden in soup.find_all(_HIDDEN):
        hidden.decompose()
    for line_break in soup.find_all("br"):
        line_break.replace_with("\n")
    for block in soup.find_all(_BLOCKS):
        block.insert_before("\n")
        block.insert_after("\n")
    return soup.get_text()
