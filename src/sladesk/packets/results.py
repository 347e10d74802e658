"""What the engine returns: plain frozen values, each with a JSON-ready ``as_dict``.

Every value here was computed from redacted text, so it can be stored and shown.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from sladesk.core.exceptions import ValidationFailed

#: The vendor's placeholder (``model.FakeSetting``): 32 asterisks.
PLACEHOLDER = "*" * 32

JsonValue = str | int | float | bool | None | list[Any] | dict[str, Any]


class PacketRefused(ValidationFailed):
    """The upload cannot be analysed safely; ``code`` says why (``packet_zip_bomb``...)."""

    code = "packet_refused"


@dataclass(frozen=True, slots=True)
class Fact:
    """One fact about the deployment and where it was read (``node1/diagnostics.yaml:12``)."""

    key: str
    value: JsonValue
    source: str
    node: str = ""

    def as_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)


@dataclass(frozen=True, slots=True)
class Evidence:
    """A place in a stored (redacted) file and what it shows."""

    source: str
    text: str = ""

    def as_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)


@dataclass(frozen=True, slots=True)
class Finding:
    """A health-check result: ``severity`` is ``critical``, ``high``, ``medium``, ``low`` or ``info``."""

    rule_id: str
    severity: str
    title: str
    detail: str
    suggestion: str
    evidence: tuple[Evidence, ...] = ()

    def as_dict(self) -> dict[str, Any]:
        return {
            "rule_id": self.rule_id,
            "severity": self.severity,
            "title": self.title,
            "detail": self.detail,
            "suggestion": self.suggestion,
            "evidence": [e.as_dict() for e in self.evidence],
        }


@dataclass(slots=True)
class FileRedaction:
    """What was redacted in one file: setting names and pattern counts, never values."""

    path: str
    settings: list[str] = field(default_factory=list)
    patterns: dict[str, int] = field(default_factory=dict)
    already_redacted: int = 0

    @property
    def count(self) -> int:
        return len(self.settings) + sum(self.patterns.values())

    def add_pattern(self, name: str, n: int = 1) -> None:
        self.patterns[name] = self.patterns.get(name, 0) + n

    def as_dict(self) -> dict[str, Any]:
        return {
            "path": self.path,
            "count": self.count,
            "settings": list(self.settings),
            "patterns": dict(sorted(self.patterns.items())),
            "already_redacted": self.already_redacted,
        }


@dataclass(frozen=True, slots=True)
class Skipped:
    """A member or file left out of the stored artefact, and why."""

    path: str
    reason: str
    code: str

    def as_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)


@dataclass(frozen=True, slots=True)
class Burst:
    """Log lines of one level with the same normalised message."""

    level: str
    message: str
    count: int
    first_time: str
    last_time: str
    first_line: int
    last_line: int
    example: str

    def as_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)


@dataclass(frozen=True, slots=True)
class LogSummary:
    """One log file read end to end."""

    path: str
    format: str
    bytes: int
    lines: int
    levels: dict[str, int]
    first_time: str
    last_time: str
    unparsed_lines: int
    bursts: tuple[Burst, ...]
    groups_dropped: int = 0

    def as_dict(self) -> dict[str, Any]:
        data = dataclasses.asdict(self)
        data["bursts"] = [b.as_dict() for b in self.bursts]
        return data


@dataclass(frozen=True, slots=True)
class Progress:
    """A progress report: ``stage`` (``reading``, ``redacting``, ``checking``), file and bytes."""

    stage: str
    path: str
    done: int
    total: int | None


ProgressCallback = Callable[[Progress], None]


def no_progress(_: Progress) -> None:
    """Ignore progress."""
