"""``sladesk releases load [FILE]|list``."""

from __future__ import annotations

import pytest

from sladesk.accounts.models import Release

pytestmark = pytest.mark.django_db


def test_load_the_shipped_catalogue_twice(sladesk):
    first = sladesk("releases", "load").out
    assert first.startswith("Loaded ") and "added, 0 updated" in first
    assert "0 added, 0 updated" in sladesk("releases", "load").out
    assert Release.objects.filter(version="11.7", extended_support=True).exists()


def test_load_a_file_and_list_what_is_supported(sladesk, tmp_path):
    path = tmp_path / "mine.toml"
    path.write_text(
        '[[release]]\nversion = "11.10"\nreleased_on = 2026-08-14\n\n[[release]]\nversion = "11.9"\nreleased_on = 2026-07-16\n\n[[release]]\nversion = "11.8"\nreleased_on = 2026-06-16\n'
    )
    assert "Loaded 3 releases from mine.toml: 3 added" in sladesk("releases", "load", str(path)).out
    listing = sladesk("releases", "list", "--on", "2026-11-25").out
    assert "Rule latest_or_previous_major, on 2026-11-25:" in listing
    assert "v11.10" in listing and listing.count("SUPPORTED") == 2


def test_a_bad_file_changes_nothing(refused, tmp_path):
    path = tmp_path / "bad.toml"
    path.write_text(
        '[[release]]\nversion = "11.10"\nreleased_on = 2026-08-14\n\n[[release]]\nversion = "x"\nreleased_on = 2026-07-16\n'
    )
    assert refused("releases", "load", str(path)) == (
        "bad.toml: release 2: version 'x' is not MAJOR.MINOR or MAJOR.MINOR.PATCH [invalid_release_file]"
    )
    assert Release.objects.count() == 0
