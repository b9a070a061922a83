"""Shared fixtures: the demo township with one persona per role, and a stranger."""

import os
import shutil

import pytest
from django.db import connection

from township_office.demo import DEMO_PASSWORD, seed_organisation
from township_office.models import User

REQUIRE_SERVICES = os.environ.get("REQUIRE_SERVICES", "").lower() in ("1", "true")


def pytest_collection_modifyitems(config, items):
    broker = os.environ.get("CELERY_BROKER_URL", "")
    database = os.environ.get("DATABASE_URL", "")
    for item in items:
        reason = None
        if item.get_closest_marker("redis") and not broker.startswith("redis"):
            reason = "needs CELERY_BROKER_URL=redis://..."
        if item.get_closest_marker("postgres") and not database.startswith("postgres"):
            reason = "needs DATABASE_URL=postgres://..."
        if item.get_closest_marker("libreoffice") and not shutil.which("soffice"):
            reason = "needs LibreOffice (make system-deps)"
        if reason:
            if REQUIRE_SERVICES:
                item.add_marker(pytest.mark.xfail(reason=f"service missing in CI: {reason}", strict=True, run=False))
            else:
                item.add_marker(pytest.mark.skip(reason=reason))


@pytest.fixture(scope="session", autouse=True)
def _test_database_dropped_at_the_end(django_db_setup, django_db_blocker):
    """On PostgreSQL, close what still holds the test database when the session ends (a thread or child process
    of a test that outlived it), so that pytest-django can drop it instead of warning and leaving it behind."""
    yield
    if connection.vendor != "postgresql":
        return
    with django_db_blocker.unblock():
        connection.close()  # a fresh one: a test may have left this one broken (the health check's outage)
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
                " WHERE datname = current_database() AND pid <> pg_backend_pid()"
            )


@pytest.fixture
def township(db):
    return seed_organisation()


@pytest.fixture
def people(township):
    """Every demo person by username (principal_leader, deputy_leader, clerk, …)."""
    return {u.username: u for u in User.objects.select_related("department", "position")}


def _persona(username):
    @pytest.fixture
    def fixture(people):
        return people[username]

    return fixture


principal = _persona("principal_leader")
mayor = _persona("mayor")
deputy = _persona("deputy_leader")
deputy_secretary = _persona("deputy_secretary")
deputy_mayor = _persona("deputy_mayor")
office_director = _persona("office_director")
clerk = _persona("clerk")
seal_keeper = _persona("seal_keeper")
front_desk = _persona("front_desk")
staff = _persona("department_staff")
resources_staff = _persona("resources_staff")
village_staff = _persona("village_staff")
system_admin = _persona("system_admin")
auditor = _persona("auditor")


@pytest.fixture
def stranger(township):
    """A signed-in account with no role and no department."""
    return User.objects.create_user("stranger", password=DEMO_PASSWORD, full_name="路人甲")


@pytest.fixture
def client_for(client):
    """client_for(user) → a test client signed in as that user."""

    def login(user):
        client.force_login(user)
        return client

    return login


@pytest.fixture
def is_postgres():
    return connection.vendor == "postgresql"


# --- Browser tests ---------------------------------------------------------
CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
ARTIFACTS = os.path.join(os.path.dirname(__file__), "test-artifacts")


@pytest.fixture(scope="session")
def browser():
    """Debian's chromium driven by Playwright (never a downloaded browser)."""
    # Playwright's sync API runs an event loop in this thread; Django's ORM calls made
    # by the test itself are still synchronous and safe.
    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        instance = playwright.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_FLAGS)
        yield instance
        instance.close()


@pytest.fixture
def browser_login(browser, live_server, township):
    """browser_login(username, phone=False) → a Playwright page signed in through the login form."""
    contexts = []

    def login(username, *, phone=False):
        options = {"viewport": {"width": 390, "height": 844}, "is_mobile": True} if phone else {}
        context = browser.new_context(locale="zh-CN", accept_downloads=True, **options)
        contexts.append(context)
        page = context.new_page()
        page.set_default_timeout(15000)
        page.goto(f"{live_server.url}/accounts/login/")
        page.fill("#id_username", username)
        page.fill("#id_password", DEMO_PASSWORD)
        page.click("button[type=submit]")
        page.wait_for_url("**/todo/")
        page.base_url = live_server.url
        return page

    yield login
    for context in contexts:
        context.close()


def screenshot(page, name):
    """Keep a screenshot of a key page as a test artifact (test-artifacts/NAME.png)."""
    os.makedirs(ARTIFACTS, exist_ok=True)
    page.screenshot(path=os.path.join(ARTIFACTS, f"{name}.png"), full_page=True)


@pytest.fixture
def count_queries():
    """count_queries(client, url, **params) → the number of queries one GET of the page runs (after a warm-up)."""
    from django.test.utils import CaptureQueriesContext

    def count(client, url, **params):
        client.get(url, params)
        with CaptureQueriesContext(connection) as context:
            response = client.get(url, params)
        assert response.status_code == 200
        return len(context.captured_queries)

    return count


@pytest.fixture(autouse=True)
def _fresh_cache():
    """Cached 待办 counts must not leak from one test to the next."""
    from django.core.cache import cache

    cache.clear()


@pytest.fixture(autouse=True)
def _own_preview_cache(settings, tmp_path_factory):
    """Attachment previews are cached by content: a file converted in one test must not be found ready
    in the next (township_office/preview.py)."""
    settings.PREVIEW_ROOT = tmp_path_factory.mktemp("previews")
