"""Handler tables and the typed publish: a consumer reads exactly its table's events and skips
any other type; a payload that is not its definition's model never reaches the outbox."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, cast

import pytest
from pydantic import BaseModel
from sqlalchemy.ext.asyncio import AsyncSession

from common.messaging import CloudEvent, Dispatcher, Handler, publish, subject_filters
from common.runtime import ConsumerSpec


class Registered(BaseModel):
    urn: int


class Closed(BaseModel):
    reason: str


@dataclass(frozen=True)
class Kind:
    """Shaped like contracts.events.EventDefinition (common may not import it)."""

    name: str
    payload: type[BaseModel]

    @property
    def type(self) -> str:
        return f"org.example.{self.name}"

    @property
    def subject_filter(self) -> str:
        return f"{self.name}.>"

    @property
    def source(self) -> str:
        return "/example"

    def subject(self, tenancy: str) -> str:
        return f"{self.name}.{tenancy}"


REGISTERED = Kind("school.registered.v1", Registered)
UPDATED = Kind("school.updated.v1", Registered)
CLOSED = Kind("school.closed.v1", Closed)
SESSION = cast(AsyncSession, None)


def _recorder(seen: list[tuple[str, str]], label: str) -> Handler:
    async def handle(session: AsyncSession, event: CloudEvent) -> None:
        seen.append((label, event.type))

    return handle


async def test_the_table_decides_the_handler_and_skips_unknown_types() -> None:
    seen: list[tuple[str, str]] = []
    shared = _recorder(seen, "school")
    dispatch = Dispatcher.of("test", {REGISTERED: shared, UPDATED: shared})
    for kind in (REGISTERED, UPDATED, CLOSED):
        await dispatch(SESSION, CloudEvent(source="/example", type=kind.type))
    assert seen == [("school", REGISTERED.type), ("school", UPDATED.type)]


def test_a_spec_subscribes_to_exactly_its_table_in_order() -> None:
    noop = _recorder([], "noop")
    table: dict[Any, Handler] = {UPDATED: noop, REGISTERED: noop, CLOSED: noop}
    spec = ConsumerSpec.dispatching(
        stream="EXAMPLE", durable="example", handlers=table, transaction_batch=4
    )
    assert list(spec.filter_subjects) == [
        UPDATED.subject_filter,
        REGISTERED.subject_filter,
        CLOSED.subject_filter,
    ]
    assert spec.transaction_batch == 4
    assert subject_filters({REGISTERED: noop, UPDATED: noop}) == [
        "school.registered.v1.>",
        "school.updated.v1.>",
    ]


def test_publish_refuses_a_payload_of_another_model() -> None:
    with pytest.raises(TypeError, match="carries Closed"):
        publish(
            SESSION, CLOSED, Registered(urn=100000), tenancy="881", subject="s", partition_key="k"
        )
