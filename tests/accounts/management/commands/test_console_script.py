"""The ``sladesk`` console script itself: exit status, one-line errors on stderr, --help."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

SLADESK = Path(sys.executable).with_name("sladesk")


@pytest.fixture(scope="module")
def desk(tmp_path_factory):
    """A migrated SQLite desk in a temporary directory; returns ``run(*args, stdin=None)``."""
    var = tmp_path_factory.mktemp("var")
    env = {
        k: v for k, v in os.environ.items() if k not in {"DJANGO_SETTINGS_MODULE", "DATABASE_URL"}
    }
    env.update(
        {
            "DJANGO_SETTINGS_MODULE": "sladesk.config.settings.dev",
            "SLADESK_VAR_DIR": str(var),
            "DATABASE_URL": f"sqlite:///{var / 'db.sqlite3'}",
        }
    )

    def run(*args: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [str(SLADESK), *args],
            input=stdin,
            capture_output=True,
            text=True,
            env=env,
            timeout=120,
            check=False,
        )

    migrated = run("migrate", "--noinput")
    assert migrated.returncode == 0, migrated.stderr
    return run


def test_success_exits_zero(desk):
    done = desk(
        "org",
        "add",
        "Acme Corporation",
        "--domain",
        "acme.example",
        "--plan",
        "premier",
        "--start",
        "2026-01-01",
    )
    assert done.returncode == 0, done.stderr
    assert "Created organisation Acme Corporation" in done.stdout


def test_a_refusal_exits_one_with_one_line_on_stderr(desk):
    desk("org", "add", "Globex", "--domain", "globex.example")
    done = desk("org", "add", "Globex Two", "--domain", "globex.example")
    assert done.returncode == 1
    assert done.stderr.splitlines() == [
        "CommandError: globex.example already belongs to Globex [domain_taken]"
    ]
    assert done.stdout == ""


def test_a_bad_csv_row_exits_one_naming_the_line(desk, tmp_path):
    path = tmp_path / "orgs.csv"
    path.write_text("name,domains,plan,starts_on\nInitech,initech.example,gold,2026-01-01\n")
    done = desk("import", "orgs", str(path))
    assert done.returncode == 1
    (line,) = done.stderr.splitlines()
    assert line.startswith(
        "CommandError: orgs.csv: 1 bad row, nothing imported: line 2: unknown plan 'gold'"
    )


def test_token_create_prints_only_the_token_on_stdout(desk):
    desk(
        "contact",
        "add",
        "--org",
        "acme-corporation",
        "--email",
        "maria@acme.example",
        "--name",
        "Maria",
    )
    done = desk("token", "create", "--email", "maria@acme.example")
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip().startswith("sld_") and len(done.stdout.strip().splitlines()) == 1


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (("org", "--help"), "Manage customer organisations."),
        (("org", "add", "--help"), "--domain DOMAINS"),
        (("contact", "--help"), "named contacts"),
        (("env", "add", "--help"), "--non-production"),
        (("sub", "--help"), "valid on a day"),
        (("token", "--help"), "cannot be shown again"),
        (("releases", "--help"), "release catalogue"),
        (("import", "orgs", "--help"), "--dry-run"),
        (("import", "--help"), "All or nothing"),
        (("agent", "--help"), "senior_support_engineer"),
        (("door", "--help"), "Exit status 0 when allowed"),
    ],
)
def test_help_explains(desk, args, expected):
    done = desk(*args)
    assert done.returncode == 0, done.stderr
    assert expected in " ".join(done.stdout.split())
