"""Browser tests: Playwright driving Debian's Chromium against the live test server."""

import os
from pathlib import Path

import pytest

# Playwright's sync API runs an event loop in this thread; the ORM calls the tests make
# around it (fixtures, assertions) are still plain synchronous code.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

ARTIFACTS = Path(__file__).resolve().parents[2] / "artifacts" / "screenshots"
CHROMIUM = "/usr/bin/chromium"
AXE = Path(__file__).resolve().parents[2] / "node_modules" / "axe-core" / "axe.min.js"
WCAG = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
# The page's layout problems at the current width (see the file's comment).
LAYOUT = "\n".join(
    line
    for line in (Path(__file__).parent / "layout_problems.js").read_text().splitlines()
    if not line.startswith("//")
)


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    return {
        **browser_type_launch_args,
        "executable_path": CHROMIUM,
        "args": [
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
        ],
    }


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args):
    """A phone: 390×844, touch, Chinese."""
    return {
        **browser_context_args,
        "viewport": {"width": 390, "height": 844},
        "has_touch": True,
        "is_mobile": True,
        "locale": "zh-CN",
    }


@pytest.fixture
def screenshot(page):
    ARTIFACTS.mkdir(parents=True, exist_ok=True)

    def take(name: str) -> Path:
        path = ARTIFACTS / f"{name}.png"
        page.screenshot(path=str(path), full_page=True)
        return path

    return take


@pytest.fixture
def login(page, live_server):
    def go(username: str, password: str = "pw-for-tests"):
        page.goto(f"{live_server.url}/accounts/login/")
        page.fill("input[name=username]", username)
        page.fill("input[name=password]", password)
        page.click("button[type=submit]")
        page.wait_for_url(f"{live_server.url}/")

    return go


@pytest.fixture(scope="session")
def axe_source() -> str:
    assert AXE.exists(), "axe-core is missing: run `bin/setup --test` (npm ci)"
    return AXE.read_text()


@pytest.fixture
def axe(axe_source):
    """The WCAG 2 A and AA violations axe-core finds on the page, one line each."""

    def run(page) -> list[str]:
        if not page.evaluate("typeof axe !== 'undefined'"):
            # The pages allow scripts from their own site only (CSP), and a page a service
            # worker controls fetches past Playwright's routes: axe is evaluated through the
            # devtools protocol, which the page's policy does not govern.
            page.evaluate(axe_source)
            assert page.evaluate("typeof axe") == "object", "axe-core did not load"
        return page.evaluate(
            """async (tags) => (await axe.run(document, {runOnly: tags})).violations
                 .map(v => `${v.id}: ${v.nodes.map(n => n.target.join(' ')).join(', ')}`)""",
            WCAG,
        )

    return run


@pytest.fixture
def layout_problems():
    """What would make a phone scroll sideways or squeeze a label, one line each."""
    return lambda page: page.evaluate(LAYOUT)
