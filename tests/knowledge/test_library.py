"""The research library: seeded sources, filtering by theme, admin edits and suggestions."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from knowledge.answers.library.service import load_default_sources
from tests.support import assert_problem

EEF_REPORTS = "https://educationendowmentfoundation.org.uk/education-evidence/guidance-reports/"
NEW = {
    "title": "A Local Guide to Phonics",
    "publisher": "Chelmsford North Partnership",
    "url": "https://example.org/phonics-guide",
    "year": None,
    "summary": "What our schools learnt about phonics catch-up.",
    "theme_codes": ["curriculum.reading.phonics"],
}


async def _titles(client: httpx.AsyncClient, headers: dict[str, str], **params: Any) -> set[str]:
    answer = await client.get(
        "/v1/evidence-library", params={**params, "limit": 200}, headers=headers
    )
    assert answer.status_code == 200, answer.text
    return {s["title"] for s in answer.json()["data"]}


#: The publishers of the shipped sources and where their pages live.
PUBLISHERS = {
    "Education Endowment Foundation": "https://educationendowmentfoundation.org.uk/",
    "Department for Education": "https://www.gov.uk/",
    "NCETM (National Centre for Excellence in the Teaching of Mathematics)": (
        "https://www.ncetm.org.uk/"
    ),
    "The Bell Foundation": "https://www.bell-foundation.org.uk/",
}


def test_the_shipped_sources_are_public_guidance() -> None:
    sources = load_default_sources()
    assert len(sources) >= 20
    for source in sources:
        assert source["url"].startswith(PUBLISHERS[source["publisher"]]), source["title"]
        assert source["theme_codes"]
    eef = [s for s in sources if s["publisher"] == "Education Endowment Foundation"]
    assert all(s["url"].startswith(EEF_REPORTS) for s in eef if s["title"].startswith("Improving"))
    titles = {s["title"] for s in sources}
    assert len(titles) == len(sources)
    for title in (
        "Improving Literacy in Key Stage 2",
        "Improving Literacy in Secondary Schools",
        "Putting Evidence to Work: A School's Guide to Implementation",
        "Keeping children safe in education",
        "The reading framework",
        "Teaching for Mastery",
    ):
        assert title in titles


async def test_seeded_library_and_filter_by_theme_with_descendants(
    client: httpx.AsyncClient, reader: dict[str, str]
) -> None:
    everything = await _titles(client, reader)
    assert everything == {s["title"] for s in load_default_sources()}
    reading = await _titles(client, reader, theme="curriculum.reading")
    # tagged curriculum.reading.comprehension only: found through its ancestor
    assert "Improving Literacy in Key Stage 2" in reading
    assert "Improving Literacy in Key Stage 1" in reading
    assert "Improving Behaviour in Schools" not in reading
    phonics = await _titles(client, reader, theme="curriculum.reading.phonics")
    assert "Improving Literacy in Key Stage 2" not in phonics  # not tagged phonics
    assert "Preparing for Literacy" in phonics
    assert await _titles(client, reader, theme="safeguarding") == {
        "Keeping children safe in education"
    }


async def test_create_get_and_replace(client: httpx.AsyncClient, admin: dict[str, str]) -> None:
    created = await client.post(
        "/v1/evidence-library", json=NEW, headers={**admin, "Idempotency-Key": "src-1"}
    )
    assert created.status_code == 201, created.text
    source = created.json()
    replay = await client.post(
        "/v1/evidence-library", json=NEW, headers={**admin, "Idempotency-Key": "src-1"}
    )
    assert replay.json()["id"] == source["id"]
    duplicate = await client.post("/v1/evidence-library", json=NEW, headers=admin)
    assert_problem(duplicate, 409)
    path = f"/v1/evidence-library/{source['id']}"
    got = await client.get(path, headers=admin)
    assert got.status_code == 200
    assert got.headers["etag"] == '"1"'
    changed = {**NEW, "theme_codes": ["curriculum.reading.phonics", "early_years.literacy"]}
    replaced = await client.put(path, json=changed, headers={**admin, "If-Match": '"1"'})
    assert replaced.status_code == 200, replaced.text
    assert replaced.headers["etag"] == '"2"'
    assert replaced.json()["theme_codes"] == ["curriculum.reading.phonics", "early_years.literacy"]
    stale = await client.put(path, json=NEW, headers={**admin, "If-Match": '"1"'})
    assert_problem(stale, 412)
    assert_problem(await client.put(path, json=NEW, headers=admin), 428)
    assert "A Local Guide to Phonics" in await _titles(client, admin, theme="early_years")


@pytest.mark.parametrize(
    "change",
    [
        {"theme_codes": ["no.such.theme"]},
        {"theme_codes": ["Bad Code"]},
        {"theme_codes": []},
        {"url": "not a url"},
        {"year": 1066},
        {"title": ""},
        {"colour": "blue"},
    ],
)
async def test_bad_sources_are_422_and_change_nothing(
    client: httpx.AsyncClient, admin: dict[str, str], change: dict[str, Any]
) -> None:
    answer = await client.post("/v1/evidence-library", json={**NEW, **change}, headers=admin)
    assert_problem(answer, 422)
    assert "A Local Guide to Phonics" not in await _titles(client, admin)


async def test_a_retired_theme_cannot_tag_a_new_source(
    client: httpx.AsyncClient, admin: dict[str, str]
) -> None:
    retired = await client.patch(
        "/v1/themes/writing.handwriting",
        json={"retired": True},
        headers={**admin, "If-Match": '"1"'},
    )
    assert retired.status_code == 200
    body = {**NEW, "theme_codes": ["writing.handwriting"]}
    assert_problem(await client.post("/v1/evidence-library", json=body, headers=admin), 422)


async def test_suggestions_rank_exact_then_descendant_then_ancestor(
    client: httpx.AsyncClient, admin: dict[str, str]
) -> None:
    for title, code, url in (
        ("Broad reading", "curriculum.reading", "https://example.org/broad"),
        ("Exact phonics", "curriculum.reading.phonics", "https://example.org/exact"),
    ):
        body = {**NEW, "title": title, "url": url, "theme_codes": [code]}
        created = await client.post("/v1/evidence-library", json=body, headers=admin)
        assert created.status_code == 201, created.text
    answer = await client.get(
        "/v1/evidence-library/suggestions",
        params={"themes": "curriculum.reading.phonics", "limit": 50},
        headers=admin,
    )
    assert answer.status_code == 200, answer.text
    ranked = answer.json()["data"]
    by_title = {s["source"]["title"]: s for s in ranked}
    assert by_title["Exact phonics"]["matches"][0]["match"] == "exact"
    assert by_title["Broad reading"]["matches"][0]["match"] == "ancestor"
    titles = [s["source"]["title"] for s in ranked]
    assert titles.index("Exact phonics") < titles.index("Broad reading")
    assert all(
        s["score"] >= by_title["Broad reading"]["score"]
        for s in ranked[: titles.index("Broad reading")]
    )
    # asking for the broader theme: the specific source is a descendant match, below exact
    broad = await client.get(
        "/v1/evidence-library/suggestions",
        params={"themes": "curriculum.reading", "limit": 50},
        headers=admin,
    )
    order = [s["source"]["title"] for s in broad.json()["data"]]
    assert order.index("Broad reading") < order.index("Exact phonics")
    kinds = {s["source"]["title"]: s["matches"][0]["match"] for s in broad.json()["data"]}
    assert kinds["Exact phonics"] == "descendant"
    # two themes: a source matching both outranks one matching one
    both = await client.get(
        "/v1/evidence-library/suggestions",
        params={"themes": "send,support_staff.teaching_assistants"},
        headers=admin,
    )
    first = both.json()["data"][0]
    assert both.json()["themes"] == ["send", "support_staff.teaching_assistants"]
    assert first["score"] >= 3
    scores = [s["score"] for s in both.json()["data"]]
    assert scores == sorted(scores, reverse=True)


@pytest.mark.parametrize(
    "themes", ["", "Bad Code", "maths,", ",", "no.such", ",".join(f"t{i}" for i in range(11))]
)
async def test_bad_suggestion_queries_are_422(
    client: httpx.AsyncClient, reader: dict[str, str], themes: str
) -> None:
    answer = await client.get(
        "/v1/evidence-library/suggestions", params={"themes": themes}, headers=reader
    )
    if themes == "maths,":
        assert answer.status_code == 200  # a trailing comma is tolerated
        return
    assert_problem(answer, 422)


async def test_bad_input_on_source_routes(client: httpx.AsyncClient, admin: dict[str, str]) -> None:
    assert_problem(await client.get("/v1/evidence-library/not-a-uuid", headers=admin), 422)
    missing = "/v1/evidence-library/0190b6c2-5c1e-7c9e-a8f4-3d2c1b0a9f8e"
    assert_problem(await client.get(missing, headers=admin), 404)
    put = await client.put(missing, json=NEW, headers={**admin, "If-Match": '"1"'})
    assert_problem(put, 404)
    assert_problem(
        await client.get("/v1/evidence-library", params={"theme": "A"}, headers=admin), 422
    )
    broken = await client.post(
        "/v1/evidence-library",
        content=b"{",
        headers={**admin, "Content-Type": "application/json"},
    )
    assert_problem(broken, 400)


async def _suggested(
    client: httpx.AsyncClient, headers: dict[str, str], **params: str
) -> list[dict[str, Any]]:
    answer = await client.get(
        "/v1/evidence-library/suggestions", params={**params, "limit": "50"}, headers=headers
    )
    assert answer.status_code == 200, answer.text
    data: list[dict[str, Any]] = answer.json()["data"]
    return data


async def test_suggestions_put_the_schools_stages_first(
    client: httpx.AsyncClient, reader: dict[str, str]
) -> None:
    """A secondary school's reading need meets the secondary literacy guidance before the Key
    Stage 1 report; a primary school's the other way round; without a phase, theme match
    alone decides (and every source fits)."""
    secondary = await _suggested(client, reader, themes="curriculum.reading", phase="secondary")
    titles = [s["source"]["title"] for s in secondary]
    assert titles[0] == "Improving Literacy in Secondary Schools"
    assert titles.index("Improving Literacy in Key Stage 1") > titles.index(
        "Improving Literacy in Secondary Schools"
    )
    fitting = [s["fits_phase"] for s in secondary]
    assert fitting == sorted(fitting, reverse=True)  # every fitting source before the others
    assert not {s["source"]["title"]: s for s in secondary}["Improving Literacy in Key Stage 1"][
        "fits_phase"
    ]
    primary = await _suggested(client, reader, themes="curriculum.reading", phase="primary")
    order = [s["source"]["title"] for s in primary]
    assert order.index("Improving Literacy in Key Stage 1") < order.index(
        "Improving Literacy in Secondary Schools"
    )
    sixth = await _suggested(client, reader, themes="sixth_form", phase="sixteen_plus")
    assert [s["source"]["title"] for s in sixth] == [
        "16 to 19 study programmes: guide for providers"
    ]
    anyone = await _suggested(client, reader, themes="curriculum.reading")
    assert all(s["fits_phase"] for s in anyone)
    bad = await client.get(
        "/v1/evidence-library/suggestions",
        params={"themes": "maths", "phase": "infant"},
        headers=reader,
    )
    assert_problem(bad, 422)


async def test_every_top_level_theme_has_a_source(
    client: httpx.AsyncClient, reader: dict[str, str]
) -> None:
    themes = await client.get("/v1/themes", params={"limit": 200}, headers=reader)
    assert themes.status_code == 200, themes.text
    top = [t["code"] for t in themes.json()["data"] if t["parent"] is None]
    assert len(top) >= 19
    for code in top:
        assert await _titles(client, reader, theme=code), code
