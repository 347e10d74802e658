"""Which server releases are supported: the policy's release rule over the catalogue.

Pure functions (no database): ``support_status`` takes the catalogue as values, so the
door, the admin and the tests share one implementation.

The default rule, ``latest_or_previous_major``, reads the contract's "the latest official
release or the previous major release". In the vendor's numbering each monthly release
(``11.9``, ``11.10``) is a "major build" (its old docs: "[Version Number].[Major Build
Number].[Minor Build Number]"), so the rule supports the newest two release lines that were
out on the day asked about, whatever their patch level. Extended-support releases (ESRs) are
also supported until their end-of-support date when the policy says so
(``extended_support_until_end``). ``vendor_lifecycle`` supports every line until the
vendor's own end-of-support date instead.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

LATEST_OR_PREVIOUS_MAJOR = "latest_or_previous_major"
VENDOR_LIFECYCLE = "vendor_lifecycle"
RELEASE_RULES = frozenset({LATEST_OR_PREVIOUS_MAJOR, VENDOR_LIFECYCLE})

_VERSION_RE = re.compile(r"^v?(\d{1,4})\.(\d{1,4})(?:\.(\d{1,4}))?(?:[-+~][0-9A-Za-z.\-+~]*)?$")


@dataclass(frozen=True, slots=True, order=True)
class Version:
    """A server version; ``patch`` is ``None`` for a release line such as ``11.7``."""

    major: int
    minor: int
    patch: int | None = None

    @property
    def line(self) -> tuple[int, int]:
        """Return the release line ``(major, minor)``."""
        return (self.major, self.minor)

    @property
    def line_text(self) -> str:
        """Return ``"11.7"``."""
        return f"{self.major}.{self.minor}"

    def __str__(self) -> str:
        return self.line_text if self.patch is None else f"{self.line_text}.{self.patch}"


def parse_version(text: str) -> Version | None:
    """Return the version in ``text`` (``"11.7.9"``, ``"v11.7"``, ``"11.7.9-rc1"``) or ``None``."""
    match = _VERSION_RE.match((text or "").strip())
    if match is None:
        return None
    major, minor, patch = match.groups()
    return Version(int(major), int(minor), int(patch) if patch is not None else None)


@dataclass(frozen=True, slots=True)
class CatalogueEntry:
    """One release as the rule sees it."""

    version: Version
    released_on: dt.date
    extended_support: bool
    support_ends: dt.date | None


@dataclass(frozen=True, slots=True)
class SupportStatus:
    """The answer for one version on one day.

    ``supported`` is ``None`` when the desk cannot tell (version not in the catalogue, not a
    version number, empty catalogue). ``code`` is stable; ``message`` is for people.
    ``ends_on`` is set when support rests on an extended-support end date.
    """

    supported: bool | None
    code: str
    message: str
    version: str
    ends_on: dt.date | None = None


@dataclass(frozen=True, slots=True)
class _Line:
    line: tuple[int, int]
    released_on: dt.date
    extended_support: bool
    support_ends: dt.date | None

    @property
    def text(self) -> str:
        return f"{self.line[0]}.{self.line[1]}"


def _lines(catalogue: Iterable[CatalogueEntry]) -> dict[tuple[int, int], _Line]:
    """Merge entries into release lines (first release date, ESR if any entry is, last end)."""
    lines: dict[tuple[int, int], _Line] = {}
    for entry in catalogue:
        key = entry.version.line
        known = lines.get(key)
        if known is None:
            lines[key] = _Line(
                line=key,
                released_on=entry.released_on,
                extended_support=entry.extended_support,
                support_ends=entry.support_ends,
            )
            continue
        ends = [d for d in (known.support_ends, entry.support_ends) if d is not None]
        lines[key] = _Line(
            line=key,
            released_on=min(known.released_on, entry.released_on),
            extended_support=known.extended_support or entry.extended_support,
            support_ends=max(ends) if ends else None,
        )
    return lines


def supported_lines(
    *, catalogue: Sequence[CatalogueEntry], rule: str, extended_support_until_end: bool, on: dt.date
) -> list[str]:
    """Return the supported lines on ``on`` for people: ``["11.10", "11.9", "11.7 ESR until 2027-05-15"]``."""
    result: list[str] = []
    for line in sorted(_lines(catalogue).values(), key=lambda x: x.line, reverse=True):
        verdict = _line_verdict(
            line,
            catalogue=catalogue,
            rule=rule,
            extended_support_until_end=extended_support_until_end,
            on=on,
        )
        if verdict is not None:
            ends = verdict[1]
            esr = " ESR" if line.extended_support else ""
            result.append(f"{line.text}{esr}" + (f" until {ends.isoformat()}" if ends else ""))
    return result


def _line_verdict(
    line: _Line,
    *,
    catalogue: Sequence[CatalogueEntry],
    rule: str,
    extended_support_until_end: bool,
    on: dt.date,
) -> tuple[str, dt.date | None] | None:
    """Return ``(code, ends_on)`` when ``line`` is supported on ``on``, else ``None``."""
    if rule not in RELEASE_RULES:
        raise ValueError(
            f"unknown release rule {rule!r} (known: {', '.join(sorted(RELEASE_RULES))})"
        )
    if line.released_on > on:
        return None
    if rule == VENDOR_LIFECYCLE:
        if line.support_ends is None or on <= line.support_ends:
            return ("supported_lifecycle", line.support_ends)
        return None
    released = sorted(
        (x.line for x in _lines(catalogue).values() if x.released_on <= on), reverse=True
    )
    if released and line.line == released[0]:
        return ("supported_latest", None)
    if len(released) > 1 and line.line == released[1]:
        return ("supported_previous", None)
    if (
        extended_support_until_end
        and line.extended_support
        and line.support_ends is not None
        and on <= line.support_ends
    ):
        return ("supported_extended", line.support_ends)
    return None


def support_status(
    *,
    version_text: str,
    catalogue: Sequence[CatalogueEntry],
    rule: str,
    extended_support_until_end: bool,
    on: dt.date,
) -> SupportStatus:
    """Return whether ``version_text`` is a supported release on ``on`` (see the module doc)."""
    shown = (version_text or "").strip() or "?"
    version = parse_version(version_text)
    if version is None:
        return SupportStatus(
            supported=None,
            code="unparseable_version",
            message=f"{shown!r} is not a release number",
            version=shown,
        )
    if not catalogue:
        return SupportStatus(
            supported=None,
            code="catalogue_empty",
            message="the release catalogue is empty; load one with `sladesk releases load`",
            version=shown,
        )
    lines = _lines(catalogue)
    line = lines.get(version.line)
    if line is None and version.line < min(lines):
        # Older than every release the catalogue lists: no rule can still support it.
        line = _Line(
            line=version.line,
            released_on=dt.date.min,
            extended_support=False,
            support_ends=dt.date.min,
        )
    if line is None or line.released_on > on:
        newest = max(lines)
        return SupportStatus(
            supported=None,
            code="release_not_in_catalogue",
            message=f"{shown} is not in the release catalogue (newest known: {newest[0]}.{newest[1]}); "
            "update it with `sladesk releases load`",
            version=shown,
        )
    verdict = _line_verdict(
        line,
        catalogue=catalogue,
        rule=rule,
        extended_support_until_end=extended_support_until_end,
        on=on,
    )
    if verdict is None:
        listed = ", ".join(
            supported_lines(
                catalogue=catalogue,
                rule=rule,
                extended_support_until_end=extended_support_until_end,
                on=on,
            )
        )
        return SupportStatus(
            supported=False,
            code="unsupported_release",
            message=f"environment runs {shown}, not a supported release (supported: {listed or 'none'})",
            version=shown,
        )
    code, ends_on = verdict
    explanation = {
        "supported_latest": f"{shown} is on the latest official release line ({line.text})",
        "supported_previous": f"{shown} is on the previous release line ({line.text})",
        "supported_extended": (
            f"{shown} is on an extended-support release ({line.text} ESR), "
            f"supported until {ends_on.isoformat() if ends_on else '?'}"
        ),
        "supported_lifecycle": (
            f"{shown} is supported by the vendor"
            + (f" until {ends_on.isoformat()}" if ends_on else "")
        ),
    }[code]
    return SupportStatus(
        supported=True, code=code, message=explanation, version=shown, ends_on=ends_on
    )
