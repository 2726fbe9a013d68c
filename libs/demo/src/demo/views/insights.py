"""What the knowledge service tells each viewer, read with the viewer's own token: the themes
of the year's reviews (strengths and areas for development by theme: by name for a
partnership whose agreement names its schools, else as counts of schools, a figure about too
few schools shown as suppressed), the outcomes of the actions at the 90-day review, the
process measures, and a partnership's support pairings (its brokering round)."""

from __future__ import annotations

from typing import Any

from demo.api.client import ServiceClient
from demo.views import labels
from demo.views.table import SUPPRESSED, Cell, table

TOP = 6  # themes shown per kind
KINDS = {"strength": "Strengths", "area_for_development": "Areas for development"}


def count(figure: dict[str, Any] | None) -> Cell:
    """A ``{value, suppressed}`` count as a cell."""
    if figure is None:
        return None
    return SUPPRESSED if figure["suppressed"] else figure["value"]


def share(value: float | None) -> Cell:
    return None if value is None else f"{100 * value:.0f}%"


async def available(api: ServiceClient) -> bool:
    """Whether this knowledge service has the insights routes (its OpenAPI says so)."""
    response = await api.request("GET", "/openapi.json", token=None)
    return "/v1/insights/themes" in response.json().get("paths", {})


async def theme_labels(api: ServiceClient, token: str) -> dict[str, str]:
    rows = await api.all_pages("/v1/themes", token=token, params={"include_retired": "true"})
    return {t["code"]: t["label"] for t in rows}


async def reviewed_schools(
    api: ServiceClient, token: str, scope: str, scope_id: str, year: str
) -> int | None:
    """How many schools' reviews of the year the knowledge service has counted (None when
    the figure is not shown)."""
    found = await api.get(
        "/v1/insights/themes", token=token, params={"scope": scope, "id": scope_id, "year": year}
    )
    if found is None or found["reviewed_schools"]["suppressed"]:
        return None
    value: int = found["reviewed_schools"]["value"]
    return value


