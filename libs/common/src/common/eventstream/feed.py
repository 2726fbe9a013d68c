"""The paged feed: ``?after=<cursor>&limit=`` over a stream, for batch integrators.

``next_cursor`` is never null: it is where the next page starts, the last message read (even
one the caller may not see, so filtered-out stretches are not read again). At the end of the
stream it stays put; poll again with it later to get what came since.

One page reads at most ``MAX_SCANNED`` messages, so a caller who may see little of a long
stream costs a bounded amount per request: its page can be short, even empty, before the
end. The end is where ``next_cursor`` stops moving.

A page costs about what a page of an ordinary list does: messages are read in chunks and the
host decides who sees a whole chunk at once (``VisibleMany``: one session, a query per kind
of lookup, not per event), and each event goes out as the bytes it was published as, not
parsed into a model and serialised again (``RawFeedPage.to_json``).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from nats.js.client import JetStreamContext
from pydantic import BaseModel, Field

from common.eventstream.cursors import cursor_for
from common.eventstream.reader import (
    StreamEntry,
    Visible,
    VisibleMany,
    last_sequence,
    one_by_one,
    ordered_reader,
    parse_entry,
)

READ_TIMEOUT_SECONDS = 5.0
MAX_SCANNED = 1000


class FeedEntry(BaseModel):
    cursor: str = Field(description="Pass as `after` to read from just after this event")
    event: dict[str, Any] = Field(
        description="The CloudEvent (structured JSON)",
        examples=[{"specversion": "1.0", "type": "org.criticalfriend.reviews.review.closed.v1"}],
    )


class FeedPage(BaseModel):
    data: list[FeedEntry]
    next_cursor: str = Field(
        description="Where the next page starts; never null. A page may be short (even empty) "
        "before the end; the end is where `next_cursor` stops moving: poll again with it for "
        "what comes later."
    )


@dataclass(frozen=True)
class RawFeedPage:
    """A page as read: the visible entries and where the next page starts."""

    entries: list[StreamEntry]
    next_seq: int

    def to_json(self) -> bytes:
        """The ``FeedPage`` JSON, each event spliced in as published (a JSON object)."""
        items = b",".join(
            b'{"cursor":' + json.dumps(cursor_for(e.seq)).encode() + b',"event":' + e.raw + b"}"
            for e in self.entries
        )
        cursor = json.dumps(cursor_for(self.next_seq)).encode()
        return b'{"data":[' + items + b'],"next_cursor":' + cursor + b"}"

    def to_model(self) -> FeedPage:
        data = [FeedEntry(cursor=cursor_for(e.seq), event=json.loads(e.raw)) for e in self.entries]
        return FeedPage(data=data, next_cursor=cursor_for(self.next_seq))


async def read_feed_page(
    js: JetStreamContext,
    stream: str,
    *,
    after: int,
    limit: int,
    visible: VisibleMany,
    filter_subjects: Sequence[str] = (),
    max_scanned: int = MAX_SCANNED,
) -> RawFeedPage:
    """Up to ``limit`` events the caller may see, after stream sequence ``after``."""
    last = await last_sequence(js, stream)
    position = after
    entries: list[StreamEntry] = []
    if last > after:
        async with ordered_reader(
            js, stream, start_seq=after + 1, filter_subjects=filter_subjects
        ) as sub:
            # The server may have pushed every match into the client's buffer already, so
            # num_pending alone can be 0 while messages wait: "delivered" says so too.
            info = await sub.consumer_info()
            delivered = info.delivered.stream_seq if info.delivered else 0
            more = bool(info.num_pending) or (delivered or 0) > after
            scanned = 0
            while more and len(entries) < limit and scanned < max_scanned:
                # A chunk no longer than the page still needs, so every visible entry of it
                # fits and the next page can start after its last message.
                chunk: list[StreamEntry] = []
                while more and len(chunk) < limit - len(entries) and scanned < max_scanned:
                    scanned += 1
                    msg = await sub.next_msg(timeout=READ_TIMEOUT_SECONDS)
                    meta = msg.metadata
                    position = meta.sequence.stream
                    more = bool(meta.num_pending)
                    entry = parse_entry(position, msg.subject, msg.data)
                    if entry is not None:
                        chunk.append(entry)
                if chunk:
                    verdicts = await visible(chunk)
                    entries += [e for e, ok in zip(chunk, verdicts, strict=True) if ok]
            if not more:
                # No match after ``position`` up to ``last``: the next page may start there.
                position = max(position, last)
    return RawFeedPage(entries=entries, next_seq=position)


async def read_feed(
    js: JetStreamContext,
    stream: str,
    *,
    after: int,
    limit: int,
    visible: Visible | None = None,
    visible_many: VisibleMany | None = None,
    filter_subjects: Sequence[str] = (),
    max_scanned: int = MAX_SCANNED,
) -> FeedPage:
    """``read_feed_page`` as a model, with a per-entry rule or a page rule."""
    if visible_many is None:
        if visible is None:
            raise ValueError("read_feed needs visible or visible_many")
        visible_many = one_by_one(visible)
    page = await read_feed_page(
        js,
        stream,
        after=after,
        limit=limit,
        visible=visible_many,
        filter_subjects=filter_subjects,
        max_scanned=max_scanned,
    )
    return page.to_model()
