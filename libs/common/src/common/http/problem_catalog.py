"""The catalogue of problem types: every ``type`` a service can answer, with what it means.

A problem's ``type`` is ``https://criticalfriend.org/problems/<slug>``
(:func:`common.http.problems.problem_type`); every service serves this whole catalogue at
``GET /problems`` and ``GET /problems/{slug}`` (:mod:`common.http.problem_routes`), so the
gateway may route ``/problems`` to any of them. One catalogue for all services: a client
reads one list, and ``tests/docs/test_problem_catalog.py`` fails when a service raises a type
that is not here.
"""

from __future__ import annotations

from dataclasses import dataclass

from common.http.problems import _SLUGS, problem_type, status_title


@dataclass(frozen=True)
class ProblemType:
    slug: str
    status: int
    title: str
    description: str

    @property
    def uri(self) -> str:
        return problem_type(self.slug)


# The generic types, one per status (``ProblemError`` without a ``type_``).
_GENERIC: dict[int, str] = {
    400: "The request cannot be read (e.g. a malformed header or query).",
    401: "The bearer token is missing, invalid or expired; `WWW-Authenticate` says which.",
    403: "The token lacks a scope this operation requires.",
    404: "No such resource, or not one the token may see.",
    405: "The path does not accept this method.",
    406: "None of the media types in `Accept` can be produced.",
    409: "The request conflicts with the current state (e.g. a duplicate).",
    412: "`If-Match` does not match the current ETag: read the resource again and retry.",
    413: "The request body is larger than the service accepts.",
    415: "The request body's media type is not accepted.",
    422: "The request is not valid; `errors` lists each field and what is wrong with it.",
    428: "This update needs `If-Match` with the ETag from the last read.",
    429: "The client's write rate limit is exceeded; retry after `Retry-After` seconds.",
    500: "An unexpected error; quote the `request_id` when reporting it.",
    503: "A dependency is not available right now; retry after `Retry-After` seconds.",
}

