"""NATS subject matching (``*`` is one token, ``>`` the rest), as the server does it."""

from __future__ import annotations


def subject_matches(subject: str, pattern: str) -> bool:
    tokens = subject.split(".")
    parts = pattern.split(".")
    for index, part in enumerate(parts):
        if part == ">":
            return len(tokens) > index
        if index >= len(tokens) or (part != "*" and part != tokens[index]):
            return False
    return len(tokens) == len(parts)
