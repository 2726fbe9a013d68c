"""What an attempt's outcome means for its delivery, and when the next attempt is due.

Outcomes (the Standard Webhooks specification's suggested handling):

- ``2xx``: delivered.
- ``410 Gone``: the receiver wants no more; the subscription is disabled and nothing more is
  tried for it (its pending deliveries fail).
- everything else is a failure to retry on the schedule: ``5xx``, ``429``, timeouts,
  connection errors, a ``3xx`` (redirects are not followed: the owner should update the URL)
  and the other ``4xx``. Those are most often a receiver being redeployed or misconfigured (a
  404 while its route is missing, a 401 from a secret not yet rolled out), which its owner can
  fix within the day the schedule lasts; giving up at once would lose the event for them.
  A ``Retry-After`` (on 429 or 503) is honoured when it asks for longer than the schedule.

The schedule is Svix's: 5 s, 5 min, 30 min, 2 h, 5 h, 10 h, 10 h after the first attempt
(about 28 hours in all), each delay jittered by up to 20% so that receivers recovering from an
outage are not hit by every retry at the same moment.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from email.utils import parsedate_to_datetime
from enum import Enum

DEFAULT_DELAYS: tuple[float, ...] = (5, 300, 1800, 7200, 18000, 36000, 36000)
MAX_RETRY_AFTER_SECONDS = 86400.0


class Outcome(Enum):
    DELIVERED = "delivered"
    GONE = "gone"
    RETRY = "retry"
    WITHHELD = "withheld"  # not sent: the subscription may no longer receive the event


def outcome_of(status_code: int | None) -> Outcome:
    """``None`` is no answer at all (timeout, refused or reset connection)."""
    if status_code is not None and 200 <= status_code < 300:
        return Outcome.DELIVERED
    if status_code == 410:
        return Outcome.GONE
    return Outcome.RETRY


def retry_after_seconds(value: str | None, now: datetime) -> float | None:
    """``Retry-After`` as seconds from ``now`` (delta-seconds or an HTTP date), capped."""
    if value is None:
        return None
    value = value.strip()
    seconds: float
    if value.isdigit():
        seconds = float(value)
    else:
        try:
            seconds = (parsedate_to_datetime(value) - now).total_seconds()
        except (TypeError, ValueError):
            return None
    return min(max(seconds, 0.0), MAX_RETRY_AFTER_SECONDS)


@dataclass(frozen=True)
class RetryPolicy:
    """``delays[n]`` is the wait after the ``n+1``-th failed attempt; when they run out the
    delivery fails. Tests pass short delays (and ``jitter=0``) to run in seconds."""

    delays: Sequence[float] = DEFAULT_DELAYS
    jitter: float = 0.2
    rng: random.Random = field(default_factory=random.Random, compare=False, repr=False)

    @property
    def max_attempts(self) -> int:
        return len(self.delays) + 1

    def next_attempt(
        self, failed_attempts: int, now: datetime, retry_after: float | None = None
    ) -> datetime | None:
        """When to try again after ``failed_attempts`` failures; ``None``: give up."""
        if failed_attempts > len(self.delays):
            return None
        delay = self.delays[failed_attempts - 1]
        if self.jitter:
            delay *= self.rng.uniform(1 - self.jitter, 1 + self.jitter)
        if retry_after is not None:
            delay = max(delay, retry_after)
        return now + timedelta(seconds=delay)
