"""The release catalogue file (release_file_parse, release_catalogue_load)."""

from __future__ import annotations

import datetime as dt
import json

import pytest

from sladesk.accounts.actor import Actor
from sladesk.accounts.models import AuditLog, Release
from sladesk.accounts.services import (
    release_catalogue_load,
    release_file_parse,
    release_remove,
    release_save,
)
from sladesk.accounts.services.releases import ReleaseSpec, shipped_catalogue_path
from sladesk.core.exceptions import DeskError

pytestmark = pytest.mark.django_db
CLI = Actor.cli()

TOML = """
[[release]]
version = "11.10"
released_on = 2026-08-14
support_ends = 2026-11-15

[[release]]
version = "11.7"
released_on = 2026-05-15
extended_support = true
support_ends = 2027-05-15
"""


def test_the_shipped_catalogue_is_valid_and_has_the_current_esr():
    specs = release_file_parse(shipped_catalogue_path())
    esr = {s.version: s for s in specs if s.extended_support}
    assert esr["11.7"].support_ends == dt.date(2027, 5, 15)
    assert esr["10.11"].support_ends == dt.date(2026, 8, 15)


def test_loading_adds_then_updates_then_changes_nothing(tmp_path):
    path = tmp_path / "releases.toml"
    path.write_text(TOML)
    first = release_catalogue_load(specs=release_file_parse(path), actor=CLI)
    assert (first.added, first.updated) == (["11.10", "11.7"], [])
    assert Release.objects.get(version="11.7").extended_support is True
    path.write_text(TOML.replace("2026-11-15", "2026-11-16"))
    second = release_catalogue_load(specs=release_file_parse(path), actor=CLI)
    assert (second.updated, second.unchanged) == (["11.10"], ["11.7"])
    third = release_catalogue_load(specs=release_file_parse(path), actor=CLI)
    assert third.describe() == "0 added, 0 updated, 2 unchanged, 0 removed"
    assert (
        AuditLog.objects.filter(action="release.load").count() == 2
    )  # no entry when nothing changed


def test_prune_removes_releases_the_file_does_not_list(tmp_path):
    release_save(
        spec=ReleaseSpec("9.5", dt.date(2024, 2, 16), True, dt.date(2025, 2, 15)), actor=CLI
    )
    path = tmp_path / "releases.toml"
    path.write_text(TOML)
    assert release_catalogue_load(
        specs=release_file_parse(path), prune=True, actor=CLI
    ).removed == ["9.5"]


def test_json_catalogues_are_accepted(tmp_path):
    path = tmp_path / "releases.json"
    path.write_text(json.dumps({"releases": [{"version": "11.10.2", "released_on": "2026-09-01"}]}))
    assert release_file_parse(path) == [ReleaseSpec("11.10.2", dt.date(2026, 9, 1))]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            '[[release]]\nversion = "eleven"\nreleased_on = 2026-01-01\n',
            "r.toml: release 1: version 'eleven' is not MAJOR.MINOR or MAJOR.MINOR.PATCH",
        ),
        ('[[release]]\nversion = "11.7"\n', "r.toml: release 1 (11.7): released_on is required"),
        (
            '[[release]]\nversion = "11.7"\nreleased_on = 2026-05-15\nextended_support = true\n',
            "r.toml: release 1 (11.7): an extended-support release needs support_ends",
        ),
        (
            '[[release]]\nversion = "11.7"\nreleased_on = 2026-05-15\nsupport_ends = 2026-01-01\n',
            "r.toml: release 1 (11.7): support_ends 2026-01-01 is before released_on 2026-05-15",
        ),
        (
            '[[release]]\nversion = "11.7"\nreleased_on = "May"\n',
            "r.toml: release 1 (11.7): released_on must be a date (YYYY-MM-DD), not 'May'",
        ),
        (
            '[[release]]\nversion = "11.7"\nreleased_on = 2026-05-15\ncolour = "red"\n',
            "r.toml: release 1: unknown field(s) colour",
        ),
        (
            'title = "no releases"\n',
            "r.toml: no releases found (expected [[release]] tables, or a JSON list)",
        ),
        ("[[release]\n", "r.toml: not valid toml"),
    ],
)
def test_a_bad_file_is_refused_with_where_and_why(tmp_path, text, message):
    path = tmp_path / "r.toml"
    path.write_text(text)
    with pytest.raises(DeskError) as refused:
        release_file_parse(path)
    assert refused.value.code == "invalid_release_file"
    assert refused.value.message.startswith(message)


def test_a_version_listed_twice_is_refused(tmp_path):
    path = tmp_path / "r.toml"
    path.write_text(TOML + TOML)
    with pytest.raises(DeskError, match="11.10 is listed twice"):
        release_file_parse(path)


def test_a_missing_file_is_refused(tmp_path):
    with pytest.raises(DeskError) as refused:
        release_file_parse(tmp_path / "nope.toml")
    assert refused.value.code == "invalid_release_file"


def test_removing_an_unknown_release_is_refused():
    with pytest.raises(DeskError) as refused:
        release_remove(version="1.0", actor=CLI)
    assert refused.value.code == "release_not_found"
