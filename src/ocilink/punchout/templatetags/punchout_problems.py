"""``{{ problem|problem_text }}``: what an error kept with a cart return says, in the reader's language."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django import template

from ocilink.punchout.line_limit import problem_text as _problem_text

register = template.Library()


@register.filter
def problem_text(problem: Mapping[str, Any]) -> str:
    return _problem_text(problem)
