"""What the knowledge OpenAPI document says beyond its routes: tag descriptions."""

from __future__ import annotations

from common.http.openapi_document import OpenApiExtras

TAGS = {
    "themes": "The theme taxonomy that findings and evidence are coded with.",
    "insights": "Aggregates across reviews, with small numbers suppressed.",
    "evidence library": "The research evidence library, searchable by theme.",
    "support brokering": "Matching schools that need support with schools strong in a theme.",
}

#: Descriptions for operations whose route gives none (operationId -> text).
DESCRIPTIONS = {
    "get_source": "One research source of the evidence library, with its themes.",
    "get_expertise_map": "The codes reviewers record their expertise with, and the themes "
    "each covers.",
    "get_theme": "One theme of the taxonomy by its code (e.g. `curriculum.reading`).",
}

OPENAPI = OpenApiExtras(tags=TAGS, descriptions=DESCRIPTIONS)
