"""Every problem ``type`` a service can answer is in the catalogue, and resolves: each service
serves the whole catalogue at ``/problems/{slug}``."""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from fastapi import FastAPI

from common.http.problem_catalog import PROBLEM_TYPES
from common.http.problems import PROBLEM_TYPE_BASE, ProblemError

ROOT = Path(__file__).resolve().parents[2]
SOURCES = [ROOT / "libs/common/src", *sorted((ROOT / "services").glob("*/src"))]


def _type_positions(tree: ast.AST) -> dict[str, int]:
    """Functions taking a ``type_`` parameter -> its position (``_problem(status, ..., type_)``)."""
    positions = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            names = [a.arg for a in node.args.args]
            if "type_" in names:
                positions[node.name] = names.index("type_")
    return positions


def _slugs_raised(path: Path) -> Iterator[str]:
    tree = ast.parse(path.read_text())
    positions = {"ProblemError": 3, **_type_positions(tree)}
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call):
            continue
        name = getattr(node.func, "id", getattr(node.func, "attr", ""))
        values = [k.value for k in node.keywords if k.arg == "type_"]
        if name in positions and len(node.args) > positions[name]:
            values.append(node.args[positions[name]])
        if name == "problem_type" and node.args:
            values.append(node.args[0])
        for value in values:
            if isinstance(value, ast.Constant) and isinstance(value.value, str):
                yield value.value


def slugs_raised() -> set[str]:
    return {
        slug for folder in SOURCES for path in folder.rglob("*.py") for slug in _slugs_raised(path)
    }


def test_the_scan_finds_the_known_ones() -> None:
    found = slugs_raised()
    assert {"outside-tenancy", "report-not-acknowledged", "malformed-json"} <= found
    assert len(found) > 40


def test_every_type_raised_is_catalogued() -> None:
    missing = sorted(slugs_raised() - set(PROBLEM_TYPES))
    assert not missing, f"add to common/http/problem_catalog.py: {missing}"


def test_every_status_type_is_catalogued() -> None:
    for status in (400, 401, 403, 404, 409, 412, 413, 422, 428, 429, 500, 503):
        slug = ProblemError(status, "t").type.removeprefix(PROBLEM_TYPE_BASE)
        assert slug in PROBLEM_TYPES
        assert PROBLEM_TYPES[slug].status == status


def _apps() -> dict[str, FastAPI]:
    from knowledge.main import create_app as knowledge
    from reviews.main import create_app as reviews
    from scheduling.main import create_app as scheduling

    return {"scheduling": scheduling(), "reviews": reviews(), "knowledge": knowledge()}


@pytest.mark.parametrize("service", ["scheduling", "reviews", "knowledge"])
async def test_every_type_resolves_without_a_token(service: str) -> None:
    app = _apps()[service]
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
        listed = await client.get("/problems")
        assert listed.status_code == 200
        assert [p["slug"] for p in listed.json()["data"]] == list(PROBLEM_TYPES)
        for slug, problem in PROBLEM_TYPES.items():
            response = await client.get(f"/problems/{slug}")
            assert response.status_code == 200, slug
            body = response.json()
            assert body["type"] == PROBLEM_TYPE_BASE + slug
            assert (body["status"], body["title"]) == (problem.status, problem.title)
            assert body["description"]
        unknown = await client.get("/problems/no-such-type")
        assert unknown.status_code == 404
        assert unknown.headers["content-type"] == "application/problem+json"
