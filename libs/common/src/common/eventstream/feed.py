"""The paged feed: ``?after=<cursor>&limit=`` over a stream, for batch integrators.

``next_cursor`` is never null: it is where the next page starts, the last message read (even
one the caller may not see, so filtered-out stretches are not read again). At the end of the
stream it stays put; poll again with it later to get what came since.

One page reads at most ``MAX_SCANNED`` messages, so a caller who may see little of a long
stream costs a bounded amount per request: its page can be short, even empty, before the
end. The end is where ``next_cursor`` stops moving.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from nats.js.client import JetStreamContext
from pydantic import BaseModel, Field

from common.eventstream.cursors import cursor_for
from common.eventstream.reader import Visible, last_sequence, ordered_reader, parse_entry

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


async def read_feed(
    js: JetStreamContext,
    stream: str,
    *,
    after: int,
    limit: int,
    visible: Visible,
    filter_subjects: Sequence[str] = (),
    max_scanned: int = MAX_SCANNED,
) -> FeedPage:
    """Up to ``limit`` events the caller may see, after stream sequence ``after``."""
    last = await last_sequence(js, stream)
    position = after
    entries: list[FeedEntry] = []
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
                scanned += 1
                msg = await sub.next_msg(timeout=READ_TIMEOUT_SECONDS)
                meta = msg.metadata
                position = meta.sequence.stream
                more = bool(meta.num_pending)
                entry = parse_entry(position, msg.subject, msg.data)
                if entry is not None and await visible(entry):
                    entries.append(
                        FeedEntry(cursor=cursor_for(position), event=json.loads(entry.raw))
                    )
            if not more:
                # No match after ``position`` up to ``last``: the next page may start there.
                position = max(position, last)
    return FeedPage(data=entries, next_cursor=cursor_for(position))
