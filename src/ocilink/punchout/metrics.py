"""The figures of the punchout returns for ``/metrics`` (registered in ``PunchoutConfig.ready``), read from the
database at each scrape: the same in every web process, so aggregate them with ``max``, not ``sum``."""

from __future__ import annotations

from django.db.models import Count

from ocilink.core.metrics import Family, labelled

from .models import CartReturn
from .states import ReturnOutcome

# A return is stored before it is read; until its result is known (or if reading it failed) it has none.
UNFINISHED = "unfinished"


def cart_return_figures() -> list[Family]:
    counts = dict(CartReturn.objects.order_by().values_list("outcome").annotate(n=Count("id")))
    by_result = {(outcome or UNFINISHED): n for outcome, n in counts.items()}
    return [
        Family(
            "ocilink_cart_returns",
            "Carts returned to HOOK_URL, by result (rows in the database).",
            "counter",
            ["result"],
            labelled(by_result, every=[*(str(outcome) for outcome in ReturnOutcome), UNFINISHED]),
        )
    ]
