"""Plausible English school, trust and people names from patterns and place names.

The schools are invented: a pattern ("St Mary's Church of England Primary School", "Chelmer
Valley High School", "Oakwood Infant School") filled with a locality of the partnership's town
or a common naming feature. Names are unique in the county; a repeat gets its locality added
after a comma, as GIAS writes "St Andrew's Church of England Primary School, Halstead".
"""

from __future__ import annotations

import random
import re
import unicodedata

SAINTS = (
    "Mary", "John", "Peter", "Andrew", "Michael", "Margaret", "Nicholas", "Thomas", "Helen",
    "Joseph", "Anne", "Luke", "James", "Osyth", "Cedd", "Edmund", "Teresa", "Francis",
    "Lawrence", "Botolph", "Mark", "Katherine", "Alban", "Clare", "George", "Giles",
)  # fmt: skip
FEATURES = (
    "Oakwood", "Meadowside", "Elmwood", "Hillside", "Beechwood", "Greenfields", "Riverside",
    "Fairfield", "Willowbrook", "Ashcroft", "Hawthorn", "Kingsmead", "Larchwood", "Millfield",
    "Parkside", "Rosewood", "Woodlands", "Lime Tree", "Cherry Tree", "Holly Trees",
    "Maple Grove", "Brook Farm", "Heathlands", "Orchard", "Ravenscroft", "Wentworth",
    "Tudor", "Highfields", "Thorpedene", "Kingswode", "Lodge Park", "Downs Barn",
)  # fmt: skip
RIVERS = ("Chelmer", "Colne", "Blackwater", "Crouch", "Roding", "Stour", "Stort", "Pant",
          "Brain", "Ter", "Wid", "Can", "Lea", "Cam")  # fmt: skip
FIRST_NAMES = (
    "Sarah", "James", "Emma", "David", "Claire", "Paul", "Rachel", "Mark", "Helen", "Andrew",
    "Louise", "Richard", "Joanne", "Simon", "Nicola", "Stephen", "Kate", "Michael", "Laura",
    "Daniel", "Rebecca", "Matthew", "Victoria", "Christopher", "Amanda", "Gareth", "Sophie",
    "Jonathan", "Hannah", "Adam", "Lucy", "Thomas", "Fiona", "Robert", "Natalie", "Neil",
    "Charlotte", "Peter", "Gemma", "Ian", "Jennifer", "Martin", "Zoe", "Samuel", "Alison",
    "Benjamin", "Catherine", "Darren", "Ellie", "Graham", "Harriet", "Imran", "Jasmine",
    "Kwame", "Leanne", "Mohammed", "Nadia", "Oliver", "Priya", "Ravi", "Sinead", "Tom",
    "Ursula", "Vikram", "Wendy", "Yasmin", "Aisha", "Bernadette", "Ciaran", "Deborah",
)  # fmt: skip
SURNAMES = (
    "Smith", "Jones", "Taylor", "Brown", "Williams", "Wilson", "Johnson", "Davies", "Robinson",
    "Wright", "Thompson", "Evans", "Walker", "White", "Roberts", "Green", "Hall", "Wood",
    "Jackson", "Clarke", "Patel", "Hughes", "Edwards", "Turner", "Hill", "Moore", "Cooper",
    "Ward", "Harris", "Martin", "King", "Lewis", "Baker", "Lee", "Allen", "Morris", "Khan",
    "Scott", "Watson", "Young", "Mitchell", "Carter", "Phillips", "Parker", "Bennett", "Shaw",
    "Cook", "Richardson", "Bailey", "Collins", "Ahmed", "Marshall", "Chapman", "Webb",
    "Rogers", "Gray", "Mason", "Hunt", "Palmer", "Holmes", "Barker", "Fletcher", "Okafor",
    "Nowak", "Begum", "Osei", "Kowalski", "O'Brien", "Murphy", "Fitzgerald", "Dunne",
    "Ellis", "Knight", "Stevens", "Pearce", "Lawrence", "Fisher", "Harvey", "Sutton",
)  # fmt: skip
TITLES = ("Mrs", "Mr", "Ms", "Dr", "Miss")


def _possessive(name: str) -> str:
    return f"{name}'" if name.endswith("s") else f"{name}'s"


def primary_name(rng: random.Random, locality: str, religion: str | None, academy: bool) -> str:
    if religion == "Church of England":
        if rng.random() < 0.5:
            return f"St {_possessive(rng.choice(SAINTS))} Church of England Primary School"
        return f"{locality} Church of England Primary School"
    if religion == "Roman Catholic":
        return f"St {_possessive(rng.choice(SAINTS))} Catholic Primary School"
    suffix = "Primary Academy" if academy and rng.random() < 0.5 else "Primary School"
    roll = rng.random()
    if roll < 0.12:
        suffix = "Infant School" if rng.random() < 0.5 else "Junior School"
    elif roll < 0.22:
        suffix = "Community Primary School"
    elif roll < 0.28:
        suffix = "Infant and Nursery School"
    base = rng.choice(FEATURES) if rng.random() < 0.4 else locality
    return f"{base} {suffix}"


def secondary_name(rng: random.Random, locality: str, religion: str | None, academy: bool) -> str:
    if religion == "Roman Catholic":
        return f"St {rng.choice(SAINTS)} Catholic School"
    if religion == "Church of England":
        return f"St {_possessive(rng.choice(SAINTS))} Church of England High School"
    patterns = (
        f"{locality} High School",
        f"{locality} Academy" if academy else f"{locality} School",
        f"{rng.choice(RIVERS)} Valley High School",
        f"The {locality} School",
        f"{locality} County High School",
        f"{rng.choice(FEATURES)} Academy" if academy else f"{rng.choice(FEATURES)} School",
    )
    return rng.choice(patterns)


def special_name(rng: random.Random, locality: str) -> str:
    patterns = (
        f"{rng.choice(FEATURES)} School",
        f"{locality} Lodge School",
        f"The {rng.choice(FEATURES)} Centre School",
        f"{rng.choice(RIVERS)} View School",
    )
    return rng.choice(patterns)


def all_through_name(rng: random.Random, locality: str) -> str:
    return rng.choice((f"{locality} Academy", f"{rng.choice(RIVERS)} Park Academy"))


def unique(name: str, locality: str, taken: set[str]) -> str:
    """The name, or with its locality after a comma, or numbered: never one already taken."""
    candidates = [name, f"{name}, {locality}"]
    candidates += [f"{name}, {locality} {n}" for n in range(2, 50)]
    for candidate in candidates:
        if candidate not in taken:
            taken.add(candidate)
            return candidate
    raise ValueError(f"no unique name for {name}")


def person_name(rng: random.Random) -> tuple[str, str]:
    return rng.choice(FIRST_NAMES), rng.choice(SURNAMES)


def slug(text: str) -> str:
    """Lower-case ASCII words joined by dots: 'Tolleshunt D'Arcy' -> 'tolleshunt.darcy'."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    words = re.findall(r"[a-z0-9]+", ascii_text.replace("'", "").lower())
    return ".".join(words)


_DROPPED = {"school", "church", "of", "england", "the", "and", "st", "catholic", "community"}


def school_domain(name: str, seed: int) -> str:
    """A made-up mail domain for the school; ``.example`` is reserved, so never a real one.
    Seeds other than 0 get their own (two seeds can be loaded into one system)."""
    words = [w for w in slug(name.split(",")[0]).split(".") if w not in _DROPPED]
    return "-".join(words[:3]) + ("" if seed == 0 else f".s{seed}") + ".essex.example"
