"""A trust MIS's sync with Critical Friend, as an integrator writes it (httpx only).

    CF_TOKEN=... python examples/trust_mis_sync.py \
        --export examples/trust_mis_export.json --state .data/mis-sync-state.json

1. **Push the trust's schools**: ``PUT /v1/schools/{urn}``, read first; a school that differs
   is replaced with ``If-Match`` (its ETag), one that is the same is left alone.
2. **Push the leadership staff** in one request per hundred: ``POST /v1/people/bulk`` with
   the MIS's name (``source``) and each person's MIS staff id (``external_id``). The service
   finds each person by that id (the first time, by work email), creates, updates or leaves
   them alone, and answers per row; the same batch again changes nothing, so a retried
   request is harmless. The MIS id -> person id mapping is kept in the state file.
   (``register`` shows the one-by-one way: ``POST /v1/people`` with an ``Idempotency-Key``.)
3. **Pull the directory back** with the sync boundary kept in the state file: the
   ``updated_at`` and ``id`` of the last row read (``updated_since`` + ``after_id``), so the
   next pull starts strictly after it: nothing is missed, and a batch that changed many rows
   in one instant is not read again. Deletions come from ``GET /v1/tombstones`` the same way
   (a role ended at one of the trust's schools, a school leaving a partnership).
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
BULK_SIZE = 100  # the most rows POST /v1/people/bulk takes
SCHOOL_FIELDS = ("name", "phase", "la_code", "establishment_number", "trust_uid", "postcode",
                 "easting", "northing", "status")  # fmt: skip


@dataclass
class SyncState:
    """What the sync keeps between runs."""

    people: dict[str, str] = field(default_factory=dict)  # MIS staff id -> person id
    # "schools"/"people"/... -> the last row read: {"updated_since": ..., "after_id": ...}
    high_water: dict[str, dict[str, str]] = field(default_factory=dict)
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
    removed: list[dict[str, Any]] = field(default_factory=list)  # tombstones since last pull
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


def _key(row: dict[str, Any], key: str) -> tuple[datetime, Any]:
    """The list's sync order: ``updated_at``, then the id (a URN compares as a number)."""
    return datetime.fromisoformat(row["updated_at"]), row[key]


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
        rows = [
            {"external_id": staff["mis_id"],
             **person_body(self.mis, staff, self.urns[staff["school"]])}
            for staff in self.mis["staff"]
            if staff["post"] in POSTS
        ]  # fmt: skip
        for start in range(0, len(rows), BULK_SIZE):
            batch = {"source": self.mis["mis"], "people": rows[start : start + BULK_SIZE]}
            answer = self._send("POST", "/v1/people/bulk", json=batch)
            answer.raise_for_status()
            for result in answer.json()["results"]:
                if result["problem"] is not None:
                    raise RuntimeError(f"{result['external_id']}: {result['problem']}")
                self.state.people[result["external_id"]] = result["person"]["id"]
                self.report.count("people", result["outcome"])

    def register(self, staff: dict[str, Any], body: dict[str, Any]) -> str:
        """POST the person; a repeat with the same key answers the first response again."""
        headers = {"Idempotency-Key": self.idempotency_key(staff)}
        answer = self._send("POST", "/v1/people", json=body, headers=headers)
        answer.raise_for_status()
        person_id: str = answer.json()["id"]
        return person_id

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
        """Every row read is a change (the boundary is strict); the newest becomes the next
        pull's boundary: its ``updated_at`` and its id."""
        for row in rows:
            self.state.versions[f"{kind}:{row[key]}"] = row["version"]
        if rows:
            last = max(rows, key=lambda row: _key(row, key))
            mark = {"updated_since": last["updated_at"], "after_id": str(last[key])}
            self.state.high_water[kind] = mark
        return [str(row[key]) for row in rows]

    def pull_directory(self) -> None:
        since = self.state.high_water.get("schools", {})
        schools = self._all("/v1/schools", trust=self.mis["trust"]["uid"], **since)
        self.report.pulled["schools"] = self._changed("schools", schools, "urn")
        since = self.state.high_water.get("people", {})
        people: dict[str, dict[str, Any]] = {}
        for urn in self.urns.values():
            people.update({p["id"]: p for p in self._all("/v1/people", school=str(urn), **since)})
        self.report.pulled["people"] = self._changed("people", list(people.values()), "id")
        self.pull_removed()

    def pull_removed(self) -> None:
        """What was deleted since the last pull that the token may see (roles ended at the
        trust's schools, memberships): the MIS drops them too."""
        since = self.state.high_water.get("tombstones", {})
        rows = self._all("/v1/tombstones", **since)
        for row in rows:
            row["updated_at"], row["version"] = row["removed_at"], 1
        self._changed("tombstones", rows, "id")
        self.report.removed = rows

    # 4. The schedule --------------------------------------------------------------------

    def pull_schedule(self) -> None:
        """The planned reviews of the trust's schools changed since the last pull (new, moved,
        re-teamed or cancelled: the plan's ``version`` rises with each), to write into the MIS
        calendar. ``GET /v1/planned-reviews`` answers what the token may see: a trust sees the
        reviews of its schools."""
        since = self.state.high_water.get("planned reviews", {})
        rows = self._all("/v1/planned-reviews", **since)
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
