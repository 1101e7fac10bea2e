"""When to try again after a transient failure: the same rule for dispatches and notices."""

from __future__ import annotations

import random

from django.conf import settings


def retry_delay_seconds(attempt_count: int) -> float:
    """Exponential backoff with jitter: about 30 s, 60 s, 120 s ... never more than the cap."""
    base = settings.DISPATCH_RETRY_FIRST_SECONDS * (2 ** max(0, attempt_count - 1))
    capped = min(base, settings.DISPATCH_RETRY_MAX_SECONDS)
    return capped * random.uniform(0.75, 1.0)  # jitter: spread retries of many orders to one server
