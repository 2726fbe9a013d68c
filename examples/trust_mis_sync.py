"""A trust MIS's sync with Critical Friend, as an integrator writes it (httpx only).

    CF_TOKEN=... python examples/trust_mis_sync.py \
        --export examples/trust_mis_export.json --state .data/mis-sync-state.json

1. **Push the trust's schools**: ``PUT /v1/schools/{urn}``, read first; a school that differs
   is replaced with ``If-Match`` (its ETag), one that is the same is left alone.
2. **Push the leadership staff**: a new person is registered with ``POST /v1/people`` and an
   ``Idempotency-Key`` derived from the MIS's own staff id, so a retried request (a timeout, a
   crash before the answer was saved) creates nobody twice; the MIS id -> person id mapping is
   kept in the state file, and people the state does not know are looked up by work email
   first. Changes go out as ``PATCH`` (name, email, expertise) and ``PUT .../roles``, with
   ``If-Match``.
3. **Pull the directory back** with ``updated_since``: the trust's schools and their people
   changed since the last pull, by the high-water mark kept in the state file (the newest
   ``updated_at`` seen, not the local clock). The mark is re-read inclusively and rows are
   compared by ``version``, so nothing is missed at the boundary and nothing reported twice.
4. **Pull the schedule** (``pull_schedule``): the planned reviews of the trust's schools
   changed since the last pull, the same way (``GET /v1/planned-reviews?updated_since=``),
   ready to write into the MIS calendar.

The token is the MIS's client credential (``make -s token SCOPE="directory:read
directory:write schedule:read" TOKEN_ARGS="--trust 16234 --school 140001 --school 140002
--school 140003"``): the trust lets it replace its schools and read their planned reviews; the
schools let it give their staff roles (the directory lets a school, its LA or its partnership
leads do that, not a trust alone).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

import httpx

PHASES = {"Primary": "primary", "Secondary": "secondary", "Special": "special",
          "All-through": "all_through", "Nursery": "nursery"}  # fmt: skip
# The MIS's posts that Critical Friend needs; other staff are not pushed.
POSTS = {"Headteacher": "headteacher", "Executive Headteacher": "headteacher",
         "Deputy Headteacher": "deputy", "Assistant Headteacher": "senior_leader"}  # fmt: skip
PEER_REVIEW_ROLES = {"Lead reviewer": "lead_reviewer", "Reviewer": "reviewer",
                     "Improvement Champion": "improvement_champion",
                     "Assistant IC": "assistant_ic"}  # fmt: skip
YEARLY_ROLES = {"improvement_champion", "assistant_ic"}
# The MIS's specialisms as Critical Friend's expertise codes (the others are not mapped).
SPECIALISMS = {"Reading": "reading", "Writing": "writing", "Mathematics": "maths",
               "Science": "science", "SEND": "send", "EYFS": "early_years",
               "Behaviour": "behaviour", "Attendance": "attendance", "Curriculum": "curriculum",
               "Pupil premium": "disadvantaged", "Leadership": "leadership",
               "Wellbeing": "wellbeing", "Safeguarding": "safeguarding", "EAL": "eal"}  # fmt: skip
SCHOOL_FIELDS = ("name", "phase", "la_code", "establishment_number", "trust_uid", "postcode",
                 "easting", "northing", "status")  # fmt: skip


@dataclass
class SyncState:
    """What the sync keeps between runs."""

    people: dict[str, str] = field(default_factory=dict)  # MIS staff id -> person id
    high_water: dict[str, str] = field(default_factory=dict)  # "schools"/"people" -> updated_at
    versions: dict[str, int] = field(default_factory=dict)  # "school:140001" -> version seen

    @classmethod
    def load(cls, path: Path) -> SyncState:
        if not path.exists():
            return cls()
        return cls(**json.loads(path.read_text()))

    def save(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        body = {"people": self.people, "high_water": self.high_water, "versions": self.versions}
        path.write_text(json.dumps(body, indent=2, sort_keys=True))


@dataclass
class SyncReport:
    pushed: dict[str, dict[str, int]] = field(default_factory=dict)
    pulled: dict[str, list[str]] = field(default_factory=dict)  # what changed, by kind
    schedule: list[dict[str, Any]] = field(default_factory=list)  # planned reviews changed
    writes: int = 0

    def count(self, kind: str, outcome: str) -> None:
        tally = self.pushed.setdefault(kind, {"created": 0, "updated": 0, "unchanged": 0})
        tally[outcome] += 1

    def lines(self) -> list[str]:
        out = [f"pushed {kind}: {tally}" for kind, tally in self.pushed.items()]
        out += [
            f"pulled {kind} changed since the last sync: {v}" for kind, v in self.pulled.items()
        ]
        for review in self.schedule:
            team = ", ".join(f"{m['name']} ({m['role']})" for m in review["team"])
            when = f"{', '.join(review['days'])} {review['mode']}"
            out.append(f"  review of {review['urn']}: {review['status']}, {when}: {team}")
        return out


def school_body(mis: dict[str, Any], school: dict[str, Any]) -> dict[str, Any]:
    return {
        "name": school["name"],
        "phase": PHASES[school["phase"]],
        "la_code": school["la_code"],
        "establishment_number": school["dfe_number"].split("/")[-1],
        "trust_uid": mis["trust"]["uid"],
        "postcode": school["postcode"],
        "easting": school["easting"],
        "northing": school["northing"],
        "status": "open",
    }


def person_body(mis: dict[str, Any], staff: dict[str, Any], urn: int) -> dict[str, Any]:
    kinds = [POSTS[staff["post"]]] + [PEER_REVIEW_ROLES[r] for r in staff["peer_review"]]
    roles = []
    for kind in kinds:
        role: dict[str, Any] = {"role": kind, "urn": urn}
        if kind in YEARLY_ROLES:
            role["academic_year"] = mis["academic_year"]
        roles.append(role)
    expertise = sorted({SPECIALISMS[s] for s in staff["specialisms"] if s in SPECIALISMS})
    return {
        "name": f"{staff['forename']} {staff['surname']}",
        "email": staff["email"],
        "roles": roles,
        "expertise": expertise,
    }


def _instant(text: str) -> datetime:
    return datetime.fromisoformat(text)


def _role_set(roles: list[dict[str, Any]]) -> set[tuple[Any, ...]]:
    return {(r["role"], r.get("urn"), r.get("academic_year")) for r in roles}


class TrustMisSync:
    def __init__(self, client: httpx.Client, mis: dict[str, Any], state: SyncState) -> None:
        self.client, self.mis, self.state = client, mis, state
        self.report = SyncReport()
        self.urns = {s["mis_id"]: s["urn"] for s in mis["schools"]}

    def run(self) -> SyncReport:
        self.push_schools()
        self.push_people()
        self.pull_directory()
        self.pull_schedule()
        return self.report

    def _send(self, method: str, path: str, **kwargs: Any) -> httpx.Response:
        response = self.client.request(method, path, **kwargs)
        if method != "GET":
            self.report.writes += 1
        return response

    # 1. Schools ---------------------------------------------------------------------------

    def push_schools(self) -> None:
        for school in self.mis["schools"]:
            self._push_school(school["urn"], school_body(self.mis, school))

    def _push_school(self, urn: int, body: dict[str, Any], retried: bool = False) -> None:
        current = self._send("GET", f"/v1/schools/{urn}")
        if current.status_code == 404:
            self._send("PUT", f"/v1/schools/{urn}", json=body).raise_for_status()
            self.report.count("schools", "created")
            return
        current.raise_for_status()
        if all(current.json()[k] == body[k] for k in SCHOOL_FIELDS):
            self.report.count("schools", "unchanged")
            return
        etag = current.headers["ETag"]
        answer = self._send("PUT", f"/v1/schools/{urn}", json=body, headers={"If-Match": etag})
        if answer.status_code == 412 and not retried:  # changed meanwhile: read it again
            self._push_school(urn, body, retried=True)
            return
        answer.raise_for_status()
        self.report.count("schools", "updated")

    # 2. People ----------------------------------------------------------------------------

    def idempotency_key(self, staff: dict[str, Any]) -> str:
        """From the MIS's own id: the same staff member is always the same key."""
        return f"{self.mis['mis']}:{self.mis['trust']['uid']}:staff:{staff['mis_id']}"

    def push_people(self) -> None:
        by_email = {}
        for urn in self.urns.values():
            for person in self._all(f"/v1/people?school={urn}"):
                by_email[person["email"]] = person
        for staff in self.mis["staff"]:
            if staff["post"] not in POSTS:
                continue
            body = person_body(self.mis, staff, self.urns[staff["school"]])
            known = self.state.people.get(staff["mis_id"])
            if known is None and staff["email"] in by_email:
                known = by_email[staff["email"]]["id"]
            if known is None:
                self.state.people[staff["mis_id"]] = self.register(staff, body)
                self.report.count("people", "created")
            else:
                self.state.people[staff["mis_id"]] = known
                self.report.count("people", self._update_person(known, body))

    def register(self, staff: dict[str, Any], body: dict[str, Any]) -> str:
        """POST the person; a repeat with the same key answers the first response again."""
        headers = {"Idempotency-Key": self.idempotency_key(staff)}
        answer = self._send("POST", "/v1/people", json=body, headers=headers)
        answer.raise_for_status()
        person_id: str = answer.json()["id"]
        return person_id

    def _update_person(self, person_id: str, body: dict[str, Any]) -> str:
        current = self._send("GET", f"/v1/people/{person_id}")
        current.raise_for_status()
        held, etag = current.json(), current.headers["ETag"]
        patch = {k: body[k] for k in ("name", "email") if held[k] != body[k]}
        if sorted(held["expertise"]) != body["expertise"]:
            patch["expertise"] = body["expertise"]
        if patch:
            answer = self._send(
                "PATCH", f"/v1/people/{person_id}", json=patch, headers={"If-Match": etag}
            )
            answer.raise_for_status()
            etag = answer.headers["ETag"]
        roles_changed = _role_set(held["roles"]) != _role_set(body["roles"])
        if roles_changed:
            answer = self._send(
                "PUT", f"/v1/people/{person_id}/roles", json={"roles": body["roles"]},
                headers={"If-Match": etag},
            )  # fmt: skip
            answer.raise_for_status()
        return "updated" if patch or roles_changed else "unchanged"

    # 3. The directory back ----------------------------------------------------------------

    def _all(self, path: str, **params: str) -> list[dict[str, Any]]:
        items: list[dict[str, Any]] = []
        query: dict[str, str] = {**params, "limit": "200"}
        while True:
            answer = self._send("GET", path, params=query)
            answer.raise_for_status()
            page = answer.json()
            items += page["data"]
            if not page["next_cursor"]:
                return items
            query["cursor"] = page["next_cursor"]

    def _changed(self, kind: str, rows: list[dict[str, Any]], key: str) -> list[str]:
        """Rows newer than the version seen; moves the high-water mark to the newest row."""
        changed = []
        for row in rows:
            name = f"{kind}:{row[key]}"
            if row["version"] > self.state.versions.get(name, 0):
                self.state.versions[name] = row["version"]
                changed.append(str(row[key]))
            mark = self.state.high_water.get(kind)
            if mark is None or _instant(row["updated_at"]) > _instant(mark):
                self.state.high_water[kind] = row["updated_at"]
        return changed

    def pull_directory(self) -> None:
        since = self.state.high_water.get("schools")
        params = {"trust": self.mis["trust"]["uid"], **({"updated_since": since} if since else {})}
        schools = self._all("/v1/schools", **params)
        self.report.pulled["schools"] = self._changed("schools", schools, "urn")
        since = self.state.high_water.get("people")
        people: dict[str, dict[str, Any]] = {}
        for urn in self.urns.values():
            query = {"school": str(urn), **({"updated_since": since} if since else {})}
            people.update({p["id"]: p for p in self._all("/v1/people", **query)})
        self.report.pulled["people"] = self._changed("people", list(people.values()), "id")

    # 4. The schedule --------------------------------------------------------------------

    def pull_schedule(self) -> None:
        """The planned reviews of the trust's schools changed since the last pull (new, moved,
        re-teamed or cancelled: the plan's ``version`` rises with each), to write into the MIS
        calendar. ``GET /v1/planned-reviews`` answers what the token may see: a trust sees the
        reviews of its schools."""
        since = self.state.high_water.get("planned reviews")
        query = {"updated_since": since} if since else {}
        rows = self._all("/v1/planned-reviews", **query)
        self.report.pulled["planned reviews"] = self._changed("planned reviews", rows, "id")
        changed = set(self.report.pulled["planned reviews"])
        self.report.schedule = [row for row in rows if row["id"] in changed]


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Sync a trust MIS export with Critical Friend.")
    here = Path(__file__).with_name("trust_mis_export.json")
    parser.add_argument("--export", type=Path, default=here, help="the MIS's export (JSON)")
    parser.add_argument("--state", type=Path, default=Path(".data/mis-sync-state.json"))
    default_url = os.environ.get("SCHEDULING_URL", "http://127.0.0.1:8001")
    parser.add_argument("--base-url", default=default_url, help="the scheduling service")
    args = parser.parse_args(argv)
    token = os.environ.get("CF_TOKEN")
    if not token:
        print("set CF_TOKEN to the MIS's bearer token (see the module docstring)", file=sys.stderr)
        return 2
    mis = json.loads(args.export.read_text())
    state = SyncState.load(args.state)
    headers = {"Authorization": f"Bearer {token}"}
    with httpx.Client(base_url=args.base_url, headers=headers, timeout=30) as client:
        report = TrustMisSync(client, mis, state).run()
    state.save(args.state)
    for line in report.lines():
        print(line)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
