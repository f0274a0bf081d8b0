"""Browser tests: headless Debian Chromium driven by pytest-playwright against a live server.

One server for the whole session: a fresh SQLite file database in a temporary instance folder,
migrated with the real migrations and filled by `flask demo load`. CSRF stays on, so the browser
submits the real forms with their tokens, as users do.
"""
from __future__ import annotations

import os
import shutil
import threading
from pathlib import Path

import pytest
from werkzeug.serving import make_server

from oversight import create_app

REPO_ROOT = Path(__file__).resolve().parents[2]


def _chromium() -> str:
    path = shutil.which("chromium") or "/usr/bin/chromium"
    if not os.access(path, os.X_OK):
        # Fail, never skip, in CI and locally alike: scripts/test installs Chromium, so a missing
        # binary is a broken environment, not an optional feature.
        pytest.fail("Chromium not found: install Debian's chromium (scripts/test does this as root)",
                    pytrace=False)
    return path


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    return {**browser_type_launch_args, "executable_path": _chromium(),
            "args": ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                     "--disable-background-networking", "--disable-component-update",
                     "--disable-sync", "--no-first-run"]}


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args):
    return {**browser_context_args, "locale": "zh-CN", "timezone_id": "Asia/Shanghai"}


@pytest.fixture(scope="session")
def live_app(tmp_path_factory):
    """The app the live server serves: migrated SQLite file database with the demo data loaded."""
    from flask_migrate import upgrade

    from oversight.db import db

    instance = tmp_path_factory.mktemp("browser-instance")
    url = "sqlite:///" + str(instance / "browser.sqlite3")
    # create_app takes its instance folder from the environment; keep the repo's instance/ untouched.
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("OVERSIGHT_INSTANCE_PATH", str(instance))
        app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "browser-tests", "TESTING": False,
                          "UPLOAD_FOLDER": str(instance / "files"),
                          # TESTING is off, so pin the in-process scheduler off whatever the env says.
                          "SCHEDULER_IN_PROCESS": False,
                          # Cheaper argon2, as in tests/conftest.py: same algorithm and code path.
                          "ARGON2_PARAMS": {"time_cost": 1, "memory_cost": 1024, "parallelism": 1}})
    with app.app_context():
        upgrade()
        db.engine.dispose()
    result = app.test_cli_runner().invoke(args=["demo", "load"])
    assert result.exit_code == 0, (result.output, result.exception)
    yield app
    with app.app_context():
        db.engine.dispose()


@pytest.fixture(scope="session")
def live_server(live_app):
    """The base URL (no trailing slash) of the app served on 127.0.0.1 from a daemon thread."""
    server = make_server("127.0.0.1", 0, live_app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, name="live-server", daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)


@pytest.fixture(scope="session")
def base_url(live_server) -> str:
    """Overrides pytest-playwright's fallback `base_url` (used when pytest-base-url is absent).

    Besides pointing contexts at the live server, this keeps the plugin's own fixture from being
    resolved: it is defined as an instance method on a plugin object, which pytest 9.2 reports with
    PytestRemovedIn10Warning, an error under filterwarnings=error.
    """
    return live_server


@pytest.fixture(scope="session")
def artifacts() -> Path:
    """test-artifacts/ at the repo root (gitignored): screenshots for people to look at."""
    path = REPO_ROOT / "test-artifacts"
    path.mkdir(exist_ok=True)
    return path
