"""Logging: a filter that keeps secrets out of every log line, the request id on every line of a request, and the
text and JSON formats (``LOG_FORMAT``)."""

from __future__ import annotations

import logging
import re
from contextvars import ContextVar
from datetime import UTC, datetime

from pythonjsonlogger import core as _json_core
from pythonjsonlogger import json as _json

# Form fields and XML elements that carry credentials. Field names vary per supplier, so match loosely.
_SECRET_PATTERN = re.compile(
    r"(?i)(pass(?:word|wd)?|secret|sharedsecret|token|credential|private[_-]?key)([\"']?\s*[=:>]\s*[\"']?)([^&\s\"'<,;]+)"
)


_SECRET_NAME = re.compile(r"(?i)pass(?:word|wd)?|secret|token|credential|private[_-]?key")


def is_secret_name(name: str) -> bool:
    """Whether a field or URL argument of this name holds a secret (``token``, ``password``, ...)."""
    return bool(_SECRET_NAME.search(name))


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


# --- the request id and the two log formats ---------------------------------------------------------------------

# The id of the request this thread is serving ("-" outside a request: the worker, start-up, the server itself).
# Set by ``core.middleware.RequestMiddleware`` for the length of one request.
request_id: ContextVar[str] = ContextVar("request_id", default="-")

# The fields of ``LOG_FORMAT=json``, one object per line for a log collector; a record's extras are added to them.
# (``LOG_FORMAT=text`` is a format string in the settings, with ``request_id=…`` on each line for ``grep``.)
JSON_FIELDS = ("asctime", "levelname", "name", "process", "request_id", "message")


class RequestIdFilter(logging.Filter):
    """Give every record the id of the request it was logged in (``-`` outside one)."""

    def filter(self, record: logging.LogRecord) -> bool:
        if not getattr(record, "request_id", None):
            record.request_id = request_id.get()
        return True


class JsonFormatter(_json.JsonFormatter):
    """One JSON object per line: time, level, logger, process, request_id, message, then the record's extras.

    Django's request log passes the request object along; it is left out (its repr holds the path, and a HOOK_URL's
    path holds a token).
    """

    def __init__(self) -> None:
        super().__init__(
            list(JSON_FIELDS),
            rename_fields={"asctime": "time", "levelname": "level", "name": "logger"},
            reserved_attrs=[*_json_core.RESERVED_ATTRS, "request"],
        )

    def formatTime(self, record: logging.LogRecord, datefmt: str | None = None) -> str:  # noqa: N802 (logging's name)
        return datetime.fromtimestamp(record.created, tz=UTC).isoformat(timespec="milliseconds")
