"""The server's metrics in Prometheus's text format (``GET /metrics``).

With several workers, each writes its samples to ``$PROMETHEUS_MULTIPROC_DIR`` (``portout
serve`` makes one) and a scrape of any worker adds them all up.
"""

from __future__ import annotations

import os
from typing import Any, Callable

from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Histogram,
    generate_latest,
)
from prometheus_client.core import GaugeMetricFamily

__all__ = ["CONTENT_TYPE_LATEST", "Metrics"]

_LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)


class _StoreGauges:
    """Read from the store at each scrape: what holds for every worker at once."""

    def __init__(self, read: Callable[[], Any]) -> None:
        self._read = read

    def collect(self) -> Any:
        try:
            counts = self._read()
        except Exception:  # a scrape must not fail with the store; the gauge goes missing
            return
        locked = GaugeMetricFamily("portout_tenants_locked", "Tenants whose PIN checks are locked now.")
        locked.add_metric([], counts.locked)
        yield locked
        frozen = GaugeMetricFamily("portout_tenants_frozen", "Tenants with a port-out freeze.")
        frozen.add_metric([], counts.frozen)
        yield frozen


class Metrics:
    def __init__(self, read_counts: Callable[[], Any]) -> None:
        self.multiprocess = bool(os.environ.get("PROMETHEUS_MULTIPROC_DIR"))
        self.registry = CollectorRegistry(auto_describe=True)
        own = None if self.multiprocess else self.registry
        self.requests = Counter("portout_http_requests", "HTTP requests by route, method and status.",
                                ("route", "method", "status"), registry=own)
        self.latency = Histogram("portout_http_request_seconds", "HTTP request latency by route.",
                                 ("route",), buckets=_LATENCY_BUCKETS, registry=own)
        self.checks = Histogram("portout_pin_check_seconds",
                                "Port-out requests: the PIN check and the order, as the core ran them.",
                                buckets=_LATENCY_BUCKETS, registry=own)
        self.auth_failures = Counter("portout_authentication_failures",
                                     "Refused authentications, by error id.", ("error_id",), registry=own)
        self.deliveries = Counter("portout_webhook_deliveries",
                                  "Attempts to deliver a notification, by kind (Webhook, Email) and outcome "
                                  "(Delivered, Failed).", ("kind", "outcome"), registry=own)
        if self.multiprocess:
            from prometheus_client import multiprocess

            multiprocess.MultiProcessCollector(self.registry)
        self.registry.register(_StoreGauges(read_counts))

    def render(self) -> bytes:
        return generate_latest(self.registry)
