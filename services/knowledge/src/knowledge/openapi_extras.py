"""What the knowledge OpenAPI document says beyond its routes: tag descriptions."""

from __future__ import annotations

from common.http.openapi_document import OpenApiExtras

TAGS = {
    "themes": "The theme taxonomy that findings and evidence are coded with.",
    "insights": "Aggregates across reviews, with small numbers suppressed.",
    "evidence library": "The research evidence library, searchable by theme.",
    "support brokering": "Matching schools that need support with schools strong in a theme.",
}

OPENAPI = OpenApiExtras(tags=TAGS)
