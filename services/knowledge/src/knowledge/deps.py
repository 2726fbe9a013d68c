"""FastAPI dependencies of the knowledge routes."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends
from sqlalchemy.ext.asyncio import AsyncSession

from common.auth import Principal, require_scopes
from common.runtime import session_dependency

SessionDep = Annotated[AsyncSession, Depends(session_dependency)]
KnowledgeReader = Annotated[Principal, Depends(require_scopes("knowledge:read"))]
KnowledgeAdmin = Annotated[Principal, Depends(require_scopes("knowledge:admin"))]
