"""FastAPI dependencies of the knowledge routes."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import Depends
from sqlalchemy.ext.asyncio import AsyncSession

from common.auth import Principal, require_scopes
from common.runtime import session_dependency

SessionDep = Annotated[AsyncSession, Depends(session_dependency)]
KnowledgeReader = Annotated[Principal, Depends(require_scopes("knowledge:read"))]
KnowledgeAdmin = Annotated[Principal, Depends(require_scopes("knowledge:admin"))]

# A scope or partnership given as a query parameter or in the body can be one the caller may not
# see: documented as the same 404 problem that path parameters get.
NOT_VISIBLE: dict[int | str, dict[str, Any]] = {
    404: {
        "description": "No such scope (or not visible to this client).",
        "content": {
            "application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}
        },
    }
}
