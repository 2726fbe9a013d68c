"""A JetStream stream over HTTP for integrators: Server-Sent Events resumable with
``Last-Event-ID``, and a paged feed with opaque cursors, both filtered per caller."""

from common.eventstream.cursors import cursor_for, sequence_of
from common.eventstream.feed import FeedEntry, FeedPage, RawFeedPage, read_feed, read_feed_page
from common.eventstream.reader import StreamEntry, Visible, VisibleMany, follow, one_by_one
from common.eventstream.router import EventsHost, events_router, runtime_jetstream
from common.eventstream.sse import event_stream_response, start_sequence

__all__ = [
    "EventsHost",
    "FeedEntry",
    "FeedPage",
    "RawFeedPage",
    "StreamEntry",
    "Visible",
    "VisibleMany",
    "cursor_for",
    "event_stream_response",
    "events_router",
    "follow",
    "one_by_one",
    "read_feed",
    "read_feed_page",
    "runtime_jetstream",
    "sequence_of",
    "start_sequence",
]
