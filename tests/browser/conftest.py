"""Fixtures for tests in a real headless Chromium against the app served over HTTP on loopback.

Every page a test loads is measured: nothing may make the document wider than the viewport (content inside a
horizontal scroller such as `.table-scroll` may be wider, the page itself may not). A test whose pages were too
wide fails at teardown, with the elements that stick out. A context without JavaScript only measures the page
left open at the end; a test measures its other pages with `site.measure(page)`.
"""

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, Request, sync_playwright

from speeddate.auth.services import create_user
from tests.browser.helpers import DEVICES, ORGANISER_EMAIL, ORGANISER_PASSWORD, log_in, settle
from tests.support import PARTNER, personal_link, post_form

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]
TIMEOUT_MS = 10_000
PLAYWRIGHT_DEFAULT_WIDTH = 1280
# The document's width and what sticks out past the viewport, other than content clipped by a horizontal
# scroller. The configured width is compared, not innerWidth: under mobile emulation Chromium widens the layout
# viewport to fit the content, so innerWidth grows along with the fault it should reveal.
MEASURE = """width => {
  const style = e => getComputedStyle(e);
  const scrolls = e => e !== document.body && ['auto', 'scroll', 'hidden', 'clip'].includes(style(e).overflowX);
  const containingBlock = e => {
    let a = e.parentElement;
    while (a && style(a).position === 'static') a = a.parentElement;
    return a;
  };
  const clipped = e => {
    const position = style(e).position;
    if (position === 'fixed') return false;
    const from = position === 'absolute' ? containingBlock(e) : e.parentElement;
    for (let a = from; a && a !== document.documentElement; a = a.parentElement) if (scrolls(a)) return true;
    return false;
  };
  const outside = [...document.body?.querySelectorAll('*') ?? []].filter(
    e => e.getBoundingClientRect().right > width + 0.5 && !clipped(e));
  return {url: location.href, width, scrollWidth: document.documentElement.scrollWidth,
          outside: outside.slice(0, 5).map(e => e.outerHTML.slice(0, 120))};
}"""


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
    measured: list[dict] = field(default_factory=list)

    def new_page(self, **context_options) -> Page:
        """A page in a fresh context (own cookies: one per partner); Dutch unless the options say otherwise.

        Each document it loads reports its width (see MEASURE) when it has loaded.
        """
        context = self.browser.new_context(base_url=self.url, **{"locale": "nl-BE", **context_options})
        context.set_default_timeout(TIMEOUT_MS)
        context.on("request", lambda request: self.requests.append(request))
        context.expose_function("reportDocumentWidth", self.record)
        width = context_options.get("viewport", {}).get("width", PLAYWRIGHT_DEFAULT_WIDTH)
        context.add_init_script(f"addEventListener('load', () => window.reportDocumentWidth(({MEASURE})({width})))")
        self.contexts.append(context)
        return context.new_page()

    def organiser_page(self, **context_options) -> Page:
        """A page logged in as the organiser."""
        page = self.new_page(**context_options)
        log_in(page)
        return page

    def record(self, measurement: dict) -> None:
        """Keep what MEASURE found on a page."""
        self.measured.append(measurement)

    def measure(self, page: Page) -> None:
        """Measure the page's current document now (also one that runs no scripts of its own)."""
        self.record(page.evaluate(MEASURE, page.viewport_size["width"]))

    def too_wide(self) -> list[dict]:
        """Every measurement of a document wider than its viewport."""
        return [m for m in self.measured if m["scrollWidth"] > m["width"]]


@pytest.fixture
def site(app, live_server, browser) -> Iterator[Site]:
    """The app on a live server with an organiser account; afterwards no page may have been wider than its screen."""
    app.config["PUBLIC_BASE_URL"] = live_server.url
    create_user(ORGANISER_EMAIL, ORGANISER_PASSWORD, admin=True)
    settle()
    site = Site(url=live_server.url, browser=browser)
    yield site
    try:
        for page in (page for context in site.contexts for page in context.pages):
            if page.url.startswith(site.url):
                site.measure(page)
    finally:
        for context in site.contexts:
            context.close()
    too_wide = site.too_wide()
    assert not too_wide, "pages wider than the viewport:\n" + "\n".join(map(str, too_wide))


@pytest.fixture(params=sorted(DEVICES))
def device(request) -> dict:
    """Browser context options for a desktop and for a phone: a journey using this runs on both."""
    return DEVICES[request.param]


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
        assert response.status_code == 200, response.get_data(as_text=True)
        return personal_link(email)

    return make