_SPECIFIC: tuple[tuple[str, int, str, str], ...] = (
    # common
    ("malformed-json", 400, "Bad Request", "The request body is not valid JSON."),
    ("database-busy", 503, "Service Unavailable",
     "The database is busy with other writes; nothing was changed. Retry after `Retry-After`."),
    ("database-unavailable", 503, "Service Unavailable",
     "The database cannot be reached or refuses connections; nothing was changed. Retry after "
     "`Retry-After`."),
    ("overloaded", 503, "Service Unavailable",
     "The process is handling as many requests as it admits; this one was not started. Retry "
     "after `Retry-After`."),
    ("external-id-taken", 409, "Conflict",
     "Another person already has this external id from the same source system."),
    ("idempotency-key-reused", 422, "Idempotency Key Reused",
     "This `Idempotency-Key` was already used by this client for a different request."),
    ("subscription-disabled", 409, "Conflict",
     "The webhook subscription is disabled: enable it before replaying deliveries."),
    # tenancy and roles
    ("outside-tenancy", 403, "Outside your tenancy",
     "The token's tenancy (local authority, trust, partnership or URNs) does not cover it."),
    ("not-partnership-manager", 403, "Not a manager of this partnership",
     "Only the partnership's lead or its local authority may do this."),
    ("not-agreement-proposer", 403, "Not a proposer of this partnership's agreement",
     "Only the partnership's lead, its local authority or the trust of a member school may "
     "propose a version of its data-sharing agreement."),
    ("area-name-taken", 409, "Area name taken",
     "The local authority has an area of that name already: names are unique within an LA."),
    ("not-school-signatory", 403, "Not a signatory of this school",
     "Only the school's head, or a person it authorised (role agreement_signatory), may decide "
     "on its data-sharing agreement."),
    ("not-person-manager", 403, "Not a manager of this person",
     "Only someone who manages this person's record may change it."),
    ("feed-not-allowed", 403, "Not your feed",
     "The token may not subscribe to this calendar feed."),
    # scheduling: directory, people, imports
    ("email-taken", 409, "Conflict", "Another person already has this email address."),
    ("import-finished", 409, "Conflict", "The import has already finished or been cancelled."),
    # scheduling: cycles, schedules, meetings, planned reviews
    ("cycle-exists", 409, "Conflict", "The partnership already has a cycle for that year."),
    ("no-term-dates", 409, "Conflict", "The academic year has no term dates to schedule in."),
    ("nothing-to-schedule", 409, "Conflict", "The cycle has no schools to schedule."),
    ("schedule-published", 409, "Conflict", "The schedule is already published."),
    ("schedule-not-published", 409, "Conflict",
     "Only a published schedule is repaired; regenerate a draft instead."),
    ("schedule-job-running", 409, "Conflict",
     "A schedule job is still working on this cycle; wait for it or cancel it."),
    ("schedule-job-finished", 409, "Conflict", "The schedule job has already finished."),
    ("empty-draft", 409, "Conflict", "The draft schedule has no reviews to publish."),
    ("breaks-hard-rules", 409, "The change breaks hard rules",
     "The draft or change breaks hard rules; send `force` with a `reason` to apply it anyway "
     "where that is allowed."),
    ("hard-conflict", 409, "Conflict", "A hard conflict cannot be waived."),
    ("meeting-cancelled", 409, "Conflict", "The meeting is cancelled."),
    ("review-cancelled", 409, "Conflict", "The planned review is cancelled."),
    # reviews: lifecycle
    ("impossible-transition", 409, "Not a possible transition",
     "The review cannot move from its current state to the one asked for."),
    ("transition-not-allowed-for-role", 403, "Not your move",
     "The caller's role on the review does not make this transition."),
    ("transition-has-its-own-route", 409, "Made by its own request",
     "This transition is made by its own operation (e.g. publishing the report)."),
    ("transition-precondition", 409, "Not ready to move",
     "What the next state needs is not there yet; `detail` says what."),
    # reviews: stages
    ("self-evaluation-not-allowed-for-role", 403, "Not allowed for your role",
     "The caller's role on the review does not write the self-evaluation."),
    ("self-evaluation-not-editable", 409, "Self-evaluation cannot change now",
     "The review has moved past the self-evaluation."),
    ("focus-not-allowed-for-role", 403, "Not allowed for your role",
     "The caller's role on the review does not set, agree or challenge the focus."),
    ("focus-not-editable", 409, "Focus cannot change now", "The focus is agreed or past."),
    ("focus-not-agreeable", 409, "Focus cannot be agreed now",
     "The focus is not in a state that can be agreed."),
    ("focus-missing", 409, "No focus yet", "There is no focus to challenge or agree yet."),
    ("evidence-not-allowed-for-role", 403, "Not allowed for your role",
     "The caller's role on the review does not record evidence."),
    ("evidence-not-recordable", 409, "Evidence cannot be recorded now",
     "The review is not in a state that takes evidence."),
    ("finding-not-allowed-for-role", 403, "Not allowed for your role",
     "The caller's role on the review does not write findings."),
    ("findings-not-editable", 409, "Findings cannot change now",
     "The review has moved past recording findings."),
    ("report-not-allowed-for-role", 403, "Not allowed for your role",
     "The caller's role on the review does not do this with the report; `required_roles` "
     "lists who does."),
    ("report-not-draftable", 409, "Conflict", "The review is not in the report-drafting state."),
    ("report-version-not-current", 409, "Conflict",
     "Only the latest report version can be acknowledged or published."),
    ("report-acknowledged", 409, "Already acknowledged", "The version is already acknowledged."),
    ("report-not-acknowledged", 409, "Conflict",
     "The head has not acknowledged this report version yet."),
    ("untriangulated-findings", 409, "Conflict",
     "Some findings are not triangulated by evidence; `detail` says which."),
    ("workshop-not-allowed-for-role", 403, "Not allowed for your role",
     "The caller's role on the review does not record the workshop or the action plan."),
    ("workshop-not-editable", 409, "Cannot change now",
     "The workshop or action plan cannot change in the review's current state."),
    ("action-plan-incomplete", 409, "Nothing to agree yet",
     "Record the workshop and the actions before agreeing the plan."),
    ("progress-not-allowed-for-role", 403, "Not allowed for your role",
     "The caller's role on the review does not record the progress review."),
    ("progress-not-recordable", 409, "Not the time for it",
     "The progress review is already recorded, or the review is not ready for it."),
    ("host-feedback-not-allowed-for-role", 403, "Not allowed for your role",
     "Only the host school's head gives, and only it and the partnership lead read, its feedback."),
    ("host-feedback-not-givable", 409, "Not the time for it",
     "The host feedback is already given, or the review's report is not yet published."),
    ("action-update-not-allowed-for-role", 403, "Not allowed for your role",
     "The IC and the school note an action's progress; the team reads it."),
    ("action-update-not-open", 409, "Not the time for a progress update",
     "Progress is noted after the plan is agreed and before the 90-day review is recorded."),
    ("support-already-answered", 409, "Already answered",
     "The school asked to support an action has already accepted or declined."),
    # knowledge
    ("theme-exists", 409, "Conflict", "A theme with this code already exists."),
    ("parent-theme-missing", 409, "Conflict", "The parent theme does not exist: add it first."),
    ("parent-retired", 409, "Conflict", "The parent theme is retired: reinstate it first."),
    ("theme-has-children", 409, "Conflict",
     "The theme has current sub-themes: retire them first."),
    ("source-exists", 409, "Conflict", "The evidence library already has this source."),
)  # fmt: skip


def _catalogue() -> dict[str, ProblemType]:
    types = {
        slug: ProblemType(slug, status, status_title(status), _GENERIC.get(status, ""))
        for status, slug in _SLUGS.items()
    }
    for slug, status, title, description in _SPECIFIC:
        if slug in types:
            raise RuntimeError(f"problem type {slug} is catalogued twice")
        types[slug] = ProblemType(slug, status, title, description)
    return dict(sorted(types.items()))


#: slug -> its type, sorted by slug.
PROBLEM_TYPES: dict[str, ProblemType] = _catalogue()