def _picked(figures: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The most raised themes, the most specific first where a theme and its parent count the
    same schools (the parent then says nothing more)."""
    shown = sorted(
        (f for f in figures if not f["suppressed"]),
        key=lambda f: (-(f["schools"] or 0), -f["code"].count("."), f["code"]),
    )
    picked: list[dict[str, Any]] = []
    for figure in shown:
        if any(p["code"].startswith(f"{figure['code']}.") and p["schools"] == figure["schools"]
               for p in picked):  # fmt: skip
            continue
        picked.append(figure)
        if len(picked) == TOP:
            break
    return picked


async def themes(
    api: ServiceClient, token: str, scope: str, scope_id: str, year: str, names: dict[str, str]
) -> list[str]:
    found = await api.get(
        "/v1/insights/themes", token=token, params={"scope": scope, "id": scope_id, "year": year}
    )
    if found is None:
        return [f"  Themes ({scope}): not visible to this token"]
    named = found["view"] == "named"
    reviewed = count(found["reviewed_schools"])
    threshold = (
        ""
        if found["threshold"] is None
        else f", figures of fewer than {found['threshold']} schools suppressed"
    )
    lines = [
        f"  The themes of {year}'s reviews (GET /v1/insights/themes, {found['view']}; schools "
        f"reviewed: {reviewed}{threshold})"
    ]
    for kind, title in KINDS.items():
        figures = [f for f in found["themes"] if f["kind"] == kind]
        hidden = [f for f in figures if f["suppressed"]]
        rows: list[list[Cell]] = []
        for f in _picked(figures):
            row: list[Cell] = [names.get(f["code"], f["code"]), f["schools"], share(f["share"])]
            if named:
                row += [f["findings"], f["triangulated"]]
            rows.append(row)
        blank: list[Cell] = [None, None] if named else []
        rows += [[names.get(f["code"], f["code"]), SUPPRESSED, None, *blank] for f in hidden[:2]]
        columns = ["theme", "schools", "share"] + (["findings", "triangulated"] if named else [])
        note = f"; {len(hidden)} figures suppressed" if hidden else ""
        lines += table(f"{title}, the most raised{note}", columns, rows, indent=6)
    return lines


async def outcomes(
    api: ServiceClient, token: str, scope: str, scope_id: str, year: str
) -> list[str]:
    found = await api.get(
        "/v1/insights/outcomes", token=token,
        params={"scope": scope, "id": scope_id, "year": year, "by": "kind"},
    )  # fmt: skip
    if found is None:
        return []
    rows = [
        [labels.stage(f["key"]), count(f["rated"]),
         *(count(f["ratings"].get(r)) for r in ("done", "on_track", "at_risk", "off_track"))]
        for f in found["data"]
    ]  # fmt: skip
    return table(
        f"Actions at the 90-day review, by kind (schools; schools reviewed at 90 days: "
        f"{count(found['progress_reviewed_schools'])})",
        ["action kind", "rated", "done", "on track", "at risk", "off track"],
        rows,
    )


MEASURES: tuple[tuple[str, str], ...] = (
    ("reports", "reports published"),
    ("days_to_report", "days, review to report"),
    ("findings_per_review", "findings per review"),
    ("evidence_per_finding", "evidence per finding"),
    ("triangulated_share", "triangulated"),
    ("workshops", "workshops"),
    ("days_to_workshop", "days, review to workshop"),
    ("progress_reviews", "90-day reviews"),
    ("on_time_share", "90-day reviews on time"),
)


def _measure(row: dict[str, Any], key: str) -> Cell:
    value = row[key]
    if isinstance(value, dict):
        return count(value)
    if key.endswith("_share"):
        return share(value)
    return None if value is None else round(value, 1)


async def process(
    api: ServiceClient, token: str, scope: str, scope_id: str, year: str, parts: int = 0
) -> list[str]:
    """The scope's measures and those of up to ``parts`` of its parts (a council's
    partnerships: those with the most reports shown), a column each."""
    found = await api.get(
        "/v1/insights/process", token=token, params={"scope": scope, "id": scope_id, "year": year}
    )
    if found is None or not found["data"]:
        return []
    whole, rest = found["data"][0], found["data"][1:]
    shown = sorted(
        (r for r in rest if not r["reports"]["suppressed"]), key=lambda r: -r["reports"]["value"]
    )[:parts]
    columns = [whole, *shown]
    hidden = sum(1 for r in rest if r["reports"]["suppressed"])
    note = f"; {len(rest)} partnerships, {hidden} of them suppressed" if rest else ""
    return table(
        f"Process measures (GET /v1/insights/process){note}",
        ["measure", *(_scope_name(c["scope"]) for c in columns)],
        [[label, *(_measure(c, key) for c in columns)] for key, label in MEASURES],
        limit=26,
    )


def _scope_name(scope: dict[str, Any]) -> str:
    if scope["name"]:
        return str(scope["name"])
    kind = {"la": "LA", "all": "England"}.get(scope["kind"], scope["kind"])
    return f"{kind} {scope['id'] or ''}".strip()


async def pairings(
    api: ServiceClient,
    token: str,
    pid: str,
    year: str,
    names: dict[int, str],
    themes: dict[str, str],
) -> list[str]:
    response = await api.request(
        "POST", "/v1/insights/support/rounds", token=token, ok=(200, 404), query=True,
        json={"partnership_id": pid, "academic_year": year, "default_capacity": 1},
    )  # fmt: skip
    if response.status_code == 404:
        return ["  Support pairings: not for this partnership (its agreement names no school)"]
    found = response.json()
    rows = [
        [
            names.get(p["urn"], str(p["urn"])),
            themes.get(p["theme_code"], p["theme_code"]),
            p["helper"]["name"] or str(p["helper"]["urn"]),
            "yes" if p["helper"]["same_partnership"] else "no",
            p["helper"]["distance_km"],
        ]
        for p in found["pairings"]
    ]
    unmet = found["unmet"]
    if not rows:
        none = sum(1 for u in unmet if u["candidates"] == 0)
        return [
            f"  Support pairings (POST /v1/insights/support/rounds): none proposed; of "
            f"{len(unmet)} areas for development, {none} have no school with the matching "
            "triangulated strength that the lead may name"
        ]
    return table(
        f"Support pairings (POST /v1/insights/support/rounds): {len(rows)} proposed, "
        f"{len(unmet)} areas for development without a helper",
        ["school to support", "area for development", "supported by", "same partnership", "km"],
        rows,
        limit=34,
    )
