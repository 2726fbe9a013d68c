"""Fixtures shared by the service tests: dev-key tokens."""

from __future__ import annotations

from pathlib import Path

import pytest

from common.auth import issue_dev_token, load_or_create_dev_key
from tests.support import AUDIENCE, ISSUER, TokenFactory


@pytest.fixture
def dev_key_path(tmp_path: Path) -> Path:
    return tmp_path / "dev-signing-key.pem"


@pytest.fixture
def issue_token(dev_key_path: Path) -> TokenFactory:
    """``issue_token("directory:read", la=["881"])`` -> a bearer token the test apps accept
    (``person_id=...``: a person's own token)."""
    key = load_or_create_dev_key(dev_key_path)

    def issue(
        *scopes: str,
        subject: str = "test-client",
        person_id: str | None = None,
        **tenancy: list[str],
    ) -> str:
        return issue_dev_token(
            key,
            issuer=ISSUER,
            audience=AUDIENCE,
            subject=subject,
            scopes=scopes,
            la=tenancy.get("la", ()),
            trusts=tenancy.get("trusts", ()),
            partnerships=tenancy.get("partnerships", ()),
            schools=tenancy.get("schools", ()),
            person_id=person_id,
        )

    return issue
