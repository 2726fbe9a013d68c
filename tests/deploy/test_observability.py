"""The alert rules and the dashboard read metrics the services export, and every alert's
runbook is a section of docs/runbooks.md."""

from __future__ import annotations

import json
import re
from pathlib import Path

import yaml
from prometheus_client import REGISTRY

import common.observability.metrics  # noqa: F401 - registers the instruments

ROOT = Path(__file__).resolve().parents[2]
ALERTS = ROOT / "deploy/observability/alerts.yml"
DASHBOARD = ROOT / "deploy/observability/grafana-dashboard.json"
RUNBOOKS = ROOT / "docs/runbooks.md"
_METRIC = re.compile(r"\bcf_[a-z_]+")


def exported_samples() -> set[str]:
    names: set[str] = set()
    for family in REGISTRY.collect():
        if family.name.startswith("cf_"):
            names.add(family.name)
            kinds = {
                "counter": ("_total",),
                "histogram": ("_bucket", "_count", "_sum"),
                "gauge": ("",),
            }
            names.update(family.name + suffix for suffix in kinds.get(family.type, ()))
    return names


def slug(heading: str) -> str:
    return re.sub(r"[^a-z0-9 -]", "", heading.lower()).replace(" ", "-")


def test_every_alert_reads_exported_metrics_and_has_a_runbook() -> None:
    rules = yaml.safe_load(ALERTS.read_text())["groups"][0]["rules"]
    anchors = {slug(line[3:]) for line in RUNBOOKS.read_text().splitlines() if line[:3] == "## "}
    exported = exported_samples()
    assert len(rules) >= 5
    for rule in rules:
        used = set(_METRIC.findall(rule["expr"]))
        assert used, rule["alert"]
        assert used <= exported, (rule["alert"], used - exported)
        path, anchor = rule["annotations"]["runbook_url"].split("#")
        assert path == "docs/runbooks.md"
        assert anchor in anchors, (rule["alert"], anchor)


def test_the_dashboard_reads_exported_metrics() -> None:
    dashboard = json.loads(DASHBOARD.read_text())
    exprs = [t["expr"] for panel in dashboard["panels"] for t in panel["targets"]]
    used = {name for expr in exprs for name in _METRIC.findall(expr)}
    assert used <= exported_samples(), used - exported_samples()
    assert {"cf_outbox_oldest_age_seconds", "cf_consumer_pending", "cf_dead_letters_total"} <= used
