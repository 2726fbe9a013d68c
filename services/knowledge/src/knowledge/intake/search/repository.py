"""Writes and full-text queries of the search documents. The query is the database's own
full-text search: FTS5 ``MATCH`` ranked by ``bm25`` on SQLite, ``websearch_to_tsquery`` ranked
by ``ts_rank_cd`` on PostgreSQL (GIN index). Never commits."""

from __future__ import annotations

import re
import uuid
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import (
    ColumnElement,
    column,
    delete,
    func,
    insert,
    literal_column,
    select,
    table,
)
from sqlalchemy.ext.asyncio import AsyncSession

from knowledge import db
from knowledge.intake.search.models import SearchDocument


def theme_field(codes: Collection[str]) -> str:
    return "|" + "|".join(sorted(set(codes))) + "|"


class SearchRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def replace(
        self, review_id: uuid.UUID, doc_kind: str, documents: Sequence[dict[str, Any]]
    ) -> None:
        await self.session.execute(
            delete(SearchDocument).where(
                SearchDocument.review_id == review_id, SearchDocument.doc_kind == doc_kind
            )
        )
        if documents:
            await self.session.execute(insert(db.table(SearchDocument)), list(documents))

    async def forget_review(self, review_id: uuid.UUID) -> None:
        await self.session.execute(
            delete(SearchDocument).where(SearchDocument.review_id == review_id)
        )

    async def forget_partnership(self, partnership_id: uuid.UUID) -> None:
        await self.session.execute(
            delete(SearchDocument).where(SearchDocument.partnership_id == partnership_id)
        )


@dataclass(frozen=True)
class Hit:
    document: SearchDocument
    score: float


_FTS = table("search_fts", column("rowid"), column("search_fts"))
_BODY_TSV: ColumnElement[Any] = column("body_tsv")


def fts5_query(text_query: str) -> str:
    """Each word of the user's text as an FTS5 string ("phonics" "gaps"): all must match, and
    nothing the user typed is read as FTS5 syntax."""
    return " ".join(f'"{word}"' for word in re.findall(r"\w+", text_query))


async def search(
    session: AsyncSession,
    text_query: str,
    visible: ColumnElement[bool],
    filters: Sequence[ColumnElement[bool]],
    *,
    limit: int,
    offset: int,
) -> list[Hit]:
    """Ranked matches among the visible documents (best first, then oldest document first)."""
    if session.get_bind().dialect.name == "postgresql":
        query = func.websearch_to_tsquery("english", text_query)
        score: ColumnElement[Any] = func.ts_rank_cd(_BODY_TSV, query)
        statement = select(SearchDocument, score).where(_BODY_TSV.op("@@")(query))
        order: list[Any] = [score.desc(), SearchDocument.id.asc()]
    else:
        # bm25() is lower for better matches: negated, so that higher is better everywhere.
        score = -func.bm25(literal_column("search_fts"))
        statement = (
            select(SearchDocument, score)
            .join(_FTS, _FTS.c.rowid == SearchDocument.id)
            .where(_FTS.c.search_fts.match(fts5_query(text_query)))
        )
        order = [func.bm25(literal_column("search_fts")).asc(), SearchDocument.id.asc()]
    statement = statement.where(visible, *filters).order_by(*order).offset(offset).limit(limit)
    rows = await session.execute(statement)
    return [Hit(document, float(value)) for document, value in rows]
