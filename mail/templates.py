"""The queues' mail templates, rendered in Jinja's immutable sandbox.

A template sees plain values only (strings and numbers: the ticket's number,
title, queue, priority and status, the customer, the article's body and
subject, the agent's name), never an object of ours, and the sandbox refuses
attribute tricks, changing values and ranges over 100,000. What it renders is
cut at MAX_RENDERED characters. An admin's template is checked when it is
saved, so a broken one is refused then (422), not at the moment a mail goes.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from jinja2 import TemplateError
from jinja2.exceptions import SecurityError
from jinja2.runtime import Context
from jinja2.sandbox import ImmutableSandboxedEnvironment

from domain.queues import MailTemplateKind

#: The longest template an admin may save, and the longest text one may render.
MAX_TEMPLATE = 20_000
MAX_RENDERED = 1_000_000

#: What a queue mails when it has no template of its own.
DEFAULTS: Mapping[str, str] = {
    # A reply is the agent's text as written.
    MailTemplateKind.REPLY: "{{ body }}",
    MailTemplateKind.ACKNOWLEDGEMENT: (
        "Hello {{ customer_name or customer }},\n\n"
        "thank you for your message. We opened ticket {{ number }} "
        "({{ title }}) and will answer as soon as we can.\n\n"
        "Please keep [{{ tag }}{{ number }}] in the subject when you write about it.\n"
    ),
}

#: The largest repeat count and exponent a template may use.
MAX_FACTOR, MAX_EXPONENT = 10_000, 64


class _Sandbox(ImmutableSandboxedEnvironment):
    """The immutable sandbox, with `*` and `**` bounded: no template makes a
    gigabyte string or a number with a million digits."""

    intercepted_binops = frozenset({"*", "**"})

    def call_binop(self, context: Context, operator: str, left: Any, right: Any) -> Any:
        if operator == "**" and isinstance(right, int | float) and right > MAX_EXPONENT:
            raise SecurityError(f"exponents above {MAX_EXPONENT} are not allowed")
        counts = [abs(v) for v in (left, right) if isinstance(v, int)]
        repeated = any(isinstance(v, str | list | tuple) for v in (left, right))
        if operator == "*" and repeated and any(n > MAX_FACTOR for n in counts):
            raise SecurityError(f"repeats above {MAX_FACTOR} are not allowed")
        return super().call_binop(context, operator, left, right)


_SANDBOX = _Sandbox(autoescape=False, keep_trailing_newline=True)


class TemplateProblem(ValueError):
    """A template that cannot be parsed or rendered; says where and why."""


def check_template(source: str) -> str:
    """The template itself if it parses and is not too long."""
    if len(source) > MAX_TEMPLATE:
        raise TemplateProblem(f"a template has at most {MAX_TEMPLATE} characters")
    try:
        _SANDBOX.parse(source)
    except TemplateError as error:
        line = getattr(error, "lineno", None)
        where = f" (line {line})" if line else ""
        raise TemplateProblem(f"the template does not parse{where}: {error}") from None
    return source


def render(source: str, values: Mapping[str, str | int | None]) -> str:
    """The template filled in with these values; TemplateProblem if it fails."""
    try:
        text = _SANDBOX.from_string(source).render(dict(values))
    except (TemplateError, ArithmeticError, TypeError, ValueError) as error:
        raise TemplateProblem(f"the template failed: {error}") from None
    if len(text) > MAX_RENDERED:
        raise TemplateProblem(f"the template rendered over {MAX_RENDERED} characters")
    return text
