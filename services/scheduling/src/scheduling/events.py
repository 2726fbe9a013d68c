"""Publish an event in the caller's transaction: the one implementation is
:mod:`common.messaging.publish`; the scheduling modules import it from here."""

from __future__ import annotations

from common.messaging import Outgoing, publish, publish_many

__all__ = ["Outgoing", "publish", "publish_many"]
