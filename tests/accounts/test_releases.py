"""Which releases are supported: "the latest official release or the previous major
release", extended-support releases until their end date (sladesk.accounts.releases)."""

from __future__ import annotations

import datetime as dt

import pytest

from sladesk.accounts.releases import (
    CatalogueEntry,
    Version,
    parse_version,
    support_status,
    supported_lines,
)

D = dt.date


def entry(version: str, released: dt.date, *, esr: bool = False, ends: dt.date | None = None):
    parsed = parse_version(version)
    assert parsed is not None
    return CatalogueEntry(parsed, released, esr, ends)


CATALOGUE = [
    entry("11.10", D(2026, 8, 14), ends=D(2026, 11, 15)),
    entry("11.9", D(2026, 7, 16), ends=D(2026, 10, 15)),
    entry("11.8", D(2026, 6, 16), ends=D(2026, 9, 15)),
    entry("11.7", D(2026, 5, 15), esr=True, ends=D(2027, 5, 15)),
    entry("11.6", D(2026, 4, 16), ends=D(2026, 7, 15)),
    entry("10.11", D(2025, 8, 15), esr=True, ends=D(2026, 8, 15)),
    entry("10.5", D(2025, 2, 16), esr=True, ends=D(2025, 11, 15)),
]


def status(
    version: str, on: dt.date, *, rule: str = "latest_or_previous_major", esr_until_end: bool = True
):
    return support_status(
        version_text=version,
        catalogue=CATALOGUE,
        rule=rule,
        extended_support_until_end=esr_until_end,
        on=on,
    )


@pytest.mark.parametrize(
    ("version", "on", "supported", "code"),
    [
        # The latest official release line and the previous one, whatever the patch level.
        ("11.10.2", D(2026, 11, 25), True, "supported_latest"),
        ("11.10.0", D(2026, 11, 25), True, "supported_latest"),
        ("11.9.4", D(2026, 11, 25), True, "supported_previous"),
        # Two lines back is not supported...
        ("11.8.1", D(2026, 11, 25), False, "unsupported_release"),
        # ...unless it is an extended-support release before its end date (inclusive).
        ("11.7.9", D(2026, 11, 25), True, "supported_extended"),
        ("11.7.9", D(2027, 5, 15), True, "supported_extended"),
        ("11.7.9", D(2027, 5, 16), False, "unsupported_release"),
        ("10.11.3", D(2026, 8, 15), True, "supported_extended"),
        ("10.11.3", D(2026, 8, 16), False, "unsupported_release"),
        # "Latest" is judged on the day: before 11.10 was out, 11.9 and 11.8 were the two.
        ("11.8.1", D(2026, 8, 1), True, "supported_previous"),
        ("11.9.0", D(2026, 8, 1), True, "supported_latest"),
        # Older than anything in the catalogue: unsupported by any rule.
        ("9.5.2", D(2026, 11, 25), False, "unsupported_release"),
        # Newer than the catalogue, or a release not out yet on the day: the desk cannot tell.
        ("12.0.1", D(2026, 11, 25), None, "release_not_in_catalogue"),
        ("11.10.0", D(2026, 8, 1), None, "release_not_in_catalogue"),
        ("banana", D(2026, 11, 25), None, "unparseable_version"),
    ],
)
def test_latest_or_previous_major_rule(version, on, supported, code):
    found = status(version, on)
    assert (found.supported, found.code) == (supported, code)


def test_the_unsupported_message_names_the_version_and_what_is_supported():
    found = status("9.5.2", D(2026, 11, 25))
    assert found.message == (
        "environment runs 9.5.2, not a supported release "
        "(supported: 11.10, 11.9, 11.7 ESR until 2027-05-15)"
    )


def test_extended_support_can_be_switched_off_by_the_policy():
    assert status("11.7.9", D(2026, 11, 25), esr_until_end=False).supported is False


def test_vendor_lifecycle_rule_uses_each_release_end_date():
    assert status("11.8.1", D(2026, 9, 15), rule="vendor_lifecycle").supported is True
    assert status("11.8.1", D(2026, 9, 16), rule="vendor_lifecycle").supported is False
    assert status("11.7.0", D(2027, 1, 1), rule="vendor_lifecycle").code == "supported_lifecycle"


def test_an_empty_catalogue_is_reported_not_guessed():
    found = support_status(
        version_text="11.7.9",
        catalogue=[],
        rule="latest_or_previous_major",
        extended_support_until_end=True,
        on=D(2026, 1, 1),
    )
    assert (found.supported, found.code) == (None, "catalogue_empty")


def test_an_unknown_rule_is_a_programming_error():
    with pytest.raises(ValueError, match="unknown release rule 'newest'"):
        status("11.10.1", D(2026, 11, 25), rule="newest")


def test_supported_lines_for_people():
    assert supported_lines(
        catalogue=CATALOGUE,
        rule="latest_or_previous_major",
        extended_support_until_end=True,
        on=D(2026, 11, 25),
    ) == ["11.10", "11.9", "11.7 ESR until 2027-05-15"]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("11.7.9", Version(11, 7, 9)),
        ("v11.7", Version(11, 7)),
        (" 10.11.14 ", Version(10, 11, 14)),
        ("11.8.0-rc2", Version(11, 8, 0)),
        ("11", None),
        ("eleven", None),
        ("", None),
    ],
)
def test_parse_version(text, expected):
    assert parse_version(text) == expected
