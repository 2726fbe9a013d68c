"""The self-evaluation's data summary: results by assessment, subject and pupil group, as
aggregates only (cohort sizes, counts, percentages, average scores). There is deliberately no
field for a pupil: unknown fields are refused, a group must have at least two pupils, and every
figure is checked against its range and the group's cohort.

Checked here:

- percentages are 0 to 100, and the higher standard is never above the expected standard;
- outcome counts add up to the group's cohort, and agree with the percentages when both are
  given (to within rounding);
- an average score is within the scale of its assessment (KS2 scaled scores 80 to 120, a
  standardised test 69 to 141, the multiplication check 0 to 25, ...), and is refused where the
  assessment has no score;
- the subject belongs to the assessment, and in-school data names its year group;
- each result set has the ``all`` group; no group is larger than it, and the groups of a
  partition (disadvantaged and not, girls and boys, ...) add up to it when all are given.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Self

from pydantic import Field, model_validator

from common.http.schemas import StrictModel
from contracts.schedule import AcademicYear


class Assessment(StrEnum):
    EYFS = "eyfs"  # the early years foundation stage profile
    PHONICS_CHECK = "phonics_check"  # Year 1 phonics screening check (marks out of 40)
    MULTIPLICATION_CHECK = "multiplication_check"  # Year 4 multiplication tables check (of 25)
    KS1 = "ks1"
    KS2 = "ks2"
    KS4 = "ks4"
    IN_SCHOOL = "in_school"  # the school's own teacher assessment
    STANDARDISED_TEST = "standardised_test"  # e.g. NFER, Star, PiRA/PUMA standardised scores
    COMPARATIVE_JUDGEMENT = "comparative_judgement"  # e.g. writing, on the provider's scale


class Subject(StrEnum):
    GOOD_LEVEL_OF_DEVELOPMENT = "good_level_of_development"
    COMMUNICATION = "communication"
    LITERACY = "literacy"
    PHONICS = "phonics"
    MULTIPLICATION = "multiplication"
    READING = "reading"
    WRITING = "writing"
    MATHS = "maths"
    GRAMMAR_PUNCTUATION_SPELLING = "grammar_punctuation_spelling"
    SCIENCE = "science"
    READING_WRITING_MATHS = "reading_writing_maths"
    ENGLISH = "english"
    ENGLISH_AND_MATHS = "english_and_maths"
    ATTAINMENT_8 = "attainment_8"
    PROGRESS_8 = "progress_8"
    EBACC = "ebacc"


class PupilGroup(StrEnum):
    ALL = "all"
    DISADVANTAGED = "disadvantaged"
    NOT_DISADVANTAGED = "not_disadvantaged"
    GIRLS = "girls"
    BOYS = "boys"
    SEN_SUPPORT = "sen_support"
    EHC_PLAN = "ehc_plan"
    NO_SEN = "no_sen"
    EAL = "eal"
    NOT_EAL = "not_eal"


_A, _S, _G = Assessment, Subject, PupilGroup
_CORE = frozenset({_S.READING, _S.WRITING, _S.MATHS, _S.GRAMMAR_PUNCTUATION_SPELLING, _S.SCIENCE})

#: Which subjects each assessment reports.
SUBJECTS: dict[Assessment, frozenset[Subject]] = {
    _A.EYFS: frozenset({_S.GOOD_LEVEL_OF_DEVELOPMENT, _S.COMMUNICATION, _S.LITERACY, _S.MATHS}),
    _A.PHONICS_CHECK: frozenset({_S.PHONICS}),
    _A.MULTIPLICATION_CHECK: frozenset({_S.MULTIPLICATION}),
    _A.KS1: frozenset({_S.READING, _S.WRITING, _S.MATHS, _S.SCIENCE}),
    _A.KS2: _CORE | {_S.READING_WRITING_MATHS},
    _A.KS4: frozenset(
        {_S.ENGLISH, _S.MATHS, _S.ENGLISH_AND_MATHS, _S.ATTAINMENT_8, _S.PROGRESS_8, _S.EBACC}
    ),
    _A.IN_SCHOOL: _CORE | {_S.PHONICS, _S.READING_WRITING_MATHS},
    _A.STANDARDISED_TEST: frozenset(
        {_S.READING, _S.MATHS, _S.GRAMMAR_PUNCTUATION_SPELLING, _S.SCIENCE}
    ),
    _A.COMPARATIVE_JUDGEMENT: frozenset({_S.WRITING}),
}

#: The scale of an average score, by assessment and (where it differs) subject. An
#: assessment that is not here reports no average score.
SCORE_SCALES: dict[tuple[Assessment, Subject | None], tuple[float, float]] = {
    (_A.PHONICS_CHECK, None): (0, 40),
    (_A.MULTIPLICATION_CHECK, None): (0, 25),
    (_A.KS1, None): (85, 115),
    (_A.KS2, None): (80, 120),
    (_A.KS4, _S.ATTAINMENT_8): (0, 90),
    (_A.KS4, _S.PROGRESS_8): (-5, 5),
    (_A.KS4, _S.EBACC): (0, 9),
    (_A.KS4, None): (0, 9),  # average grade
    (_A.STANDARDISED_TEST, None): (69, 141),
    (_A.COMPARATIVE_JUDGEMENT, None): (0, 1000),
}
#: Subjects without a scaled score in an assessment that otherwise has one.
UNSCORED: frozenset[tuple[Assessment, Subject]] = frozenset(
    {(_A.KS1, _S.WRITING), (_A.KS1, _S.SCIENCE), (_A.KS2, _S.WRITING), (_A.KS2, _S.SCIENCE)}
    | {(_A.KS2, _S.READING_WRITING_MATHS)}
)
#: Assessments of one year group each by definition; the others must say which year.
STATUTORY = frozenset({_A.EYFS, _A.PHONICS_CHECK, _A.MULTIPLICATION_CHECK, _A.KS1, _A.KS2, _A.KS4})
#: Groups that together make up the whole cohort, when all of a partition are given.
PARTITIONS: tuple[frozenset[PupilGroup], ...] = (
    frozenset({_G.DISADVANTAGED, _G.NOT_DISADVANTAGED}),
    frozenset({_G.GIRLS, _G.BOYS}),
    frozenset({_G.SEN_SUPPORT, _G.EHC_PLAN, _G.NO_SEN}),
    frozenset({_G.EAL, _G.NOT_EAL}),
)
MIN_GROUP = 2  # a figure about one pupil is that pupil's result


def score_scale(assessment: Assessment, subject: Subject) -> tuple[float, float] | None:
    if (assessment, subject) in UNSCORED:
        return None
    return SCORE_SCALES.get((assessment, subject), SCORE_SCALES.get((assessment, None)))


class OutcomeCounts(StrictModel):
    """How many pupils of the group reached each outcome; they add up to the cohort."""

    below_expected: int = Field(ge=0, le=5000)
    expected: int = Field(ge=0, le=5000, description="At the expected standard, not above")
    higher: int = Field(0, ge=0, le=5000, description="Higher standard / greater depth")
    not_assessed: int = Field(0, ge=0, le=5000, description="Absent, disapplied, not entered")

    def total(self) -> int:
        return self.below_expected + self.expected + self.higher + self.not_assessed


class GroupResult(StrictModel):
    group: PupilGroup
    cohort: int = Field(ge=MIN_GROUP, le=5000, description="Pupils in the group (at least 2)")
    counts: OutcomeCounts | None = None
    expected_pct: float | None = Field(
        None, ge=0, le=100, description="% at the expected standard or above (KS4: grade 4+)"
    )
    higher_pct: float | None = Field(
        None, ge=0, le=100, description="% at the higher standard (KS4: grade 5+)"
    )
    average_score: float | None = Field(
        None, ge=-5, le=1000, description="On the assessment's scale (see SCORE_SCALES)"
    )

    @model_validator(mode="after")
    def _consistent(self) -> Self:
        measures = (self.counts, self.expected_pct, self.higher_pct, self.average_score)
        if all(m is None for m in measures):
            raise ValueError(f"{self.group}: give counts, percentages or an average score")
        if (
            self.expected_pct is not None
            and self.higher_pct is not None
            and self.higher_pct > self.expected_pct
        ):
            raise ValueError(f"{self.group}: higher_pct is above expected_pct")
        counts = self.counts
        if counts is None:
            return self
        if counts.total() != self.cohort:
            raise ValueError(
                f"{self.group}: outcome counts add up to {counts.total()}, not the cohort "
                f"of {self.cohort}"
            )
        tolerance = 0.5 + 100 / self.cohort / 2  # rounding of the published percentage
        for given, count, name in (
            (self.expected_pct, counts.expected + counts.higher, "expected_pct"),
            (self.higher_pct, counts.higher, "higher_pct"),
        ):
            if given is not None and abs(given - 100 * count / self.cohort) > tolerance:
                raise ValueError(f"{self.group}: {name} {given} does not match the counts")
        return self


class ResultSet(StrictModel):
    """One assessment in one subject (and year group, for in-school data), by pupil group."""

    assessment: Assessment
    subject: Subject
    year_group: int | None = Field(
        None, ge=0, le=13, description="0 = Reception; required for in-school data"
    )
    groups: list[GroupResult] = Field(min_length=1, max_length=len(PupilGroup))

    @model_validator(mode="after")
    def _valid(self) -> Self:
        label = f"{self.assessment}/{self.subject}"
        if self.subject not in SUBJECTS[self.assessment]:
            allowed = ", ".join(sorted(SUBJECTS[self.assessment]))
            raise ValueError(f"{label}: {self.assessment} reports {allowed}")
        if self.assessment in STATUTORY and self.year_group is not None:
            raise ValueError(f"{label}: a statutory assessment has no year_group")
        if self.assessment not in STATUTORY and self.year_group is None:
            raise ValueError(f"{label}: give the year_group of in-school data")
        scale = score_scale(self.assessment, self.subject)
        for result in self.groups:
            score = result.average_score
            if score is None:
                continue
            if scale is None:
                raise ValueError(f"{label}: has no average score")
            if not scale[0] <= score <= scale[1]:
                raise ValueError(
                    f"{label}/{result.group}: average score {score} is outside "
                    f"{scale[0]:g} to {scale[1]:g}"
                )
        self._check_groups(label)
        return self

    def _check_groups(self, label: str) -> None:
        by_group = {r.group: r for r in self.groups}
        if len(by_group) != len(self.groups):
            raise ValueError(f"{label}: each pupil group at most once")
        whole = by_group.get(PupilGroup.ALL)
        if whole is None:
            raise ValueError(f"{label}: the 'all' group is required")
        for result in self.groups:
            if result.cohort > whole.cohort:
                raise ValueError(f"{label}/{result.group}: larger than the whole cohort")
        for partition in PARTITIONS:
            if not partition <= by_group.keys():
                continue
            parts = [by_group[g] for g in sorted(partition)]
            if sum(p.cohort for p in parts) != whole.cohort:
                names = " + ".join(sorted(partition))
                raise ValueError(f"{label}: {names} do not add up to the 'all' cohort")
            if whole.counts is not None and all(p.counts is not None for p in parts):
                for outcome in ("below_expected", "expected", "higher", "not_assessed"):
                    total = sum(getattr(p.counts, outcome) for p in parts)
                    if total != getattr(whole.counts, outcome):
                        raise ValueError(f"{label}: {outcome} counts of the groups do not add up")


class DataSummary(StrictModel):
    """The school's results, as aggregates by pupil group."""

    data_year: AcademicYear = Field(description="The academic year the results are from")
    results: list[ResultSet] = Field(default_factory=list, max_length=80)

    @model_validator(mode="after")
    def _distinct(self) -> Self:
        keys = [(r.assessment, r.subject, r.year_group) for r in self.results]
        if len(set(keys)) != len(keys):
            raise ValueError("each assessment, subject and year group at most once")
        return self
