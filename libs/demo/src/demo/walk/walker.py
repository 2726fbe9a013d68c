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

Each stage reads what is there first and sends only what is missing (see
:mod:`demo.walk.session`), so a second run, or a run after an interruption, carries on from
where the review is.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from demo.api.client import ServiceClient
from demo.county.model import School
from demo.report import StepReport
from demo.walk import content as words
from demo.walk import workshop as plan_words
from demo.walk.content import ReviewContent, review_rng
from demo.walk.plan import Walk, stage_index
from demo.walk.self_evaluation import self_evaluation
from demo.walk.session import ReviewSession


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
        self.walk, self.content, self.cast, self.setting = walk, content, cast, setting
        self.session = ReviewSession(api, report, walk.review_id, cast.lead)
        # What this walk wrote or read, kept for the stages after (each record's own routes
        # are the only ones that change it).
        self._focus: tuple[dict[str, Any], str] | None = None
        self._finding_ids: dict[tuple[str, str], str] = {}
        self._report: dict[str, Any] | None = None
        self._plan: dict[str, Any] | None = None

    @property
    def wrote(self) -> bool:
        return self.session.wrote

    async def run(self, held: dict[str, Any] | None = None) -> str:
        """Walk to the target from ``held`` (the review as just listed; read if None); the
        state the review is left in."""
        session = self.session
        if held is None:
            await session.read()
        else:
            session.hold(held)
        target = stage_index(self.walk.target)
        while True:
            here = stage_index(session.state)
            if here < 0 or here > target:
                return session.state
            work, leave = self._stages()[session.state]
            final = here == target
            await work(final and self.walk.stalled)
            if final or leave is None:
                return session.state
            await leave()

    def _stages(
        self,
    ) -> dict[str, tuple[Callable[[bool], Awaitable[None]], Callable[[], Awaitable[None]] | None]]:
        """state -> (its work, given whether the review stalls there; how it leaves it)."""
        move, cast = self.session.move, self.cast

        async def nothing(_: bool) -> None:
            return None

        return {
            "planned": (nothing, lambda: move("self_review", cast.school)),
            "self_review": (self._self_review, lambda: move("pre_review", cast.school)),
            "pre_review": (self._pre_review, lambda: move("review_day", cast.lead)),
            "review_day": (self._evidence, lambda: move("feedback", cast.lead)),
            "feedback": (self._findings, lambda: move("report_drafted", cast.lead)),
            "report_drafted": (self._draft, self._publish),
            "report_published": (nothing, lambda: move("workshop", cast.ic)),
            "workshop": (self._workshop, self._agree),
            "action_plan_agreed": (nothing, lambda: move("progress_review", cast.ic)),
            "progress_review": (self._progress, lambda: move("closed", cast.ic)),
            "closed": (nothing, None),
        }

    # --- The stages' work -------------------------------------------------------------------

    async def _self_review(self, stalls: bool) -> None:
        session, school = self.session, self.cast.school
        held = await session.existing("/self-evaluation", school)
        if held is None or (not held[0]["shared_with_team"] and not stalls):
            rng = review_rng(self.setting.seed, self.walk.review, "sef")
            body = self_evaluation(
                rng, self.setting.school, list(self.walk.review["focus"]), self.setting.data_year
            )
            body["share"] = not stalls  # a late self-review: drafted, not shared yet
            etag = held[1] if held else session.etag
            await session.write("PUT", "/self-evaluation", school, body, etag)
            session.made("self-evaluations")
        else:
            session.found("self-evaluations")
        if stalls:
            return
        self._focus = await session.existing("/focus", school)
        if self._focus is not None:
            session.found("focuses and enquiry questions")
            return
        body = {
            "text": self.content.focus_text,
            "theme_codes": self.setting.focus_codes,
            "questions": [{"text": q} for q in self.content.questions],
        }
        response = await session.write("PUT", "/focus", school, body, session.etag)
        self._focus = response.json(), response.headers["ETag"]
        session.made("focuses and enquiry questions")

    async def _focus_now(self) -> tuple[dict[str, Any], str]:
        """The focus (set in self-review), as this walk last saw it."""
        if self._focus is None:
            found = await self.session.api.get_with_etag(
                f"{self.session.path}/focus", token=self.cast.lead
            )
            assert found is not None, f"{self.session.path} has no focus"
            self._focus = found
        return self._focus

    async def _question_ids(self) -> list[str]:
        return [q["id"] for q in (await self._focus_now())[0]["questions"]]

    async def _pre_review(self, stalls: bool) -> None:
        session, team = self.session, self.cast.team
        if self.walk.challenged and len(team) > 1:
            if await session.existing_list("/focus/challenges", team[1]):
                session.found("challenges to the focus")
            else:
                note = {"text": words.challenge_note(self.content)}
                await session.write("POST", "/focus/challenges", team[1], note)
                session.made("challenges to the focus")
        focus, etag = await self._focus_now()
        if focus["agreed_at"] is not None:
            session.found("focuses agreed")
            return
        body = {
            "text": focus["text"],
            "theme_codes": focus["theme_codes"],
            "questions": [{"id": q["id"], "text": q["text"]} for q in focus["questions"]],
            "agreed": True,
        }
        response = await session.write("PUT", "/focus", self.cast.lead, body, etag)
        self._focus = response.json(), response.headers["ETag"]
        session.made("focuses agreed")

    async def _evidence(self, stalls: bool) -> None:
        session = self.session
        have = {row["id"] for row in await session.existing_list("/evidence", self.cast.lead)}
        questions = await self._question_ids()
        authors = range(1 if stalls else len(self.cast.team))  # stalled: the lead's notes only
        for author in authors:
            items = [
                {"id": i.id, "question_id": questions[i.question], "kind": i.kind, "note": i.note}
                for i in self.content.evidence
                if i.author == author and i.id not in have
            ]
            if items:
                batch = {"items": items}
                response = await session.write(
                    "POST", "/evidence/batches", self.cast.team[author], batch
                )
                outcome = response.json()
                session.made("evidence items", outcome["created"])
                if outcome["conflicts"]:
                    session.report.note(f"{session.path}: {outcome['conflicts']} conflicts")
        if have:
            session.found("evidence items", len(have))

    async def _findings(self, stalls: bool) -> None:
        session = self.session
        for f in await session.existing_list("/findings", self.cast.lead):
            self._finding_ids[(f["kind"], f["text"])] = f["id"]
        questions = await self._question_ids()
        evidence = [i.id for i in self.content.evidence]
        for n, finding in enumerate(self.content.findings):
            if (finding.kind, finding.text) in self._finding_ids:
                session.found("findings")
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
            response = await session.write(
                "POST", "/findings", token, body, headers={"Idempotency-Key": key}
            )
            self._finding_ids[(finding.kind, finding.text)] = response.json()["id"]
            session.made("findings")

    async def _draft(self, stalls: bool) -> None:
        session, lead = self.session, self.cast.lead
        versions = await session.existing_list("/report/versions", lead)
        if versions:
            session.found("report drafts")
        else:
            summary = words.report_summary(
                self.content, self.setting.school.name, list(self.walk.review["days"])
            )
            response = await session.write("POST", "/report/versions", lead, {"summary": summary})
            versions = [response.json()]
            session.made("report drafts")
        self._report = versions[-1]
        if stalls:
            return  # with the head, not acknowledged yet
        if self._report["acknowledged_at"] is not None:
            session.found("reports acknowledged by the head")
            return
        rng = review_rng(self.setting.seed, self.walk.review, "ack")
        path = f"/report/versions/{self._report['version']}/acknowledgement"
        comment = {"comment": rng.choice(words.ACKNOWLEDGEMENTS)}
        response = await session.write("POST", path, self.cast.school, comment)
        self._report = response.json()
        session.made("reports acknowledged by the head")

    async def _publish(self) -> None:
        session, latest = self.session, self._report
        assert latest is not None  # drafted (or found) just before
        body: dict[str, Any] = {"version": latest["version"]}
        if latest["untriangulated"]:
            body["override_reason"] = words.override_reason(self.content)
        await session.moved_by("POST", "/report/publication", self.cast.lead, body)
        session.made("reports published")
        if latest["untriangulated"]:
            session.made("overrides of the triangulation rule (lead reviewer)")

    async def _workshop(self, stalls: bool) -> None:
        session, ic = self.session, self.cast.ic
        milestones = self.walk.review["milestones"]
        due = date.fromisoformat(milestones["progress_review_due"])
        if await session.existing("/workshop", ic) is None:
            rng = review_rng(self.setting.seed, self.walk.review, "workshop")
            on = date.fromisoformat(milestones["workshop_on"])
            body = plan_words.workshop(rng, self.content, self.cast.head_name, on, due)
            await session.write("PUT", "/workshop", ic, body, session.etag)
            session.made("workshops")
        else:
            session.found("workshops")
        held = await session.existing("/action-plan", ic)
        if held is not None:
            self._plan = held[0]
            session.found("action plans")
            return
        if len(self._finding_ids) < len(self.content.findings):
            for f in await session.listed("/findings", ic):
                self._finding_ids[(f["kind"], f["text"])] = f["id"]
        ids = [self._finding_ids[(f.kind, f.text)] for f in self.content.findings]
        actions = plan_words.actions(
            self.content, ids, self.setting.library, self.setting.partner, due
        )
        response = await session.write(
            "PUT", "/action-plan", ic, {"actions": actions}, session.etag
        )
        self._plan = response.json()
        session.made("action plans")
        session.made("actions", len(actions))

    async def _agree(self) -> None:
        await self.session.moved_by("POST", "/action-plan/agreement", self.cast.ic, {})
        self.session.made("action plans agreed")

    async def _progress(self, stalls: bool) -> None:
        session, ic = self.session, self.cast.ic
        if await session.existing("/progress-review", ic) is not None:
            session.found("90-day reviews")
            return
        plan = self._plan
        if plan is None:
            found = await session.api.get(f"{session.path}/action-plan", token=ic)
            assert found is not None
            plan = found
        milestones = self.walk.review["milestones"]
        due = date.fromisoformat(milestones["progress_review_due"])
        workshop = date.fromisoformat(milestones["workshop_on"])
        on = min(due, self.setting.today)
        if self.walk.late_return and due + timedelta(days=9) <= self.setting.today:
            on = due + timedelta(days=9)  # some ICs come back late
        on = max(on, workshop + timedelta(days=1))
        rng = review_rng(self.setting.seed, self.walk.review, "ratings")
        body = {"reviewed_on": on.isoformat(), "ratings": plan_words.ratings(rng, plan)}
        await session.write("POST", "/progress-review", ic, body)
        session.made("90-day reviews")
        await session.read()  # recording it changes the review (closing needs it)
