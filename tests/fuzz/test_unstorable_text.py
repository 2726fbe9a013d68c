"""Every text field of every operation, read from each service's OpenAPI document: a NUL in it
is a 422 naming the field, and nothing changes, on SQLite and PostgreSQL alike (PostgreSQL
cannot store a NUL; SQLite would). One table-driven sweep, not a test per route."""

from __future__ import annotations

import asyncio
import hashlib
import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI
from sqlalchemy import MetaData, select, text

from common.db import create_database
from common.http.storable import NUL_MESSAGE
from common.testing.apps import running_app
from knowledge.config import KnowledgeSettings
from knowledge.main import create_app as create_knowledge
from reviews.config import ReviewsSettings
from reviews.main import create_app as create_reviews
from scheduling.config import SchedulingSettings
from scheduling.main import create_app as create_scheduling
from tests.fuzz.harness import BACKENDS, service_app

SERVICES: dict[str, Callable[[dict[str, Any]], FastAPI]] = {
    "scheduling": lambda s: create_scheduling(SchedulingSettings(**s)),
    "reviews": lambda s: create_reviews(ReviewsSettings(**s)),
    "knowledge": lambda s: create_knowledge(KnowledgeSettings(**s)),
}
NUL = "a\x00b"
MAX_DEPTH = 8
PLACEHOLDERS = {"uuid": "01900000-0000-7000-8000-000000000001", "integer": "100000"}


@dataclass
class Case:
    """One request with a NUL in exactly one field, and the field the 422 must name."""

    method: str
    path: str
    field: str
    params: dict[str, str] = field(default_factory=dict)
    headers: dict[str, str] = field(default_factory=dict)
    body: Any = None


class Schemas:
    def __init__(self, document: dict[str, Any]) -> None:
        self.components: dict[str, Any] = document.get("components", {}).get("schemas", {})

    def resolve(self, schema: dict[str, Any]) -> dict[str, Any]:
        while "$ref" in schema:
            schema = self.components[schema["$ref"].rsplit("/", 1)[-1]]
        return schema

    def is_text(self, schema: dict[str, Any]) -> bool:
        schema = self.resolve(schema)
        options = schema.get("anyOf", []) + schema.get("oneOf", [])
        return schema.get("type") == "string" or any(self.is_text(o) for o in options)

    def text_paths(self, schema: dict[str, Any], depth: int = 0) -> Iterator[list[str | int]]:
        """Paths to every string a JSON value of ``schema`` can hold (keys, list index 0)."""
        if depth > MAX_DEPTH:
            return
        schema = self.resolve(schema)
        seen: set[str] = set()
        for option in schema.get("anyOf", []) + schema.get("oneOf", []) + schema.get("allOf", []):
            for path in self.text_paths(option, depth + 1):
                if (key := json.dumps(path)) not in seen:
                    seen.add(key)
                    yield path
        if schema.get("type") == "string":
            yield []
        for name, child in schema.get("properties", {}).items():
            for path in self.text_paths(child, depth + 1):
                yield [name, *path]
        if isinstance(schema.get("additionalProperties"), dict):
            for path in self.text_paths(schema["additionalProperties"], depth + 1):
                yield ["key", *path]
        if "items" in schema:
            for path in self.text_paths(schema["items"], depth + 1):
                yield [0, *path]

    def placeholder(self, schema: dict[str, Any]) -> str:
        schema = self.resolve(schema)
        if schema.get("type") == "integer":
            return PLACEHOLDERS["integer"]
        return PLACEHOLDERS["uuid"] if schema.get("format") == "uuid" else "x"


def _value_at(path: list[str | int]) -> Any:
    value: Any = NUL
    for step in reversed(path):
        value = [value] if isinstance(step, int) else {step: value}
    return value


def _url(schemas: Schemas, template: str, path_params: dict[str, Any], nul_in: str | None) -> str:
    """The operation's path with a placeholder in each parameter, a NUL in ``nul_in``."""
    out = template
    for name, p in path_params.items():
        value = "a%00b" if name == nul_in else schemas.placeholder(p["schema"])
        out = out.replace("{" + name + "}", value)
    return out


