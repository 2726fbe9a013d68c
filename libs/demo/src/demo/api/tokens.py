"""Bearer tokens for the demo's actors, minted from the development key as ``cf token`` does.

Each actor does what it would do in a real county, with its own tenancy, and is its own client
(its own ``sub``: the services key idempotency records and write rate limits by it):

- the county council (``la``: 881) imports GIAS, creates the partnerships, sets the LA's term
  dates and registers the partnership leads;
- each partnership lead (``partnerships``) adds the member schools, sets the data-sharing
  agreement and creates the year's cycle;
- each school (``schools``) registers its own staff, their training, dates and conflicts, and
  makes its request in the cycle;
- a trust (``trusts``) sets its academies' own term dates;
- a person (``person_id``) does their part of a review: the head of the reviewed school (with
  the school's ``schools`` claim as well), the lead reviewer, a reviewer, the Improvement
  Champion. The reviews service decides their role from the review's team and that claim.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from cryptography.hazmat.primitives.asymmetric import ec

from common.auth import issue_dev_token, load_or_create_dev_key
from common.settings import ServiceSettings

SCOPES = (
    "directory:read",
    "directory:write",
    "schedule:read",
    "schedule:write",
    "reviews:read",
    "reviews:write",
    "knowledge:read",
)
TTL_SECONDS = 4 * 3600  # longer than any run


class Tokens:
    def __init__(
        self, key: ec.EllipticCurvePrivateKey, *, issuer: str, audience: str, la_code: str
    ) -> None:
        self._key, self._issuer, self._audience, self.la_code = key, issuer, audience, la_code
        self._minted: dict[str, str] = {}

    @classmethod
    def from_environment(cls, la_code: str, key_path: Path | None = None) -> Tokens:
        """The key and claims the services use (``AUTH_DEV_KEY_PATH``, ``AUTH_ISSUER``,
        ``AUTH_AUDIENCE``); the key is created if missing, as ``make run`` would."""
        settings = ServiceSettings()
        key = load_or_create_dev_key(key_path or settings.auth_dev_key_path)
        return cls(
            key, issuer=settings.auth_issuer, audience=settings.auth_audience, la_code=la_code
        )

    def _mint(
        self,
        subject: str,
        *,
        la: Sequence[str] = (),
        trusts: Sequence[str] = (),
        partnerships: Sequence[str] = (),
        schools: Sequence[str] = (),
        person_id: str | None = None,
    ) -> str:
        if subject not in self._minted:
            self._minted[subject] = issue_dev_token(
                self._key,
                issuer=self._issuer,
                audience=self._audience,
                subject=subject,
                scopes=SCOPES,
                la=la,
                trusts=trusts,
                partnerships=partnerships,
                schools=schools,
                person_id=person_id,
                ttl_seconds=TTL_SECONDS,
            )
        return self._minted[subject]

    def county(self) -> str:
        return self._mint(f"cf-demo:county:{self.la_code}", la=[self.la_code])

    def lead(self, partnership_id: str) -> str:
        return self._mint(f"cf-demo:lead:{partnership_id}", partnerships=[partnership_id])

    def school(self, urn: int) -> str:
        return self._mint(f"cf-demo:school:{urn}", schools=[str(urn)])

    def trust(self, uid: str) -> str:
        return self._mint(f"cf-demo:trust:{uid}", trusts=[uid])

    def person(self, person_id: str, *, school: int | None = None) -> str:
        """A person's own token; ``school``: their school's claim too (a head acting for it)."""
        schools = [str(school)] if school is not None else []
        subject = f"cf-demo:person:{person_id}" + (f":{school}" if school is not None else "")
        return self._mint(subject, schools=schools, person_id=person_id)
