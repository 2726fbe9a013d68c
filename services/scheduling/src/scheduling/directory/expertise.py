"""The controlled vocabulary of expertise codes: what a person knows well, and what a school
asks a review to focus on. The one place the codes live; people and cycle requests validate
against it. Knowledge maps each code to a theme of its taxonomy (its shipped
``default_taxonomy.json``); ``tests/knowledge/test_expertise_vocabulary.py`` holds the two
together: every code here maps to a current theme, and every mapped code is one of these."""

from __future__ import annotations

from enum import StrEnum


class Expertise(StrEnum):
    READING = "reading"
    PHONICS = "phonics"
    WRITING = "writing"
    MATHS = "maths"
    SCIENCE = "science"
    SEND = "send"
    EARLY_YEARS = "early_years"
    BEHAVIOUR = "behaviour"
    ATTENDANCE = "attendance"
    CURRICULUM = "curriculum"
    DISADVANTAGED = "disadvantaged"
    SUPPORT_STAFF = "support_staff"
    WELLBEING = "wellbeing"
    DIGITAL = "digital"
    LEADERSHIP = "leadership"
    ASSESSMENT = "assessment"
    TEACHING = "teaching"
    ORACY = "oracy"
    PUPIL_VOICE = "pupil_voice"
    PARENTS = "parents"
    SAFEGUARDING = "safeguarding"
    PERSONAL_DEVELOPMENT = "personal_development"
    GOVERNANCE = "governance"
    EAL = "eal"
    SIXTH_FORM = "sixth_form"
