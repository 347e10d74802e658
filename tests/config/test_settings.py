"""Configuration comes from the environment; production refuses to start half-configured."""

from __future__ import annotations

import importlib
import os
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
SLADESK = Path(sys.executable).with_name("sladesk")
PRODUCTION_ENV = {
    "DJANGO_SETTINGS_MODULE": "sladesk.config.settings.prod",
    "SECRET_KEY": "x" * 20 + "production-secret-for-the-deploy-check-0123456789",
    "ALLOWED_HOSTS": "desk.example.com",
    "CSRF_TRUSTED_ORIGINS": "https://desk.example.com",
}


def run_sladesk(
    *args: str, env: dict[str, str], tmp_path: Path
) -> subprocess.CompletedProcess[str]:
    base = {
        k: v
        for k, v in os.environ.items()
        if k not in {"DJANGO_SETTINGS_MODULE", "SECRET_KEY", "DEBUG", "DJANGO_ALLOW_ASYNC_UNSAFE"}
    }
    base.update(
        {"SLADESK_VAR_DIR": str(tmp_path), "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}"}
    )
    base.update(env)
    return subprocess.run(
        [str(SLADESK), *args], capture_output=True, text=True, env=base, timeout=120, check=False
    )


def test_production_without_secret_key_is_a_clear_startup_error(tmp_path):
    env = dict(PRODUCTION_ENV)
    del env["SECRET_KEY"]
    result = run_sladesk("check", env=env, tmp_path=tmp_path)
    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr


def test_production_with_a_short_secret_key_is_refused(tmp_path):
    result = run_sladesk("check", env={**PRODUCTION_ENV, "SECRET_KEY": "short"}, tmp_path=tmp_path)
    assert result.returncode != 0
    assert "at least 50 characters" in result.stderr


def test_check_deploy_is_clean_with_the_documented_production_settings(tmp_path):
    result = run_sladesk(
        "check", "--deploy", "--fail-level", "WARNING", env=PRODUCTION_ENV, tmp_path=tmp_path
    )
    assert result.returncode == 0, result.stderr + result.stdout
    assert "System check identified no issues" in result.stdout


def test_a_bad_boolean_in_the_environment_is_refused(tmp_path):
    result = run_sladesk("check", env={"DEBUG": "maybe"}, tmp_path=tmp_path)
    assert result.returncode != 0
    assert "DEBUG='maybe' is not a boolean" in result.stderr


@pytest.mark.parametrize(
    ("url", "engine", "name"),
    [
        (
            "postgres://desk:pw@db.example.com:5432/sladesk",
            "django.db.backends.postgresql",
            "sladesk",
        ),
        ("sqlite:////tmp/desk.sqlite3", "django.db.backends.sqlite3", "/tmp/desk.sqlite3"),
    ],
)
def test_database_url_selects_the_database(monkeypatch, url, engine, name):
    from sladesk.config.settings.base import database_from_env

    monkeypatch.setenv("DATABASE_URL", url)
    config = database_from_env()
    assert config["ENGINE"] == engine
    assert config["NAME"] == name


def test_sqlite_is_the_default_and_lives_under_var(monkeypatch, tmp_path):
    import sladesk.config.settings.base as base

    monkeypatch.delenv("DATABASE_URL", raising=False)
    monkeypatch.setenv("SLADESK_VAR_DIR", str(tmp_path))
    config = importlib.reload(base).database_from_env()
    assert config["ENGINE"] == "django.db.backends.sqlite3"
    assert config["NAME"] == str(tmp_path / "sladesk.sqlite3")
    assert "journal_mode=WAL" in config["OPTIONS"]["init_command"]
