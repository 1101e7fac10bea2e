"""Shared set-up for benchmarks: Django on a throw-away SQLite database (or DATABASE_URL), migrated."""

from __future__ import annotations

import json
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent


def django_setup() -> None:
    sys.path.insert(0, str(ROOT))
    if not os.environ.get("DATABASE_URL"):
        folder = tempfile.mkdtemp(prefix="ocilink-bench-")
        os.environ["DATABASE_URL"] = f"sqlite:///{folder}/bench.sqlite3"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tests.settings")
    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", verbosity=0)


def punchout_shop(*, username: str = "bench", password: str = "bench-pw", **organization: Any) -> tuple[Any, Any, Any]:
    """What a punchout needs (call after ``django_setup``): an organization (``organization`` are its factory's
    values), its default delivery address, and one supplier whose webshop account is set for the whole
    organization. Returns (organization, address, supplier)."""
    from ocilink.connections.services import oci_credential_set
    from tests.factories import DeliveryAddressFactory, OrganizationFactory, SupplierFactory

    shop = OrganizationFactory(**organization)
    address = DeliveryAddressFactory(organization=shop, is_default=True)
    supplier = SupplierFactory(organization=shop)
    oci_credential_set(
        connection=supplier.external_connection, delivery_address=None, username=username, password=password
    )
    return shop, address, supplier


def percentile(samples: list[float], p: float) -> float:
    ordered = sorted(samples)
    index = min(len(ordered) - 1, max(0, round(p / 100 * (len(ordered) - 1))))
    return ordered[index]


def emit(**figures: object) -> None:
    """One figure per line, as JSON, so runs can be compared."""
    print(json.dumps(figures), flush=True)


def median(samples: list[float]) -> float:
    return statistics.median(samples)


def paired_samples(runs: dict[int, Callable[[], object]], *, warmup: int, repeat: int) -> dict[int, list[float]]:
    """Time each size's ``run`` in turn (small, large, small, ...), so that the other work of a shared machine falls
    on both alike. Milliseconds per size."""
    for _ in range(warmup):
        for run in runs.values():
            run()
    samples: dict[int, list[float]] = {size: [] for size in runs}
    for _ in range(repeat):
        for size, run in runs.items():
            started = time.perf_counter()
            run()
            samples[size].append((time.perf_counter() - started) * 1000)
    return samples


def emit_growth(
    samples: dict[int, list[float]], *, bench: str, db: str, size_label: str, digits: int, **labels: object
) -> None:
    """p50/p99 per size, then how the p99 (and p50) at the largest size compare with the smallest (target ±20 %)."""
    small, large = min(samples), max(samples)
    for size, timings in samples.items():
        emit(
            bench=bench,
            db=db,
            **{size_label: size},
            **labels,
            p50_ms=round(median(timings), digits),
            p99_ms=round(percentile(timings, 99), digits),
        )
    ratio = percentile(samples[large], 99) / percentile(samples[small], 99)
    emit(
        bench=bench,
        db=db,
        growth=f"p99 at {large:,} / p99 at {small:,}",
        **labels,
        p99_ratio=round(ratio, 2),
        within_20_percent=abs(ratio - 1) <= 0.2,
        p50_ratio=round(median(samples[large]) / median(samples[small]), 2),
    )
