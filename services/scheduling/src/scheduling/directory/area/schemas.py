"""HTTP models of an LA's areas."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated

from pydantic import ConfigDict, StringConstraints

from common.http.schemas import StrictModel

Name = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]


class AreaIn(StrictModel):
    model_config = ConfigDict(json_schema_extra={"examples": [{"name": "North East Quadrant"}]})

    name: Name


class AreaPartnership(StrictModel):
    """A partnership in the area, its name beside its id."""

    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    name: str


class AreaOut(StrictModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    la_code: str
    name: str
    partnerships: list[AreaPartnership]
    version: int
    created_at: datetime
    updated_at: datetime
