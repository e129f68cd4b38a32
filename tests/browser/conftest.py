"""Fixtures for tests in a real headless Chromium against the app served over HTTP on loopback."""

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, Request, sync_playwright

from speeddate.auth.services import create_user
from tests.browser.helpers import ORGANISER_EMAIL, ORGANISER_PASSWORD, log_in, settle
from tests.conftest import PARTNER, post_form

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]
TIMEOUT_MS = 10_000


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    """One Chromium for the whole session: starting it is the slow part."""
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@dataclass
class Site:
    """The live app as browsers see it: fresh contexts on demand, and every request they made."""

    url: str
    browser: Browser
    contexts: list[BrowserContext] = field(default_factory=list)
    requests: list[Request] = field(default_factory=list)

    def new_page(self, **context_options) -> Page:
        """A page in a fresh context (own cookies: one per partner); Dutch unless the options say otherwise."""
        context = self.browser.new_context(base_url=self.url, **{"locale": "nl-BE", **context_options})
        context.set_default_timeout(TIMEOUT_MS)
        context.on("request", lambda request: self.requests.append(request))
        self.contexts.append(context)
        return context.new_page()

    def organiser_page(self, **context_options) -> Page:
        """A page logged in as the organiser."""
        page = self.new_page(**context_options)
        log_in(page)
        return page


@pytest.fixture
def site(app, live_server, browser) -> Iterator[Site]:
    """The app on a live server with an organiser account; browser contexts are closed after the test."""
    app.config["PUBLIC_BASE_URL"] = live_server.url
    create_user(ORGANISER_EMAIL, ORGANISER_PASSWORD, admin=True)
    settle()
    site = Site(url=live_server.url, browser=browser)
    yield site
    for context in site.contexts:
        context.close()


@pytest.fixture
def event_slug(make_event) -> Callable[..., str]:
    """Factory: the slug of a new published event, made in the database rather than through the browser."""

    def make(**overrides) -> str:
        slug = make_event(**overrides).slug
        settle()
        return slug

    return make


@pytest.fixture
def personal_path(client) -> Callable[..., str]:
    """Factory: register a partner over plain HTTP (quicker than a browser); returns their personal page's path."""

    def make(slug: str, email: str = PARTNER["email"]) -> str:
        response = post_form(client, f"/e/{slug}", {**PARTNER, "email": email})
        assert response.status_code == 302, response.get_data(as_text=True)
        return response.location

    return make
