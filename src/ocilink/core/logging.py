"""A logging filter that keeps secrets out of every log line."""

from __future__ import annotations

import logging
import re

# Form fields and XML elements that carry credentials. Field names vary per supplier, so match loosely.
_SECRET_PATTERN = re.compile(
    r"(?i)(pass(?:word|wd)?|secret|sharedsecret|token|credential|private[_-]?key)([\"']?\s*[=:>]\s*[\"']?)([^&\s\"'<,;]+)"
)


def redact(text: str) -> str:
    """Replace the value after anything that looks like a secret's name."""
    return _SECRET_PATTERN.sub(lambda m: f"{m.group(1)}{m.group(2)}[redacted]", text)


class RedactSecretsFilter(logging.Filter):
    """Rewrite the rendered message of each record with :func:`redact`."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # a broken format string must not lose the record
            return True
        redacted = redact(message)
        if redacted != message:
            record.msg, record.args = redacted, None
        return True