def cases(document: dict[str, Any]) -> Iterator[Case]:
    schemas = Schemas(document)
    for template, item in document["paths"].items():
        for method, operation in item.items():
            if method not in {"get", "put", "post", "patch", "delete"}:
                continue
            parameters = operation.get("parameters", [])
            path_params = {p["name"]: p for p in parameters if p["in"] == "path"}

            def url(nul_in: str | None = None) -> str:
                return _url(schemas, template, path_params, nul_in)  # noqa: B023 - used at once

            upper = method.upper()
            for p in parameters:
                if not schemas.is_text(p["schema"]):
                    continue
                where, name = p["in"], p["name"]
                if where == "path":
                    yield Case(upper, url(name), f"path.{name}")
                elif where == "query":
                    yield Case(upper, url(), f"query.{name}", params={name: NUL})
                elif where == "header":
                    yield Case(upper, url(), f"header.{name.lower()}", headers={name: NUL})
            content = operation.get("requestBody", {}).get("content", {})
            if "application/json" in content:
                for path in schemas.text_paths(content["application/json"]["schema"]):
                    where = ".".join(["body", *(str(step) for step in path)])
                    yield Case(upper, url(), where, body=_value_at(path))


async def _fingerprint(url: str) -> str:
    """A digest of every row of every table: equal before and after means nothing changed."""
    database = create_database(url)
    digest = hashlib.sha256()
    try:
        async with database.engine.connect() as conn:
            metadata = MetaData()
            await conn.run_sync(metadata.reflect)
            for table in metadata.sorted_tables:
                rows = (await conn.execute(select(table))).all()
                digest.update(table.name.encode())
                digest.update(repr(sorted(repr(tuple(r)) for r in rows)).encode())
    finally:
        await database.dispose()
    return digest.hexdigest()


async def _settled(url: str, within: float = 120.0) -> None:
    """Wait until what the service does by itself at start is done (knowledge's seeded
    taxonomy published and its outbox rows marked sent), so only a request could change rows."""
    database = create_database(url)
    try:
        deadline = asyncio.get_running_loop().time() + within
        while asyncio.get_running_loop().time() < deadline:
            async with database.engine.connect() as conn:
                waiting = await conn.scalar(
                    text("SELECT count(*) FROM outbox WHERE published_at IS NULL")
                )
            if not waiting:
                return
            await asyncio.sleep(0.2)
    finally:
        await database.dispose()


async def _sweep(app: FastAPI, auth: dict[str, str], url: str) -> tuple[list[str], bool]:
    """(failures, whether the database changed) over every case of the app's OpenAPI."""
    failures: list[str] = []
    async with running_app(app) as client:
        await _settled(url)
        before = await _fingerprint(url)
        sweep = list(cases(app.openapi()))
        assert len(sweep) > 20, "the sweep found too few text fields"
        for case in sweep:
            headers = {**auth, **case.headers}
            content = None
            if case.body is not None:
                content = json.dumps(case.body)
                headers["Content-Type"] = "application/json"
            response = await client.request(
                case.method, case.path, params=case.params, headers=headers, content=content
            )
            expected = [{"field": case.field, "message": NUL_MESSAGE}]
            if response.status_code != 422 or response.json().get("errors") != expected:
                failures.append(
                    f"{case.method} {case.path} {case.field}: "
                    f"{response.status_code} {response.text[:200]}"
                )
        after = await _fingerprint(url)
    return failures, before != after


@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize("service", list(SERVICES))
def test_a_nul_in_any_text_field_is_a_422_naming_it_and_changes_nothing(
    service: str, backend: str, tmp_path: Path
) -> None:
    with service_app(service, tmp_path, SERVICES[service], backend) as (app, auth, url):
        failures, changed = asyncio.run(_sweep(app, auth, url))
    assert not failures, "\n".join(failures)
    assert not changed, "a rejected request changed the database"
