"""Fixtures of the browser tests: Chromium driven by Playwright, and the screenshots it takes.

The browser tests drive Debian's Chromium (``/usr/bin/chromium``, or ``CHROMIUM_PATH``); the
Playwright package never downloads a browser here. Without Chromium they skip with a message, but
in CI (``CI=true``) they fail instead: a browser test that did not run proves nothing.

The screenshots go to a temporary folder, so that a test run leaves the working tree as it found
it; ``SCREENSHOTS_DIR=docs/screenshots`` (relative to the repository's root, or absolute) writes
them where the README shows them.
"""

import os
import shutil
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


# --- Chromium --------------------------------------------------------------------------------


def chromium_executable() -> str | None:
    candidate = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
    if os.path.exists(candidate):
        return candidate
    return shutil.which("chromium")


@pytest.fixture(scope="module")
def browser():
    """One headless Chromium for a module of browser tests."""
    executable = chromium_executable()
    if executable is None:
        message = (
            "Chromium is not installed: the browser tests need /usr/bin/chromium "
            "(apt-get install chromium) or CHROMIUM_PATH."
        )
        if os.environ.get("CI") == "true":
            pytest.fail(f"{message} CI must run them.")
        pytest.skip(message)
    # Playwright's sync API keeps an event loop in this thread, and Django refuses ORM calls
    # from a thread with a running loop unless told it is safe (the test drives it alone).
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    from playwright.sync_api import sync_playwright

    playwright = sync_playwright().start()
    chromium = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
    try:
        yield chromium
    finally:
        chromium.close()
        playwright.stop()
        if previous is None:
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


@pytest.fixture
def new_page(browser, live_server):
    """``new_page()``: a fresh browser session on the live server, with JavaScript turned off
    so that every page proves it works without it."""
    contexts = []

    def open_page():
        context = browser.new_context(
            base_url=live_server.url,
            java_script_enabled=False,
            viewport={"width": 1280, "height": 900},
        )
        context.set_default_timeout(15_000)
        contexts.append(context)
        return context.new_page()

    yield open_page
    for context in contexts:
        context.close()


@pytest.fixture(scope="session")
def screenshots_dir(tmp_path_factory) -> Path:
    wanted = os.environ.get("SCREENSHOTS_DIR")
    if not wanted:
        return tmp_path_factory.mktemp("screenshots")
    folder = ROOT / wanted  # an absolute path replaces the root
    folder.mkdir(parents=True, exist_ok=True)
    return folder


@pytest.fixture
def screenshot(screenshots_dir):
    """``screenshot(page, name)``: saves the whole page as ``<name>.png`` in ``screenshots_dir``."""

    def take(page, name: str) -> None:
        page.screenshot(path=str(screenshots_dir / f"{name}.png"), full_page=True)

    return take


def sign_in(page, username: str, password: str = "pw") -> None:
    page.goto("/accounts/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    page.get_by_role("heading", name="Welcome").wait_for()


def sign_out(page) -> None:
    page.get_by_role("button", name="Sign out").click()
    page.get_by_role("heading", name="Sign in").wait_for()
