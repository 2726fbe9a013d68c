"""FastAPI dependencies of the reviews routes."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends
from sqlalchemy.ext.asyncio import AsyncSession

from common.auth import Principal, require_scopes
from common.runtime import session_dependency

SessionDep = Annotated[AsyncSession, Depends(session_dependency)]
ReviewsReader = Annotated[Principal, Depends(require_scopes("reviews:read"))]
ReviewsWriter = Annotated[Principal, Depends(require_scopes("reviews:write"))]
