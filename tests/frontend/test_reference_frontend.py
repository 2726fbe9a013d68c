"""The reference front end (examples/frontend) in headless Chromium against the real reviews
service: it signs in with a token from a local OIDC issuer, shows the partnership's year with
the reviews already planned, and a review the test plans afterwards appears on the page live
(CORS, the event feed, a stream ticket, Server-Sent Events).

Needs Debian's ``chromium`` and ``chromium-driver`` (``.ci/run`` installs them); skipped
without them.
"""

from __future__ import annotations

import asyncio
import functools
import shutil
import threading
import uuid
from collections.abc import AsyncIterator, Callable, Iterator
from datetime import date
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, TypeVar

import nats
import pytest

from common.db import create_database
from common.messaging import ensure_stream
from common.testing.apps import migrate, running_app
from common.testing.nats import NatsServer
from common.testing.servers import serving
from reviews.config import ReviewsSettings
from reviews.main import create_app
from tests.common.test_auth_oidc import LocalIssuer
from tests.reviews.kit import PARTNERSHIP, URN, Kit, plan
from tests.support import alembic_ini

webdriver = pytest.importorskip("selenium.webdriver")
from selenium.common.exceptions import WebDriverException  # noqa: E402
from selenium.webdriver.common.by import By  # noqa: E402

ROOT = Path(__file__).resolve().parents[2]
FRONTEND = ROOT / "examples" / "frontend"
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
CHROMEDRIVER = shutil.which("chromedriver")
AUDIENCE = "critical-friend"
WAIT_SECONDS = 30.0

pytestmark = pytest.mark.skipif(
    CHROMIUM is None or CHROMEDRIVER is None, reason="chromium and chromedriver are not installed"
)
T = TypeVar("T")


@pytest.fixture
def static_site() -> Iterator[str]:
    """examples/frontend over HTTP on 127.0.0.1 (its origin is what CORS must allow)."""
    handler = functools.partial(_QuietHandler, directory=str(FRONTEND))
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=httpd.serve_forever, kwargs={"poll_interval": 0.05})
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}"
    finally:
        httpd.shutdown()
        httpd.server_close()
        thread.join(timeout=5)


class _QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def issuer() -> Iterator[LocalIssuer]:
    server = LocalIssuer()
    server.publish_key()
    yield server
    server.stop()


@pytest.fixture
async def reviews(
    tmp_path: Path, nats_server: NatsServer, issuer: LocalIssuer, static_site: str
) -> AsyncIterator[tuple[Kit, str]]:
    """The reviews service trusting the local issuer (OIDC discovery) and the page's origin,
    served over real HTTP."""
    database_url = f"sqlite+aiosqlite:///{tmp_path / 'reviews.db'}"
    settings = ReviewsSettings(
        database_url=database_url,
        nats_url=nats_server.url,
        auth_issuer=issuer.url,
        auth_audience=AUDIENCE,
        cors_allowed_origins=[static_site],
        outbox_poll_seconds=0.2,
        milestone_sweep_seconds=0,
    )
    await migrate(alembic_ini("reviews"), database_url)
    connection = await nats.connect(nats_server.url)
    js = connection.jetstream()
    await ensure_stream(js, "SCHEDULING", ["scheduling.>"])
    await ensure_stream(js, "KNOWLEDGE", ["knowledge.>"])
    db = create_database(database_url)
    app = create_app(settings)
    try:
        async with running_app(app) as client, serving(app) as url:
            yield Kit(client=client, js=js, db=db, key_path=tmp_path / "unused.pem", app=app), url
    finally:
        await db.dispose()
        await connection.close()


@pytest.fixture
def browser() -> Iterator[Any]:
    options = webdriver.ChromeOptions()
    options.binary_location = str(CHROMIUM)
    for argument in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu"):
        options.add_argument(argument)
    service = webdriver.ChromeService(executable_path=str(CHROMEDRIVER))
    driver = webdriver.Chrome(options=options, service=service)
    driver.set_page_load_timeout(WAIT_SECONDS)
    try:
        yield driver
    finally:
        driver.quit()


async def _in_browser(call: Callable[..., T], *args: Any) -> T:
    # WebDriver calls block; the services answering the page run on this event loop.
    return await asyncio.to_thread(call, *args)


async def _until(find: Callable[[], T | None], what: str) -> T:
    """Poll the page (bounded) until ``find`` gives something."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + WAIT_SECONDS
    while True:
        try:
            found = await _in_browser(find)
        except WebDriverException:
            found = None
        if found:
            return found
        if loop.time() > deadline:
            raise AssertionError(f"the page never showed {what}")
        await asyncio.sleep(0.2)


async def test_a_lead_sees_the_year_and_a_review_planned_live(
    reviews: tuple[Kit, str], issuer: LocalIssuer, static_site: str, browser: Any
) -> None:
    kit, reviews_url = reviews
    await kit.agreement(partnership="named")
    await kit.school(URN)
    earlier, later = uuid.uuid4(), uuid.uuid4()
    await kit.plan(plan(earlier, first_day=date(2026, 11, 18)))
    token = issuer.sign(
        {
            "aud": [AUDIENCE, "account"],
            "sub": "partnership-lead",
            "azp": "critical-friend-web",
            "typ": "Bearer",
            "scope": "openid profile reviews:read",
            "partnerships": [str(PARTNERSHIP)],
        }
    )

    page = f"{static_site}/index.html?reviews={reviews_url}&year=2026-27"
    await _in_browser(browser.get, page)
    field = await _until(lambda: browser.find_element(By.ID, "token"), "the sign-in form")
    await _in_browser(field.send_keys, token)
    await _in_browser(browser.find_element(By.ID, "sign-in-button").click)

    # The year: twelve months, September to August, with the review already planned.
    status = await _until(
        lambda: "Live" in (text := browser.find_element(By.ID, "status").text) and text,
        "the live stream opened",
    )
    assert "Could not" not in status
    months = await _in_browser(browser.find_elements, By.CSS_SELECTOR, ".month")
    assert [m.get_attribute("data-month") for m in months][::11] == ["2026-09", "2027-08"]
    assert len(months) == 12
    assert "partnership-lead" in browser.find_element(By.ID, "who").text
    marked = browser.find_element(By.CSS_SELECTOR, '.day[data-date="2026-11-18"] .mark')
    assert marked.get_attribute("data-review-id") == str(earlier)

    # A review planned now arrives over the stream and lands on its day.
    await kit.plan(plan(later, first_day=date(2027, 3, 10)))
    mark = await _until(
        lambda: browser.find_elements(
            By.CSS_SELECTOR, f'.day[data-date="2027-03-10"] .mark[data-review-id="{later}"]'
        ),
        "the review planned live",
    )
    assert mark
    items = await _in_browser(browser.find_elements, By.CSS_SELECTOR, "#events li")
    assert items[0].get_attribute("data-type") == "org.criticalfriend.scheduling.review.planned.v1"
    assert len(items) == 2
