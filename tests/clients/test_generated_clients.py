"""The generated clients drive the three services in-process: scheduling builds a
partnership with an idempotent create, a school and a membership and reads them back;
reviews and knowledge read what exists; problems come back parsed."""

from __future__ import annotations

import importlib
import uuid
from collections.abc import Callable
from typing import Any

import httpx

from tests.e2e.conftest import System
from tests.support import TokenFactory


def _client(package: Any, http: httpx.AsyncClient, token: str) -> Any:
    """The generated ``AuthenticatedClient`` sending through the in-process app."""
    http.headers["Authorization"] = f"Bearer {token}"
    client = package.AuthenticatedClient(base_url=str(http.base_url), token=token)
    return client.set_async_httpx_client(http)


def _operation(package: Any, tag: str, operation_id: str) -> Any:
    """The generated module of one operation (``api/<tag>/<operationId>.py``)."""
    return importlib.import_module(f"{package.__name__}.api.{tag}.{operation_id}")


async def test_generated_clients_drive_each_service(
    system: System, issue_token: TokenFactory, generated_clients: Callable[[str], Any]
) -> None:
    sched = generated_clients("scheduling")
    models = importlib.import_module(f"{sched.__name__}.models")
    token = issue_token("directory:read", "directory:write", la=["881"])
    client = _client(sched, system.scheduling, token)
    create_partnership = _operation(sched, "partnerships", "create_partnership")
    get_partnership = _operation(sched, "partnerships", "get_partnership")
    put_member = _operation(sched, "partnerships", "put_partnership_member")
    list_members = _operation(sched, "partnerships", "list_partnership_members")
    put_school = _operation(sched, "schools", "put_school")

    body = models.PartnershipIn(
        name="Mid Essex Learning Partnership",
        kind=models.PartnershipKind("la_cluster"),
        la_code="881",
    )
    created = await create_partnership.asyncio_detailed(
        client=client, body=body, idempotency_key="mid-essex-1"
    )
    assert created.status_code == 201, created.content
    partnership = created.parsed
    assert isinstance(partnership, models.PartnershipOut)
    again = await create_partnership.asyncio_detailed(
        client=client, body=body, idempotency_key="mid-essex-1"
    )
    assert again.headers["Idempotent-Replayed"] == "true"
    assert again.parsed.id == partnership.id

    school = models.SchoolIn(
        name="Chelmer Valley Primary",
        phase=models.Phase("primary"),
        la_code="881",
        status=models.SchoolStatus("open"),
    )
    put = await put_school.asyncio_detailed(urn=115000, client=client, body=school)
    assert put.status_code == 201, put.content
    joined = await put_member.asyncio_detailed(
        partnership_id=partnership.id, urn=115000, client=client
    )
    assert joined.status_code == 201, joined.content
    members = await list_members.asyncio(partnership_id=partnership.id, client=client)
    assert [m.urn for m in members.data] == [115000]
    read = await get_partnership.asyncio(partnership_id=partnership.id, client=client)
    assert read.name == "Mid Essex Learning Partnership"
    missing = await get_partnership.asyncio_detailed(partnership_id=uuid.uuid4(), client=client)
    assert missing.status_code == 404
    assert isinstance(missing.parsed, models.Problem)
    assert missing.parsed.status == 404

    reviews = generated_clients("reviews")
    reviews_client = _client(reviews, system.reviews, issue_token("reviews:read", la=["881"]))
    page = await _operation(reviews, "reviews", "list_reviews").asyncio(client=reviews_client)
    assert page.data == []

    knowledge = generated_clients("knowledge")
    knowledge_client = _client(knowledge, system.knowledge, issue_token("knowledge:read"))
    themes = await _operation(knowledge, "themes", "list_themes").asyncio(client=knowledge_client)
    assert themes.data, "the seeded taxonomy"
    first = themes.data[0].code
    theme = await _operation(knowledge, "themes", "get_theme").asyncio(
        code=first, client=knowledge_client
    )
    assert theme.code == first
