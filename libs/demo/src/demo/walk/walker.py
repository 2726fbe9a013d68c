"""Take one review from where it is to its target stage, each move and each record made by
the person whose part it is, with their own token (the reviews service decides their role
from the review's team and the school's claim):

- the school's head starts the self-review, writes and shares the self-evaluation, proposes
  the focus and its enquiry questions, acknowledges the report, and moves to pre-review;
- a reviewer challenges the focus; the lead reviewer agrees it at the pre-review meeting;
- every team member records their evidence in a batch; they write the findings;
- the lead reviewer runs the day, drafts and publishes the report;
- the Improvement Champion runs the workshop, agrees the action plan, records the 90-day
  review and closes the review.

Each stage reads what is there first and sends only what is missing, so a second run, or a
run after an interruption, carries on from where the review is.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

import httpx

from demo.api.client import ApiError, ServiceClient
from demo.county.model import School
from demo.report import Outcome, StepReport
from demo.walk import content as words
from demo.walk import workshop as plan_words
from demo.walk.content import ReviewContent, review_rng
from demo.walk.plan import Walk, stage_index
from demo.walk.self_evaluation import self_evaluation


@dataclass(frozen=True)
class Cast:
    """The people of one review, as tokens: the head (with the school's claim), the team
    (lead reviewer first), the Improvement Champion."""

    school: str
    head_name: str
    team: list[str]
    ic: str

    @property
    def lead(self) -> str:
        return self.team[0]


@dataclass(frozen=True)
class Setting:
    """What a walk needs besides its review: the seed, today, and shared lookups."""

    seed: int
    today: date
    data_year: str
    school: School
    focus_codes: list[str]  # the focus's theme codes (the taxonomy's, by expertise)
    library: list[dict[str, Any]]
    partner: tuple[int, str] | None  # a partner school for support, (urn, name)


class ReviewWalker:
    def __init__(
        self,
        api: ServiceClient,
        report: StepReport,
        walk: Walk,
        content: ReviewContent,
        cast: Cast,
        setting: Setting,
    ) -> None:
        self.api, self.report, self.walk = api, report, walk
        self.content, self.cast, self.setting = content, cast, setting
        self.path = f"/v1/reviews/{walk.review_id}"
        self.review: dict[str, Any] = {}
        self.etag = ""
        self.wrote = False
        self._focus_held: tuple[dict[str, Any], str] | None = None

    # --- The walk ---------------------------------------------------------------------------

    async def run(self, held: dict[str, Any] | None = None) -> str:
        """Walk to the target from ``held`` (the review as just listed; read if None); the
        state the review is left in."""
        if held is None:
            await self._read()
        else:
            self.review, self.etag = held, f'"{held["version"]}"'
        target = stage_index(self.walk.target)
        while True:
            state = self.review["state"]
            here = stage_index(state)
            if here < 0 or here > target:
                return str(state)
            work, leave = self._stages()[state]
            final = here == target
            await work(final and self.walk.stalled)
            if final or leave is None:
                return str(state)
            await leave()

    def _stages(
        self,
    ) -> dict[str, tuple[Callable[[bool], Awaitable[None]], Callable[[], Awaitable[None]] | None]]:
        """state -> (its work, given whether the review stalls there; how it leaves it)."""

        def nothing(_: bool) -> Awaitable[None]:
            return _done()

        return {
            "planned": (nothing, lambda: self._move("self_review", self.cast.school)),
            "self_review": (self._self_review, lambda: self._move("pre_review", self.cast.school)),
            "pre_review": (self._pre_review, lambda: self._move("review_day", self.cast.lead)),
            "review_day": (self._evidence, lambda: self._move("feedback", self.cast.lead)),
            "feedback": (self._findings, lambda: self._move("report_drafted", self.cast.lead)),
            "report_drafted": (self._report, self._publish),
            "report_published": (nothing, lambda: self._move("workshop", self.cast.ic)),
            "workshop": (self._workshop, self._agree),
            "action_plan_agreed": (nothing, lambda: self._move("progress_review", self.cast.ic)),
            "progress_review": (self._progress, lambda: self._move("closed", self.cast.ic)),
            "closed": (nothing, None),
        }

    # --- Requests ---------------------------------------------------------------------------

    async def _read(self) -> None:
        found = await self.api.get_with_etag(self.path, token=self.cast.lead)
        if found is None:
            raise LookupError(f"review {self.walk.review_id} is not in the reviews service yet")
        self.review, self.etag = found

    async def _move(self, to: str, token: str) -> None:
        for attempt in (1, 2):
            try:
                response = await self.api.request(
                    "POST", f"{self.path}/transitions", token=token, json={"to": to},
                    headers={"If-Match": self.etag},
                )  # fmt: skip
            except ApiError as exc:
                if exc.status != 412 or attempt == 2:
                    raise
                await self._read()  # changed meanwhile (a retry of ours that landed)
                if self.review["state"] == to:
                    return
                continue
            self.review, self.etag = response.json(), response.headers["ETag"]
            self._made("transitions")
            return

    def _made(self, kind: str, n: int = 1) -> None:
        self.report.count(kind, Outcome.CREATED, n)
        self.wrote = True

    def _found(self, kind: str, n: int = 1) -> None:
        self.report.count(kind, Outcome.UNCHANGED, n)

    async def _write(
        self,
        method: str,
        path: str,
        token: str,
        body: Any,
        etag: str | None = None,
        headers: dict[str, str] | None = None,
    ) -> httpx.Response:
        sent = {**({"If-Match": etag} if etag else {}), **(headers or {})}
        return await self.api.request(
            method, f"{self.path}{path}", token=token, json=body, headers=sent, ok=(200, 201)
        )

    # --- The stages' work -------------------------------------------------------------------

    async def _self_review(self, stalls: bool) -> None:
        school = self.cast.school
        held = await self.api.get_with_etag(f"{self.path}/self-evaluation", token=school)
        if held is None or (not held[0]["shared_with_team"] and not stalls):
            rng = review_rng(self.setting.seed, self.walk.review, "sef")
            body = self_evaluation(
                rng, self.setting.school, list(self.walk.review["focus"]), self.setting.data_year
            )
            body["share"] = not stalls  # a late self-review: drafted, not shared yet
            await self._write(
                "PUT", "/self-evaluation", school, body, held[1] if held else self.etag
            )
            self._made("self-evaluations")
        else:
            self._found("self-evaluations")
        if stalls:
            return
        if await self.api.get(f"{self.path}/focus", token=school) is None:
            body = {
                "text": self.content.focus_text,
                "theme_codes": self.setting.focus_codes,
                "questions": [{"text": q} for q in self.content.questions],
            }
            await self._write("PUT", "/focus", school, body, self.etag)
            self._made("focuses and enquiry questions")
        else:
            self._found("focuses and enquiry questions")

    async def _pre_review(self, stalls: bool) -> None:
        team = self.cast.team
        if self.walk.challenged and len(team) > 1:
            notes = await self.api.all_pages(f"{self.path}/focus/challenges", token=team[1])
            if notes:
                self._found("challenges to the focus")
            else:
                note = {"text": words.challenge_note(self.content)}
                await self._write("POST", "/focus/challenges", team[1], note)
                self._made("challenges to the focus")
        focus, etag = await self._focus()
        if focus["agreed_at"] is not None:
            self._found("focuses agreed")
            return
        body = {
            "text": focus["text"],
            "theme_codes": focus["theme_codes"],
            "questions": [{"id": q["id"], "text": q["text"]} for q in focus["questions"]],
            "agreed": True,
        }
        response = await self._write("PUT", "/focus", self.cast.lead, body, etag)
        self._focus_held = response.json(), response.headers["ETag"]
        self._made("focuses agreed")

    async def _focus(self) -> tuple[dict[str, Any], str]:
        """The focus as last read or written (only the focus's own routes change it)."""
        if self._focus_held is None:
            found = await self.api.get_with_etag(f"{self.path}/focus", token=self.cast.lead)
            assert found is not None, f"{self.path} has no focus"
            self._focus_held = found
        return self._focus_held

    async def _evidence(self, stalls: bool) -> None:
        held = await self.api.all_pages(f"{self.path}/evidence", token=self.cast.lead)
        have = {row["id"] for row in held}
        questions = [q["id"] for q in (await self._focus())[0]["questions"]]
        authors = range(1 if stalls else len(self.cast.team))  # stalled: the lead's notes only
        for author in authors:
            items = [
                {"id": i.id, "question_id": questions[i.question], "kind": i.kind, "note": i.note}
                for i in self.content.evidence
                if i.author == author and i.id not in have
            ]
            if items:
                response = await self._write(
                    "POST", "/evidence/batches", self.cast.team[author], {"items": items}
                )
                outcome = response.json()
                self._made("evidence items", outcome["created"])
                if outcome["conflicts"]:
                    self.report.note(f"{self.path}: {outcome['conflicts']} evidence conflicts")
        self._found("evidence items", len(have))

    async def _findings(self, stalls: bool) -> None:
        held = await self.api.all_pages(f"{self.path}/findings", token=self.cast.lead)
        have = {(f["kind"], f["text"]) for f in held}
        questions = [q["id"] for q in (await self._focus())[0]["questions"]]
        evidence = [i.id for i in self.content.evidence]
        for n, finding in enumerate(self.content.findings):
            if (finding.kind, finding.text) in have:
                self._found("findings")
                continue
            body = {
                "kind": finding.kind,
                "text": finding.text,
                "theme_codes": [finding.theme],
                "evidence_ids": [evidence[i] for i in finding.items],
                "question_id": questions[finding.question],
            }
            key = f"cf-demo:{self.setting.seed}:finding:{self.walk.review_id}:{n}"
            token = self.cast.team[finding.author]
            await self._write("POST", "/findings", token, body, headers={"Idempotency-Key": key})
            self._made("findings")

    async def _report(self, stalls: bool) -> None:
        versions = await self.api.all_pages(f"{self.path}/report/versions", token=self.cast.lead)
        if not versions:
            summary = words.report_summary(
                self.content, self.setting.school.name, list(self.walk.review["days"])
            )
            response = await self._write(
                "POST", "/report/versions", self.cast.lead, {"summary": summary}
            )
            versions = [response.json()]
            self._made("report drafts")
        else:
            self._found("report drafts")
        latest = versions[-1]
        if stalls:
            return  # with the head, not acknowledged yet
        if latest["acknowledged_at"] is None:
            comment = review_rng(self.setting.seed, self.walk.review, "ack").choice(
                words.ACKNOWLEDGEMENTS
            )
            path = f"/report/versions/{latest['version']}/acknowledgement"
            await self._write("POST", path, self.cast.school, {"comment": comment})
            self._made("reports acknowledged by the head")
        else:
            self._found("reports acknowledged by the head")

    async def _publish(self) -> None:
        versions = await self.api.all_pages(f"{self.path}/report/versions", token=self.cast.lead)
        latest = versions[-1]
        body: dict[str, Any] = {"version": latest["version"]}
        if latest["untriangulated"]:
            body["override_reason"] = words.override_reason(self.content)
        await self._write("POST", "/report/publication", self.cast.lead, body, self.etag)
        self._made("reports published")
        if latest["untriangulated"]:
            self._made("overrides of the triangulation rule (lead reviewer)")
        await self._read()

    async def _workshop(self, stalls: bool) -> None:
        ic, due = self.cast.ic, date.fromisoformat(self.review["milestones"]["progress_review_due"])
        held = await self.api.get(f"{self.path}/workshop", token=ic)
        if held is None:
            rng = review_rng(self.setting.seed, self.walk.review, "workshop")
            on = date.fromisoformat(self.walk.review["milestones"]["workshop_on"])
            body = plan_words.workshop(rng, self.content, self.cast.head_name, on, due)
            await self._write("PUT", "/workshop", ic, body, self.etag)
            self._made("workshops")
        else:
            self._found("workshops")
        if await self.api.get(f"{self.path}/action-plan", token=ic) is not None:
            self._found("action plans")
            return
        findings = await self.api.all_pages(f"{self.path}/findings", token=ic)
        by_text = {(f["kind"], f["text"]): f["id"] for f in findings}
        ids = [by_text[(f.kind, f.text)] for f in self.content.findings]
        actions = plan_words.actions(
            self.content, ids, self.setting.library, self.setting.partner, due
        )
        await self._write("PUT", "/action-plan", ic, {"actions": actions}, self.etag)
        self._made("action plans")
        self._made("actions", len(actions))

    async def _agree(self) -> None:
        await self._write("POST", "/action-plan/agreement", self.cast.ic, {}, self.etag)
        self._made("action plans agreed")
        await self._read()

    async def _progress(self, stalls: bool) -> None:
        ic = self.cast.ic
        if await self.api.get(f"{self.path}/progress-review", token=ic) is not None:
            self._found("90-day reviews")
            return
        plan = await self.api.get(f"{self.path}/action-plan", token=ic)
        assert plan is not None
        due = date.fromisoformat(self.review["milestones"]["progress_review_due"])
        workshop = date.fromisoformat(self.walk.review["milestones"]["workshop_on"])
        on = min(due, self.setting.today)
        if self.walk.position % 5 == 2 and due + timedelta(days=9) <= self.setting.today:
            on = due + timedelta(days=9)  # some ICs come back late
        on = max(on, workshop + timedelta(days=1))
        rng = review_rng(self.setting.seed, self.walk.review, "ratings")
        body = {"reviewed_on": on.isoformat(), "ratings": plan_words.ratings(rng, plan)}
        await self._write("POST", "/progress-review", ic, body)
        self._made("90-day reviews")
        await self._read()  # recording it changes the review (closing needs it)


async def _done() -> None:
    return None
