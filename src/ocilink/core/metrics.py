"""Prometheus metrics: the requests this process served, and the numbers apps register from the database.

Two kinds of figures:

* **Requests** by method, route and status, with a duration histogram, counted in the process that served them.
  Under ``ocilink serve`` several processes serve; prometheus-client's multi-process mode (the directory in
  ``PROMETHEUS_MULTIPROC_DIR``, which ``serve`` prepares) adds them up, so any process answers for all.
* **Numbers from the database**, which every process reads alike: apps register a *collector* from their
  ``AppConfig.ready()`` (``orders``: dispatch queue depth, oldest waiting dispatch, attempts by outcome;
  ``punchout``: cart returns by result). A collector returns :class:`Family` values and knows nothing of
  Prometheus, so ``core`` needs no upper app and they need no Prometheus.

prometheus-client is imported only when a figure is first recorded or read: its value store is chosen at import
from ``PROMETHEUS_MULTIPROC_DIR``, which ``serve`` sets after Django (and so this module) has started.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, Literal

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Family:
    """One metric with its samples. ``name`` without a ``_total`` suffix: a counter gets it on the way out."""

    name: str
    documentation: str
    kind: Literal["gauge", "counter"]
    labels: Sequence[str]
    samples: Sequence[tuple[Sequence[str], float]]


Collector = Callable[[], Iterable[Family]]
_collectors: dict[str, Collector] = {}


def register_collector(name: str, collector: Collector) -> None:
    """Add a collector of numbers read at each scrape; an app calls this from ``AppConfig.ready()``. A second call
    with the same name replaces the first."""
    _collectors[name] = collector


def registered_collectors() -> dict[str, Collector]:
    return dict(_collectors)


def multiprocess_dir() -> str | None:
    return os.environ.get("PROMETHEUS_MULTIPROC_DIR") or None


@lru_cache(maxsize=1)
def _request_metrics() -> tuple[Any, Any]:
    """The request counter and histogram of this process, made on first use (see the module's docstring)."""
    from prometheus_client import Counter, Histogram

    requests = Counter(
        "ocilink_http_requests",
        "HTTP requests served, by method, URL pattern and status.",
        ["method", "route", "status"],
        registry=None,
    )
    duration = Histogram(
        "ocilink_http_request_duration_seconds",
        "Time from the first middleware to the response, by method and URL pattern.",
        ["method", "route"],
        registry=None,
    )
    return requests, duration


def observe_request(*, method: str, route: str, status: int, seconds: float) -> None:
    requests, duration = _request_metrics()
    requests.labels(method, route, str(status)).inc()
    duration.labels(method, route).observe(seconds)


class _AppCollector:
    """Runs every registered collector at scrape time. A collector that fails (the database is down) costs its
    own figures only, and ``ocilink_metrics_collector_up`` says which one failed."""

    def collect(self) -> Iterator[Any]:
        from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily

        up = GaugeMetricFamily(
            "ocilink_metrics_collector_up",
            "1 when the collector's figures could be read, else 0.",
            labels=["collector"],
        )
        for name, collector in sorted(registered_collectors().items()):
            try:
                families = list(collector())
            except Exception:
                logger.exception("Metrics collector %s failed", name)
                up.add_metric([name], 0)
                continue
            up.add_metric([name], 1)
            for family in families:
                kind = CounterMetricFamily if family.kind == "counter" else GaugeMetricFamily
                metric = kind(family.name, family.documentation, labels=list(family.labels))
                for label_values, value in family.samples:
                    metric.add_metric(list(label_values), value)
                yield metric
        yield up


def exposition() -> tuple[bytes, str]:
    """The text exposition of every figure, and its content type."""
    from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, generate_latest
    from prometheus_client.multiprocess import MultiProcessCollector

    registry = CollectorRegistry(auto_describe=False)
    if multiprocess_dir():
        MultiProcessCollector(registry)  # every serving process's request figures, read from their files
    else:
        for metric in _request_metrics():
            registry.register(metric)
    registry.register(_AppCollector())
    return generate_latest(registry), CONTENT_TYPE_LATEST


def labelled(samples: Mapping[str, float], *, every: Iterable[str] = ()) -> list[tuple[Sequence[str], float]]:
    """Samples with one label from a ``{value: number}`` mapping; each value in ``every`` appears, 0 if absent, so a
    series does not vanish when its count drops to nothing."""
    merged = {key: 0.0 for key in every} | {key: float(value) for key, value in samples.items()}
    return [((key,), value) for key, value in sorted(merged.items())]
