"""What a review of each focus area looks at: the focus a school proposes, its enquiry
questions, the themes (knowledge taxonomy codes) its findings may carry, and what a team
records on the day, as facts (``{n} of {m}`` is filled with counts on each review).

One area per expertise code the schools ask for (``demo.county.programme.FOCUS_BY_PHASE``).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Area:
    focus: str
    questions: tuple[str, ...]
    themes: tuple[str, ...]  # the findings' theme codes, most specific first
    seen: tuple[tuple[str, str], ...]  # (evidence kind, factual note)


# fmt: off
AREAS: dict[str, Area] = {
    "reading": Area(
        "Reading fluency and reading for pleasure from Year 2 to Year 6",
        ("How well do pupils who are behind in Year 2 catch up in fluency?",
         "How far do pupils in Years 5 and 6 choose to read beyond the class text?",
         "How consistently is the phonics programme taught to pupils who need it in KS2?"),
        ("curriculum.reading.fluency", "curriculum.reading.for_pleasure",
         "curriculum.reading.phonics", "curriculum.reading.comprehension"),
        (
            ("lesson_visit", "Year 3 guided reading: {n} of {m} pupils read the passage aloud at "
                             "age-expected pace; the teacher modelled phrasing twice."),
            ("pupil_voice", "{n} of {m} Year 6 pupils named a book they had chosen themselves "
                            "this term; two named the class text only."),
            ("learning_walk", "Reading corners in {n} of {m} classrooms had books matched to the "
                              "phonics stage, labelled by colour band."),
            ("data_analysis", "Autumn fluency checks: {n} of {m} pupils in the Year 2 catch-up "
                              "group read 90 words a minute, up from September."),
            ("staff_voice", "The English lead and three teachers described the same daily fluency"
                            " routine; one had not had the training."),
            ("environment", "The library is open at lunchtime three days a week; {n} pupils were "
                            "using it during the visit."),
        ),
    ),
    "writing": Area(
        "Writing stamina and composition in key stage 2",
        ("How well do pupils sustain and structure longer pieces of writing?",
         "How is spelling taught and checked across year groups?",
         "How does feedback help pupils improve a draft?"),
        ("writing.composition", "writing.spelling_grammar", "writing.handwriting"),
        (
            ("work_scrutiny", "{n} of {m} Year 5 books had a piece of more than a page written "
                              "independently this half-term."),
            ("lesson_visit", "Year 4 writing lesson: pupils planned with a shared structure; {n} "
                             "of {m} used paragraphs in their draft."),
            ("pupil_voice", "{n} of {m} pupils could say what they had improved in their last "
                            "draft and why."),
            ("document_review", "The spelling programme is set out for each year group; weekly "
                                "checks are recorded for Years 2 to 6."),
            ("staff_voice", "Teachers in Years 3 and 4 said editing time is often cut when "
                            "lessons overrun."),
            ("data_analysis", "In-school writing assessment: {n} of {m} Year 6 pupils at the "
                              "expected standard in the autumn."),
        ),
    ),
    "maths": Area(
        "Number fluency and reasoning in mathematics",
        ("How secure are pupils' number facts by the end of Year 4?",
         "How often do pupils explain their reasoning in mathematics lessons?",
         "How are manipulatives and representations used to build understanding?"),
        ("maths.number", "maths.reasoning", "maths.representations"),
        (
            ("lesson_visit", "Year 4 lesson: a daily five-minute facts practice; {n} of {m} "
                             "pupils answered the times-table questions within the time."),
            ("work_scrutiny", "Reasoning tasks appear weekly in {n} of {m} books sampled from "
                              "Years 3 to 6."),
            ("learning_walk", "Manipulatives were out and in use in {n} of {m} classrooms "
                              "visited."),
            ("pupil_voice", "{n} of {m} pupils explained a method using a bar model or number "
                            "line."),
            ("data_analysis", "Multiplication check practice: {n} of {m} Year 4 pupils scored 20 "
                              "or more out of 25."),
            ("staff_voice", "The maths lead described coaching for new teachers; two support "
                            "staff had not been included."),
        ),
    ),
    "send": Area(
        "Provision for pupils with special educational needs in ordinary lessons",
        ("How well are the needs of pupils on SEN support identified and shared?",
         "How are lessons adapted so that pupils with SEND learn the same curriculum?",
         "How effective are the targeted interventions?"),
        ("send.classroom", "send.identification", "send.interventions", "send.coordination"),
        (
            ("lesson_visit", "In {n} of {m} lessons visited, pupils with SEND used adapted "
                             "resources and worked on the same objective as their class."),
            ("document_review", "Pupil passports are up to date for {n} of {m} pupils on SEN "
                                "support sampled."),
            ("support_staff_voice", "Two teaching assistants described the interventions they "
                                    "run; neither sees the class teacher's plans in advance."),
            ("parent_voice", "{n} of {m} parents of pupils with SEND said they are told what "
                             "their child is working on."),
            ("data_analysis", "Intervention records: {n} of {m} pupils in the reading "
                              "intervention made the expected progress last term."),
            ("staff_voice", "The SENCO meets each class teacher every half-term to review "
                            "provision."),
        ),
    ),
    "disadvantaged": Area(
        "The attainment and experiences of disadvantaged pupils",
        ("How well do disadvantaged pupils achieve compared with their peers?",
         "How is the pupil premium spent, and how is its impact checked?",
         "How far do disadvantaged pupils take part in clubs and trips?"),
        ("disadvantaged.attainment", "disadvantaged.pupil_premium", "disadvantaged.enrichment"),
        (
            ("data_analysis", "KS2 last summer: {n} of {m} disadvantaged pupils reached the "
                              "expected standard in reading, writing and maths."),
            ("document_review", "The pupil premium strategy names three priorities, each with a "
                                "measure checked termly."),
            ("pupil_voice", "{n} of {m} disadvantaged pupils interviewed attend a club after "
                            "school."),
            ("lesson_visit", "In {n} of {m} lessons visited, disadvantaged pupils were asked "
                             "questions as often as their peers."),
            ("staff_voice", "Teachers could name the disadvantaged pupils in their class and "
                            "their barriers to learning."),
            ("parent_voice", "Parents said the cost of trips is covered, but the clubs end too "
                             "late for some to collect their children."),
        ),
    ),
    "attendance": Area(
        "Attendance and persistent absence",
        ("How effective is the school's work with families of persistently absent pupils?",
         "How quickly are absences followed up?"),
        ("attendance.persistent_absence", "attendance.punctuality", "engagement.parents"),
        (
            ("data_analysis", "Persistent absence this term is {n} in {m} pupils, lower than the "
                              "same term last year."),
            ("document_review", "First-day calls are logged for every unexplained absence; {n} of"
                                " {m} sampled were made before 10 o'clock."),
            ("staff_voice", "The attendance officer meets the families of persistently absent "
                            "pupils every fortnight."),
            ("parent_voice", "{n} of {m} parents spoken to knew the school's attendance target."),
            ("learning_walk", "Morning registration: {n} of {m} classes had the register "
                              "completed within ten minutes."),
            ("pupil_voice", "Pupils described the weekly attendance award; some said it rewards "
                            "the same pupils each week."),
        ),
    ),
    "early_years": Area(
        "Communication and language in the early years",
        ("How well does the environment develop children's talk?",
         "How are children who are behind in language identified and supported?",
         "How well are children prepared for Year 1?"),
        ("early_years.communication", "early_years.literacy", "early_years.maths",
         "early_years.transition"),
        (
            ("environment", "Reception provision: {n} of {m} areas had adults modelling "
                            "vocabulary during the visit."),
            ("lesson_visit", "Phonics in Reception: {n} of {m} children blended the sounds taught"
                             " this week."),
            ("learning_walk", "Story time happened in both Reception classes; books are repeated "
                              "through the week."),
            ("data_analysis", "Baseline: {n} of {m} children began Reception below the expected "
                              "level in communication."),
            ("staff_voice", "The early years lead described the language screening used in the "
                            "first half-term."),
            ("parent_voice", "{n} of {m} parents said they receive ideas for talking with their "
                             "child at home."),
        ),
    ),
    "curriculum": Area(
        "Curriculum sequencing in the foundation subjects",
        ("How well is knowledge sequenced from year to year in history and geography?",
         "How do subject leaders check what pupils remember?"),
        ("curriculum.design", "curriculum.foundation_subjects", "leadership.middle"),
        (
            ("document_review", "Curriculum maps set out the knowledge for each year in history "
                                "and geography, with links back to earlier years."),
            ("pupil_voice", "{n} of {m} Year 5 pupils recalled what they had learnt about the "
                            "Romans in Year 3."),
            ("work_scrutiny", "Geography books in {n} of {m} classes show the same unit structure"
                              " and a final piece."),
            ("staff_voice", "Subject leaders have one release session a term and use it for book "
                            "looks."),
            ("lesson_visit", "Year 6 history: pupils used a timeline of earlier units to place "
                             "the new period; {n} of {m} did so unprompted."),
            ("learning_walk", "Knowledge organisers were displayed in {n} of {m} classrooms."),
        ),
    ),
    "behaviour": Area(
        "Behaviour routines and relationships",
        ("How consistently are the behaviour routines applied by all adults?",
         "How well are pupils who struggle to manage their behaviour supported?"),
        ("behaviour.culture", "behaviour.relationships", "behaviour.exclusions"),
        (
            ("learning_walk", "Transitions between lessons were calm in {n} of {m} corridors and "
                              "classrooms observed."),
            ("lesson_visit", "Low-level disruption was dealt with quickly in {n} of {m} lessons, "
                             "using the school's script."),
            ("pupil_voice", "{n} of {m} pupils said adults deal with unkindness fairly."),
            ("data_analysis", "Suspensions: {n} this term, down from {m} in the autumn last year."),
            ("staff_voice", "Midday staff said they have not been trained in the behaviour "
                            "policy."),
            ("document_review", "Behaviour logs record the support put in place after each "
                                "repeated incident."),
        ),
    ),
    "wellbeing": Area(
        "Staff and pupil well-being (a sense of control, community, commitment and challenge)",
        ("How far do staff feel in control of their workload?",
         "How well does the school support pupils' mental health?",
         "How strong is the sense of community among staff?"),
        ("wellbeing.staff.workload", "wellbeing.pupils", "wellbeing.staff.community",
         "wellbeing.organisation.control"),
        (
            ("staff_voice", "{n} of {m} staff in the focus group said marking expectations are "
                            "reasonable."),
            ("document_review", "The staff survey is run each term; actions are reported back at "
                                "the following briefing."),
            ("pupil_voice", "{n} of {m} pupils could name an adult they would talk to if worried."),
            ("support_staff_voice", "Support staff said they are invited to the staff celebration"
                                    " but not to training days."),
            ("environment", "A quiet room is staffed at lunchtime; {n} pupils used it during the "
                            "visit."),
            ("parent_voice", "Parents described the mental-health workshops as useful; {n} of {m}"
                             " had attended one."),
        ),
    ),
    "eal": Area(
        "Pupils learning English as an additional language",
        ("How quickly do new arrivals with little English take part in lessons?",
         "How is spoken language developed across the curriculum?"),
        ("eal", "curriculum.oracy"),
        (
            ("lesson_visit", "In {n} of {m} lessons, new arrivals had visual vocabulary and a "
                             "talk partner."),
            ("pupil_voice", "{n} of {m} pupils new to English said they understood what to do in "
                            "lessons."),
            ("document_review", "The induction plan for new arrivals includes a language "
                                "assessment in the first week."),
            ("staff_voice", "Teachers said they would like more guidance on planning for pupils "
                            "at the early stages of English."),
            ("data_analysis", "{n} of {m} pupils with EAL reached the expected standard in "
                              "reading last year."),
            ("parent_voice", "Translated newsletters are sent in the four main home languages."),
        ),
    ),
    "sixth_form": Area(
        "Independent study in the sixth form",
        ("How well do sixth-form students use their study periods?",
         "How is progress in the sixth form checked and acted on?"),
        ("sixth_form", "teaching.homework", "assessment.data"),
        (
            ("learning_walk", "Study centre, period 3: {n} of {m} students were working on set "
                              "tasks."),
            ("pupil_voice", "{n} of {m} Year 12 students described a weekly plan for their "
                            "independent study."),
            ("document_review", "Progress reviews each half-term record targets for each subject."),
            ("staff_voice", "Heads of department said independent study tasks are not set "
                            "consistently."),
            ("data_analysis", "{n} of {m} Year 13 students are on track for their target grades "
                              "in all subjects."),
            ("work_scrutiny", "Folders in {n} of {m} subjects showed notes made beyond the "
                              "lessons."),
        ),
    ),
    "assessment": Area(
        "Assessment in lessons and the use of assessment information",
        ("How well do teachers check understanding during lessons?",
         "How is assessment information used to plan the next steps?"),
        ("assessment.formative", "assessment.data", "teaching.feedback"),
        (
            ("lesson_visit", "Mini-whiteboards were used to check every pupil's answer in {n} of "
                             "{m} lessons visited."),
            ("work_scrutiny", "Pupils responded to feedback in {n} of {m} books sampled."),
            ("staff_voice", "Teachers said three data drops a year take a week each to complete."),
            ("document_review", "Assessment information is analysed by pupil group each term; "
                                "actions are recorded for each class."),
            ("pupil_voice", "{n} of {m} pupils could say what they needed to do to improve."),
            ("data_analysis", "Teacher assessments matched the standardised test results for {n} "
                              "of {m} pupils sampled."),
        ),
    ),
    "personal_development": Area(
        "Personal development: PSHE, relationships education and wider opportunities",
        ("How well does the PSHE curriculum prepare pupils for life beyond school?",
         "How many pupils take part in the wider opportunities on offer?"),
        ("curriculum.personal_development", "wellbeing.pupils", "disadvantaged.enrichment"),
        (
            ("document_review", "The PSHE curriculum is mapped for every year group, including "
                                "relationships and health education."),
            ("pupil_voice", "{n} of {m} pupils described what they had learnt about keeping safe "
                            "online."),
            ("lesson_visit", "Year 9 PSHE lesson: pupils discussed a scenario about consent; {n} "
                             "of {m} contributed."),
            ("data_analysis", "Club registers: {n} of {m} pupils took part in at least one club "
                              "this term."),
            ("staff_voice", "Tutors said PSHE lessons are sometimes used for other business."),
            ("environment", "Displays in {n} of {m} corridors showed the careers programme for "
                            "each year."),
        ),
    ),
}
# fmt: on


def area(focus_code: str) -> Area:
    """The area for a review focus; a code without its own falls back to the curriculum."""
    return AREAS.get(focus_code, AREAS["curriculum"])
