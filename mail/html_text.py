"""HTML mail as plain text: what an agent reads when a message has no text part.

Beautiful Soup (with the standard library's parser) reads the broken HTML mail
clients write; block elements become line breaks, scripts and styles go, and
runs of blank lines shrink to one.
"""

from __future__ import annotations

import re
import warnings

from bs4 import BeautifulSoup, MarkupResemblesLocatorWarning

_BLOCKS = (
    "p", "div", "br", "li", "tr", "h1", "h2", "h3", "h4", "h5", "h6",
    "blockquote", "pre", "table", "ul", "ol", "hr",
)  # fmt: skip
_HIDDEN = ("script", "style", "head", "title", "template")
_BLANKS = re.compile(r"\n{3,}")


def html_to_text(html: str) -> str:
    """The readable text of an HTML document or fragment."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", MarkupResemblesLocatorWarning)
        soup = BeautifulSoup(html, "html.parser")
    for hidden in soup.find_all(_HIDDEN):
        hidden.decompose()
    for block in soup.find_all(_BLOCKS):
        block.insert_before("\n")
        block.insert_after("\n")
    lines = (" ".join(line.split()) for line in soup.get_text().splitlines())
    return _BLANKS.sub("\n\n", "\n".join(lines)).strip()
