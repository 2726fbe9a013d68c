"""What the reviews OpenAPI document says beyond its routes: tag descriptions, and the events
its webhooks, stream and feed deliver (typed from the contracts)."""

from __future__ import annotations

from common.http.openapi_document import OpenApiExtras
from reviews.integration.catalog import CONTENT, LIFECYCLE

TAGS = {
    "reviews": "A review's record and its lifecycle: states, moves and history.",
    "self-evaluation": "The school's self-evaluation and its data summary.",
    "focus": "The review's focus, its questions, and challenges to it.",
    "evidence": "Evidence gathered against the focus questions.",
    "findings": "Strengths and areas for development, each tied to themes and evidence.",
    "report": "Report drafts, the head's acknowledgement, and publication.",
    "workshop": "The improvement workshop and the action plan it agrees.",
    "progress": "The 90-day progress review of the action plan.",
    "host feedback": "The host school's ratings of its review, given once after the report.",
    "review progress": "A council's view of its year: each partnership's reviews, counted.",
    "evaluation": "A partnership's year for its June evaluation: counts, consistency, feedback.",
    "digests": "A partnership lead's week: milestones due and overdue, reviews held.",
}

#: Descriptions for operations whose route gives none (operationId -> text).
DESCRIPTIONS = {
    "get_review": "One review with its state and team; 404 when there is none or the token "
    "may not see it.",
    "get_finding": "One finding of the review, with its themes and evidence.",
}

#: The review's ETag is for its transitions, a path of its own (not the GET's).
OPERATIONS = {
    "get_review": {
        "responses": {"200": {"headers": {"ETag": {"$ref": "#/components/headers/ETag"}}}}
    }
}

OPENAPI = OpenApiExtras(
    tags=TAGS,
    events=(*LIFECYCLE, *CONTENT),
    webhooks=True,
    descriptions=DESCRIPTIONS,
    operations=OPERATIONS,
)
