"""FastAPI dependencies of the scheduling routes."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Path
from sqlalchemy.ext.asyncio import AsyncSession

from common.auth import Principal, require_scopes
from common.runtime import session_dependency

SessionDep = Annotated[AsyncSession, Depends(session_dependency)]
DirectoryReader = Annotated[Principal, Depends(require_scopes("directory:read"))]
DirectoryWriter = Annotated[Principal, Depends(require_scopes("directory:write"))]
ScheduleReader = Annotated[Principal, Depends(require_scopes("schedule:read"))]
ScheduleWriter = Annotated[Principal, Depends(require_scopes("schedule:write"))]

UrnPath = Annotated[
    int,
    Path(ge=100000, le=999999, description="DfE unique reference number", examples=[115000]),
]
