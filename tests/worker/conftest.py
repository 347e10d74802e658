"""Fixtures for the worker tests: customers built through the services, and worker processes."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.db import connection

from sladesk.accounts.actor import Actor
from sladesk.accounts.services import release_catalogue_load, release_file_parse
from sladesk.accounts.services.releases import shipped_catalogue_path
from tests.tickets.conftest import World
from tests.worker import live
from tests.worker.live import initial_rows

REPO = Path(__file__).resolve().parents[2]

live_db = live.live_db  # the fixture, in this module's scope


def _catalogue():
    """Load the releases and the teams the data migrations create.

    A transactional test's flush empties every table, data migrations' rows included,
    so the teams are re-created here when an earlier test removed them.
    """
    initial_rows()
    release_catalogue_load(specs=release_file_parse(shipped_catalogue_path()), actor=Actor.system())


@pytest.fixture
def world(db):
    _catalogue()
    return World()


@pytest.fixture
def live_world(live_db, transactional_db):
    """The customers, committed: worker processes started by the test see them."""
    _catalogue()
    return World()


def database_url() -> str:
    """Return a URL of the database the tests use (the test database, not the configured one)."""
    s = connection.settings_dict
    auth = s["USER"] or ""
    if s.get("PASSWORD"):
        auth += f":{s['PASSWORD']}"
    return f"postgres://{auth}@{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}/{s['NAME']}"


def worker_env(url: str) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        DATABASE_URL=url,
        DJANGO_SETTINGS_MODULE="sladesk.config.settings.test",
        PYTHONPATH=os.pathsep.join([str(REPO / "src"), str(REPO)]),
        LOG_LEVEL="INFO",
    )
    env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    return env


def start_worker(url: str, *args: str) -> subprocess.Popen[str]:
    """Start ``sladesk worker ARGS`` as a process of its own against the database at ``url``."""
    return subprocess.Popen(
        [sys.executable, "-m", "sladesk", "worker", *args],
        env=worker_env(url),
        cwd=REPO,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


@pytest.fixture
def sqlite_file_url(tmp_path):
    """Return the URL of a migrated SQLite file (an in-memory test database is per process)."""
    url = f"sqlite:///{tmp_path / 'worker.sqlite3'}"
    subprocess.run(
        [sys.executable, "-m", "sladesk", "migrate", "--verbosity", "0"],
        env=worker_env(url),
        cwd=REPO,
        check=True,
        timeout=300,
    )
    return url
