from __future__ import annotations

import uuid
from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field

from scheduling.directory.tombstone.models import Collection


class TombstoneOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID = Field(description="The tombstone's own id: pass as `after_id`")
    collection: Collection
    entity_id: str = Field(description="The deleted row's id (a member's URN, a record's id)")
    partnership_id: uuid.UUID | None = Field(description="The partnership it belonged to")
    urn: int | None = Field(description="The school it belonged to")
    person_id: uuid.UUID | None = Field(description="The person it belonged to")
    removed_at: datetime = Field(description="When it was deleted: pass as `updated_since`")
