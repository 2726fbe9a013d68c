"""How an event is named: its CloudEvents type and its NATS subject with the tenancy path."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Generic, TypeVar

from pydantic import BaseModel

PayloadT = TypeVar("PayloadT", bound=BaseModel)

CE_TYPE_PREFIX = "org.criticalfriend"
NOT_APPLICABLE = "_"
_TOKEN = re.compile(r"^[A-Za-z0-9_-]+$")


@dataclass(frozen=True)
class TenancyPath:
    """The three last subject tokens: LA code, partnership id, school URN; `_` where none applies.

    NATS permissions can then give a council ``*.*.*.*.881.>`` and a partnership
    ``*.*.*.*.*.<id>.>``.
    """

    la: str | None = None
    partnership: str | None = None
    urn: str | int | None = None

    def tokens(self) -> tuple[str, str, str]:
        values = (self.la, self.partnership, self.urn)
        tokens = tuple(NOT_APPLICABLE if v in (None, "") else str(v) for v in values)
        for token in tokens:
            if not _TOKEN.match(token):
                raise ValueError(f"not a valid subject token: {token!r}")
        return tokens  # type: ignore[return-value]


@dataclass(frozen=True)
class EventDefinition(Generic[PayloadT]):
    """One kind of event: ``<service>.<aggregate>.<action>.v<major>`` and its payload model."""

    service: str
    aggregate: str
    action: str
    major: int
    payload: type[PayloadT]
    summary: str

    @property
    def name(self) -> str:
        return f"{self.service}.{self.aggregate}.{self.action}.v{self.major}"

    @property
    def type(self) -> str:
        """The CloudEvents ``type``, e.g. ``org.criticalfriend.scheduling.school.registered.v1``."""
        return f"{CE_TYPE_PREFIX}.{self.name}"

    @property
    def source(self) -> str:
        return f"/{self.service}"

    @property
    def subject_filter(self) -> str:
        """Matches this event for every tenant: ``scheduling.school.registered.v1.>``."""
        return f"{self.name}.>"

    @property
    def subject_template(self) -> str:
        return f"{self.name}.{{la}}.{{partnership}}.{{urn}}"

    def subject(self, tenancy: TenancyPath) -> str:
        la, partnership, urn = tenancy.tokens()
        return f"{self.name}.{la}.{partnership}.{urn}"
