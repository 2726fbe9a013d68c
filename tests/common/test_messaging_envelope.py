"""The CloudEvents envelope: structured JSON mode round trip, and what counts as malformed."""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime, timedelta, timezone

import pytest

from common.messaging import CloudEvent, MalformedEvent


def test_round_trip_keeps_every_attribute() -> None:
    event = CloudEvent(
        source="/scheduling",
        type="org.criticalfriend.scheduling.school.registered.v1",
        subject="schools/100000",
        data={"urn": "100000", "name": "Hill Top"},
        partitionkey="100000",
        correlationid="req-1",
    )
    assert CloudEvent.from_bytes(event.to_bytes()) == event


def test_defaults_are_a_uuid7_id_and_utc_now() -> None:
    event = CloudEvent(source="/s", type="t")
    assert uuid.UUID(event.id).version == 7
    assert event.time.tzinfo is not None
    assert abs(datetime.now(UTC) - event.time) < timedelta(minutes=1)
    assert (event.specversion, event.datacontenttype) == ("1.0", "application/json")


def test_structured_json_leaves_out_absent_optional_attributes() -> None:
    body = json.loads(CloudEvent(source="/s", type="t").to_bytes())
    assert set(body) == {"specversion", "id", "source", "type", "time", "datacontenttype", "data"}


def test_time_is_normalised_to_utc() -> None:
    paris = timezone(timedelta(hours=1))
    event = CloudEvent(source="/s", type="t", time=datetime(2025, 1, 1, 13, tzinfo=paris))
    assert event.time == datetime(2025, 1, 1, 12, tzinfo=UTC)
    assert event.time.utcoffset() == timedelta(0)


def _body(**changes: object) -> bytes:
    body = json.loads(CloudEvent(source="/s", type="t", data={"a": 1}).to_bytes())
    for name, value in changes.items():
        if value is None:
            body.pop(name)
        else:
            body[name] = value
    return json.dumps(body).encode()


@pytest.mark.parametrize(
    "raw",
    [
        pytest.param(b"", id="empty"),
        pytest.param(b"not json", id="not-json"),
        pytest.param(b"\xff\xfe\x00", id="not-utf8"),
        pytest.param(b"[1, 2]", id="not-an-object"),
        pytest.param(_body(id=None), id="no-id"),
        pytest.param(_body(time=None), id="no-time"),
        pytest.param(_body(source=None), id="no-source"),
        pytest.param(_body(specversion="0.3"), id="other-specversion"),
        pytest.param(_body(time="2025-01-01T12:00:00"), id="naive-time"),
        pytest.param(_body(data=[1, 2]), id="data-not-an-object"),
        pytest.param(_body(datacontenttype="text/xml"), id="not-json-data"),
    ],
)
def test_malformed_input_raises_malformed_event(raw: bytes) -> None:
    with pytest.raises(MalformedEvent, match=r"not a CloudEvents 1\.0 JSON event"):
        CloudEvent.from_bytes(raw)


def test_unknown_extension_attributes_are_ignored() -> None:
    event = CloudEvent.from_bytes(_body(traceparent="00-abc-def-01"))
    assert event.data == {"a": 1}
