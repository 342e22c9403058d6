"""Browser fixtures: Debian's Chromium driven by Playwright against the live test server."""

import importlib
import os
import shutil
from pathlib import Path

import pytest
from playwright.sync_api import sync_playwright

from accounts.models import Role, User

# Playwright's sync API runs an event loop in this thread; the ORM calls the tests make
# between browser steps are still plain synchronous calls.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

PASSWORD = "correct horse battery staple"
SCREENSHOTS = Path(__file__).resolve().parents[2] / "test-results" / "screenshots"


def chromium_path() -> str:
    path = os.environ.get("CHROMIUM_PATH") or shutil.which("chromium")
    if not path:
        raise RuntimeError(
            "Chromium is not installed: run 'apt-get install chromium' or set CHROMIUM_PATH."
        )
    return path


@pytest.fixture(scope="session")
def browser():
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=chromium_path(),
            headless=True,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
            ],
        )
        yield browser
        browser.close()


@pytest.fixture
def make_page(browser):
    contexts = []

    def factory(locale: str = "en-US"):
        context = browser.new_context(locale=locale, viewport={"width": 1366, "height": 900})
        context.set_default_timeout(15_000)
        contexts.append(context)
        return context.new_page()

    yield factory
    for context in contexts:
        context.close()


@pytest.fixture
def page(make_page):
    return make_page()


@pytest.fixture(autouse=True)
def default_records(transactional_db):
    """The records the data migrations create (default SLA policy and threshold profile,
    starter rates): transactional tests empty every table after each test."""
    from django.apps import apps

    for module, function in (
        ("sla.migrations.0002_default_policy", "create_default_policy"),
        ("monitoring.migrations.0002_default_profile", "create_default_profile"),
        ("contracts.migrations.0002_starter_rates", "create_rates"),
    ):
        getattr(importlib.import_module(module), function)(apps, None)


@pytest.fixture
def staff_user():
    def factory(role: str = Role.ADMIN, email: str = "admin@msp.example") -> User:
        return User.objects.create_user(
            email=email, password=PASSWORD, role=role, full_name="Alex Admin"
        )

    return factory


def sign_in(page, live_server, email: str) -> None:
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"{live_server.url}/")


def screenshot(page, name: str) -> None:
    """Keep a picture of the page for people reviewing the run (test-results/)."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)
