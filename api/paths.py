"""Names in URL paths: `{name:name}` takes a name that holds a `/`.

New names may not hold one (api.schemas.text refuses them), but names stored
before that rule must stay addressable, and `%2F` is decoded before routing. A
name matched here is never empty and never ends with `/`, so `/queues/` is
still the list (redirected) and `/queues/General/` still redirects to the queue.
"""

from __future__ import annotations

from starlette.convertors import Convertor, register_url_convertor


class NameConvertor(Convertor[str]):
    """A name of one or more path segments, without a trailing slash."""

    regex = r".*[^/]"

    def convert(self, value: str) -> str:
        """The name as the path holds it."""
        return value

    def to_string(self, value: str) -> str:
        """The name as a path holds it."""
        return value


register_url_convertor("name", NameConvertor())
