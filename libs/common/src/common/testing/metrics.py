"""Read a Prometheus exposition as tests need it: one sample's value, summed over the series
whose labels include the given ones (counters are per process, so tests compare deltas)."""

from __future__ import annotations

from prometheus_client import REGISTRY
from prometheus_client.parser import text_string_to_metric_families


def sample(text: str, name: str, **labels: str) -> float:
    """The sum of ``name``'s samples in ``text`` whose labels include ``labels`` (0 if none)."""
    total = 0.0
    for family in text_string_to_metric_families(text):
        for item in family.samples:
            if item.name == name and all(item.labels.get(k) == v for k, v in labels.items()):
                total += item.value
    return total


def local_sample(name: str, **labels: str) -> float:
    """As :func:`sample`, from this process's registry (no HTTP)."""
    total = 0.0
    for family in REGISTRY.collect():
        for item in family.samples:
            if item.name == name and all(item.labels.get(k) == v for k, v in labels.items()):
                total += item.value
    return total
