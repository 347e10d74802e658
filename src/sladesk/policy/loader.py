"""Load a policy file (TOML) into a validated, frozen ``Policy``.

The file is data a support manager edits, so every mistake is reported in their terms:
the file, the key path and the reason (``mattermost.toml: plans.premier.first_response.L2:
unknown calendar 'alwyas'``). Validation collects every problem before failing, so one
``sladesk policy check`` run lists them all.

No Django here: ``sladesk.sla`` loads policies in a plain Python process.
"""

from __future__ import annotations

import difflib
import hashlib
import os
import re
import tomllib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, time, timedelta
from pathlib import Path
from typing import Any, Final
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import holidays as holidays_pkg

from sladesk.clock import AnyCalendar, Calendar, CalendarError, Window, intersection, union
from sladesk.policy.schema import (
    CalendarSpec,
    ContactRules,
    Entitlements,
    HolidayRule,
    Plan,
    Policy,
    ProductionRule,
    ReleaseRule,
    ScopeExclusion,
    Severity,
    Target,
)

__all__ = [
    "CHANNELS",
    "PolicyError",
    "Problem",
    "default_policy_path",
    "load_policy",
    "load_policy_text",
]

CHANNELS: Final = ("portal", "email", "api", "chat", "phone")
RELEASE_RULES: Final = ("latest_or_previous_major", "vendor_lifecycle")  # sladesk.accounts.releases
ROLE_ADDRESS_SCOPES: Final = ("named_contacts", "all_contacts", "none")
TARGET_RULES: Final = ("next_business_day",)
DEFAULT_YEARS: Final = (2020, 2040)
DEFAULT_THRESHOLDS: Final = (0.75, 0.9)
# [sla] waiting_on_customer_pauses / reopen_window (tickets): defaults when absent.
PAUSABLE_CLOCKS: Final = ("next_reply", "resolution")  # first_response is never paused
DEFAULT_PAUSES: Final = frozenset({"next_reply", "resolution"})
DEFAULT_REOPEN_WINDOW: Final = timedelta(hours=48)
SLA_RULE_KEYS: Final = ("waiting_on_customer_pauses", "reopen_window")
UNLIMITED: Final = "unlimited"
WEEKDAYS: Final = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
_FULL_WEEKDAYS: Final = (
    "monday",
    "tuesday",
    "wednesday",
    "thursday",
    "friday",
    "saturday",
    "sunday",
)

_ID_RE: Final = re.compile(r"[A-Za-z][A-Za-z0-9_-]*\Z")
_BARE_KEY_RE: Final = re.compile(r"[A-Za-z0-9_-]+\Z")
_TIME_RE: Final = re.compile(r"(\d{2}):(\d{2})\Z")
_DURATION_RE: Final = re.compile(r"(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)?\Z")
_TOML_POS_RE: Final = re.compile(r"\s*\(at line (\d+), column (\d+)\)\Z")
_TOML_END_RE: Final = re.compile(r"\s*\(at end of document\)\Z")
_DURATION_EXAMPLES: Final = '(expected e.g. "1h", "90m", "1h30m")'


@dataclass(frozen=True, slots=True)
class Problem:
    """One thing wrong with a policy file: where (a key path) and why.

    ``path`` is the dotted key path (``plans.premier.first_response.L2``,
    ``calendars.weekend.windows[0].from``); for TOML syntax errors it is the line and
    column; it is empty for problems with the file as a whole.
    """

    path: str
    message: str

    def __str__(self) -> str:
        return f"{self.path}: {self.message}" if self.path else self.message


class PolicyError(ValueError):
    """A policy file is invalid; ``problems`` lists every reason, not just the first."""

    def __init__(self, source: str, problems: Sequence[Problem]) -> None:
        self.source = source
        self.problems = list(problems)
        super().__init__(self.__str__())

    def lines(self) -> list[str]:
        """Return one ``"<source>: <path>: <message>"`` line per problem."""
        return [f"{self.source}: {problem}" for problem in self.problems]

    def __str__(self) -> str:
        return "\n".join(self.lines())


_DEFAULT_PATH: Final = Path(__file__).resolve().parent / "data" / "mattermost.toml"


def default_policy_path() -> Path:
    """Return the shipped default policy (the Mattermost contract)."""
    return _DEFAULT_PATH


def load_policy(path: str | os.PathLike[str]) -> Policy:
    """Read, validate and build the policy in ``path``; raise ``PolicyError`` if invalid."""
    source = os.fspath(path)
    try:
        raw = Path(source).read_bytes()
    except OSError as exc:
        raise PolicyError(source, [Problem("", f"cannot read the file: {exc.strerror}")]) from exc
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        problem = Problem("", f"not UTF-8 text (byte {exc.start}): {exc.reason}")
        raise PolicyError(source, [problem]) from exc
    return _load(text, raw, source=source)


def load_policy_text(text: str, *, source: str = "<string>") -> Policy:
    """Validate and build a policy from TOML ``text``; ``source`` names it in errors."""
    return _load(text, text.encode("utf-8"), source=source)


def _load(text: str, raw: bytes, *, source: str) -> Policy:
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise PolicyError(source, [_toml_problem(exc)]) from None
    builder = _Builder(source=source, content_hash=hashlib.sha256(raw).hexdigest())
    policy = builder.build(data)
    if builder.problems or policy is None:
        raise PolicyError(source, builder.problems)
    return policy


def _toml_problem(exc: tomllib.TOMLDecodeError) -> Problem:
    message = str(exc)
    if match := _TOML_POS_RE.search(message):
        path = f"line {match.group(1)}, column {match.group(2)}"
        message = message[: match.start()]
    elif match := _TOML_END_RE.search(message):
        path = "end of file"
        message = message[: match.start()]
    else:
        path = ""
    return Problem(path, f"invalid TOML: {message}")


# --- Small helpers ---------------------------------------------------------------------


def _join(path: str, key: str | int) -> str:
    """Append a key (or an array index) to a dotted key path, quoting keys TOML would."""
    if isinstance(key, int):
        return f"{path}[{key}]"
    part = key if _BARE_KEY_RE.match(key) else f'"{key}"'
    return f"{path}.{part}" if path else part


def _toml_type(value: object) -> str:
    """Name a parsed value's TOML type, for "expected a string, got integer 3"."""
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):
        return "integer"
    if isinstance(value, float):
        return "float"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list):
        return "array"
    if isinstance(value, dict):
        return "table"
    if isinstance(value, time):
        return "time"
    if isinstance(value, date):
        # datetime is a subclass of date
        return "date-time" if hasattr(value, "hour") else "date"
    return type(value).__name__


def _show(value: object) -> str:
    """Render a value the way it appears in an error: its type, then its text if short."""
    kind = _toml_type(value)
    if isinstance(value, dict | list):
        return kind
    if isinstance(value, bool):
        return f"{kind} {str(value).lower()}"
    if isinstance(value, str):
        return f"{kind} {value!r}"
    return f"{kind} {value}"


def _known(name: str, value: str, known: Iterable[str]) -> str:
    """Return ``unknown <name> 'x' (did you mean 'y'?)`` or ``... (known: a, b)``."""
    return f"unknown {name} {value!r} {_hint(value, known)}"


def _hint(value: str, known: Iterable[str]) -> str:
    """Return ``(did you mean 'y'?)`` for a near miss, else ``(known: a, b)``."""
    options = sorted(known)
    close = difflib.get_close_matches(value, options, n=1, cutoff=0.7)
    if close:
        return f"(did you mean {close[0]!r}?)"
    return f"(known: {', '.join(options) if options else 'none are defined'})"


def _parse_time(text: str, *, allow_24: bool) -> time | None:
    """Parse ``HH:MM``; ``24:00`` (the end of a day) only where ``allow_24`` is set.

    Return None for ``24:00`` (``Window.at`` reads None as 24:00). Raise ValueError
    with the reason otherwise.
    """
    match = _TIME_RE.match(text)
    upper = "24:00" if allow_24 else "23:59"
    if not match:
        raise ValueError(f"bad time {text!r} (expected HH:MM between 00:00 and {upper})")
    hour, minute = int(match.group(1)), int(match.group(2))
    if allow_24 and hour == 24 and minute == 0:
        return None
    if hour > 23 or minute > 59:
        raise ValueError(f"bad time {text!r} (expected HH:MM between 00:00 and {upper})")
    return time(hour, minute)


def _parse_weekday(text: str) -> int:
    """Return 0 (Monday) .. 6 (Sunday) for ``Mon`` or ``Monday`` (any case)."""
    lowered = text.strip().lower()
    for index, (short, full) in enumerate(zip(WEEKDAYS, _FULL_WEEKDAYS, strict=True)):
        if lowered in (short.lower(), full):
            return index
    raise ValueError(f"unknown weekday {text!r} (expected {', '.join(WEEKDAYS)})")


def _parse_days(text: str) -> list[int]:
    """Parse ``"Mon-Fri"``, ``"Sat,Sun"`` or ``"Fri-Mon"`` (a range may wrap the week)."""
    days: list[int] = []
    for item in text.split(","):
        if "-" in item:
            first_text, _, last_text = item.partition("-")
            first, last = _parse_weekday(first_text), _parse_weekday(last_text)
            span = (last - first) % 7
            days.extend((first + step) % 7 for step in range(span + 1))
        else:
            days.append(_parse_weekday(item))
    if len(set(days)) != len(days):
        raise ValueError(f"days {text!r} name a weekday twice")
    return days


def parse_duration(text: str) -> timedelta:
    """Parse ``"1h"``, ``"90m"``, ``"1h30m"``, ``"45s"`` into a positive timedelta.

    Days are refused on purpose: "1d" could mean 24 open hours or one calendar day.
    """
    stripped = text.strip()
    if stripped.startswith("-"):
        raise ValueError(f"duration must be positive, got {text!r}")
    match = _DURATION_RE.match(stripped)
    if not stripped or not match:
        raise ValueError(f"bad duration {text!r} {_DURATION_EXAMPLES}")
    hours, minutes, seconds = (int(group) if group else 0 for group in match.groups())
    duration = timedelta(hours=hours, minutes=minutes, seconds=seconds)
    if duration <= timedelta(0):
        raise ValueError(f"duration must be positive, got {text!r}")
    return duration


def _zone_error(zone: str) -> str | None:
    try:
        ZoneInfo(zone)
    except (ZoneInfoNotFoundError, ValueError):
        return f"unknown time zone {zone!r} (expected an IANA name such as 'America/Los_Angeles')"
    return None


# --- The builder -------------------------------------------------------------------------

_Table = Mapping[str, Any]
_MISSING: Final = object()


class _Builder:
    """Turn parsed TOML into a ``Policy``, recording every problem on the way."""

    def __init__(self, *, source: str, content_hash: str) -> None:
        self.source = source
        self.content_hash = content_hash
        self.problems: list[Problem] = []

    # -- recording and typed access ------------------------------------------------------

    def error(self, path: str, message: str) -> None:
        self.problems.append(Problem(path, message))

    def keys(
        self,
        table: _Table,
        path: str,
        *,
        required: Iterable[str] = (),
        optional: Iterable[str] = (),
    ) -> None:
        """Report missing required keys and refuse unknown ones (typos like ``calender``)."""
        required = tuple(required)
        allowed = (*required, *optional)
        missing = [key for key in required if key not in table]
        typos: list[tuple[str, str]] = []
        for key in table:
            if key not in allowed:
                close = difflib.get_close_matches(key, allowed, n=1, cutoff=0.7)
                hint = f"did you mean {close[0]!r}?" if close else f"expected: {', '.join(allowed)}"
                typos.append((key, hint))
                if close and close[0] in missing:
                    missing.remove(close[0])  # the typo is the problem, not a second one
        for key in missing:
            if key == "at" and table.get("rule") == "next_business_day":
                self.error(
                    path,
                    "next_business_day needs 'at', the wall time it falls due (e.g. \"17:00\")",
                )
            else:
                self.error(path, f"missing key {key!r}")
        for key, hint in typos:
            self.error(_join(path, key), f"unknown key {key!r} ({hint})")

    def table(self, parent: _Table, key: str, path: str) -> _Table | None:
        """Return the sub-table ``key`` (None if absent, or reported if not a table)."""
        value = parent.get(key, _MISSING)
        if value is _MISSING:
            return None  # reported by keys() when required
        if not isinstance(value, dict):
            self.error(_join(path, key), f"expected a table, got {_show(value)}")
            return None
        return value

    def string(
        self, parent: _Table, key: str, path: str, *, default: str | None = None
    ) -> str | None:
        value = parent.get(key, _MISSING)
        if value is _MISSING:
            return default
        if not isinstance(value, str):
            self.error(_join(path, key), f"expected a string, got {_show(value)}")
            return None
        if not value.strip():
            self.error(_join(path, key), "must not be empty")
            return None
        return value

    def boolean(self, parent: _Table, key: str, path: str, *, default: bool) -> bool:
        value = parent.get(key, _MISSING)
        if value is _MISSING:
            return default
        if not isinstance(value, bool):
            self.error(_join(path, key), f"expected true or false, got {_show(value)}")
            return default
        return value

    def strings(self, parent: _Table, key: str, path: str) -> list[str] | None:
        """Return an array of strings (an absent key is an empty array)."""
        value = parent.get(key, _MISSING)
        if value is _MISSING:
            return []
        if not isinstance(value, list):
            self.error(_join(path, key), f"expected an array of strings, got {_show(value)}")
            return None
        ok = True
        for index, item in enumerate(value):
            if not isinstance(item, str):
                self.error(_join(_join(path, key), index), f"expected a string, got {_show(item)}")
                ok = False
        return list(value) if ok else None

    def limit(self, parent: _Table, key: str, path: str, *, default: int | None) -> int | None:
        """Return a whole number >= 0, or None for ``"unlimited"``."""
        value = parent.get(key, _MISSING)
        if value is _MISSING:
            return default
        if value == UNLIMITED:
            return None
        if isinstance(value, int) and not isinstance(value, bool) and value >= 0:
            return value
        self.error(
            _join(path, key),
            f'expected a whole number >= 0 or "{UNLIMITED}", got {_show(value)}',
        )
        return default

    def identifier(self, key: str, path: str, what: str) -> bool:
        if _ID_RE.match(key):
            return True
        self.error(
            path,
            f"{what} id {key!r} must start with a letter and contain only letters, "
            "digits, '_' and '-'",
        )
        return False

    # -- the whole file --------------------------------------------------------------------

    def build(self, data: _Table) -> Policy | None:
        self.keys(
            data,
            "",
            required=("policy", "calendars", "severities", "production", "plans"),
            optional=("sla", "holidays", "contacts", "releases", "exclusions"),
        )
        header = self.header(data)
        thresholds = self.thresholds(data)
        pauses, reopen_window = self.sla_rules(data)
        holiday_rules = self.holiday_rules(data)
        zone = header["zone"] if header else None
        calendar_ids, calendars = self.calendars(data, holiday_rules, default_zone=zone)
        severities = self.severities(data)
        production = self.production(data, severities)
        plans = self.plans(data, severities, calendar_ids, calendars)
        contacts = self.contacts(data)
        releases = self.releases(data)
        exclusions = self.exclusions(data)
        if self.problems or header is None or severities is None or production is None:
            return None
        return Policy(
            id=header["id"],
            name=header["name"],
            vendor=header["vendor"],
            file_version=header["version"],
            content_hash=self.content_hash,
            source=self.source,
            zone=header["zone"],
            severities=severities,
            calendars=calendars,
            holiday_rules={rule.id: rule for rule in holiday_rules.values() if rule is not None},
            plans=plans,
            production=production,
            exclusions=exclusions,
            contacts=contacts,
            releases=releases,
            warning_thresholds=thresholds,
            waiting_on_customer_pauses=pauses,
            reopen_window=reopen_window,
        )

    # -- [policy] and [sla] ------------------------------------------------------------------

    def header(self, data: _Table) -> dict[str, str] | None:
        table = self.table(data, "policy", "")
        if table is None:
            return None
        path = "policy"
        self.keys(table, path, required=("id", "name", "vendor", "version", "zone"))
        values: dict[str, str] = {}
        for key in ("id", "name", "vendor", "version", "zone"):
            value = self.string(table, key, path)
            if value is not None:
                values[key] = value
        if "id" in values and not self.identifier(values["id"], "policy.id", "policy"):
            del values["id"]
        if "zone" in values and (problem := _zone_error(values["zone"])):
            self.error("policy.zone", problem)
            del values["zone"]
        return values if len(values) == 5 else None

    def thresholds(self, data: _Table) -> tuple[float, ...]:
        table = self.table(data, "sla", "")
        if table is None:
            return DEFAULT_THRESHOLDS
        self.keys(table, "sla", optional=("warning_thresholds", *SLA_RULE_KEYS))
        path = "sla.warning_thresholds"
        value = table.get("warning_thresholds", _MISSING)
        if value is _MISSING:
            return DEFAULT_THRESHOLDS
        if not isinstance(value, list):
            self.error(path, f"expected an array of numbers, got {_show(value)}")
            return DEFAULT_THRESHOLDS
        result: list[float] = []
        for index, item in enumerate(value):
            if isinstance(item, bool) or not isinstance(item, int | float):
                self.error(_join(path, index), f"expected a number, got {_show(item)}")
            elif not 0 < item < 1:
                self.error(_join(path, index), f"threshold {item} is outside (0, 1)")
            else:
                result.append(float(item))
        if len(result) == len(value):
            for before, after in zip(result, result[1:], strict=False):
                if after <= before:
                    self.error(path, f"thresholds must increase: {before} then {after}")
                    break
        return tuple(result)

    def sla_rules(self, data: _Table) -> tuple[frozenset[str], timedelta]:
        """Return ``[sla]``'s clocks paused while waiting on the customer, and the reopen window."""
        table = data.get("sla")
        if not isinstance(table, dict):
            return DEFAULT_PAUSES, DEFAULT_REOPEN_WINDOW
        pauses = DEFAULT_PAUSES
        path = "sla.waiting_on_customer_pauses"
        value = table.get("waiting_on_customer_pauses", _MISSING)
        if value is not _MISSING:
            if not isinstance(value, list):
                self.error(path, f"expected an array of clock names, got {_show(value)}")
            else:
                found: set[str] = set()
                for index, item in enumerate(value):
                    if item == "first_response":
                        self.error(
                            _join(path, index),
                            "the first-response clock is never paused (the contract counts it from opening)",
                        )
                    elif not isinstance(item, str) or item not in PAUSABLE_CLOCKS:
                        self.error(
                            _join(path, index),
                            f"expected one of {', '.join(PAUSABLE_CLOCKS)}, got {_show(item)}",
                        )
                    else:
                        found.add(item)
                pauses = frozenset(found)
        reopen = DEFAULT_REOPEN_WINDOW
        path = "sla.reopen_window"
        value = table.get("reopen_window", _MISSING)
        if value is not _MISSING:
            if not isinstance(value, str):
                self.error(path, f'expected a duration such as "48h", got {_show(value)}')
            else:
                try:
                    reopen = parse_duration(value)
                except ValueError as exc:
                    self.error(path, str(exc))
        return pauses, reopen

    # -- [holidays.<id>] -----------------------------------------------------------------------

    def holiday_rules(self, data: _Table) -> dict[str, HolidayRule | None]:
        """Return every declared rule id; a rule with problems maps to None."""
        table = self.table(data, "holidays", "")
        rules: dict[str, HolidayRule | None] = {}
        if table is None:
            return rules
        for rule_id, spec in table.items():
            path = _join("holidays", rule_id)
            rules[rule_id] = None
            if not self.identifier(rule_id, path, "holiday rule"):
                continue
            if not isinstance(spec, dict):
                self.error(path, f"expected a table, got {_show(spec)}")
                continue
            rules[rule_id] = self.holiday_rule(rule_id, spec, path)
        return rules

    def holiday_rule(self, rule_id: str, spec: _Table, path: str) -> HolidayRule | None:
        self.keys(
            spec,
            path,
            required=("country",),
            optional=(
                "subdivision",
                "observed",
                "only",
                "extra_dates",
                "removed_dates",
                "years",
                "language",
            ),
        )
        before = len(self.problems)
        country = self.string(spec, "country", path)
        subdivision = self.string(spec, "subdivision", path)
        language = self.string(spec, "language", path)
        observed = self.boolean(spec, "observed", path, default=True)
        only = self.strings(spec, "only", path)
        years = self.years(spec, path)
        extra = self.dates(spec, "extra_dates", path, years)
        removed = self.dates(spec, "removed_dates", path, years)
        if country is None or len(self.problems) > before:
            return None
        if only is None or years is None or extra is None or removed is None:
            return None

        supported = holidays_pkg.list_supported_countries()
        if country not in supported:
            self.error(
                _join(path, "country"),
                f"unknown holiday country {country!r} (expected an ISO 3166-1 alpha-2 code "
                "that the holidays package supports, such as 'US' or 'DE')",
            )
            return None
        if subdivision is not None and subdivision not in supported[country]:
            known = ", ".join(supported[country]) or "none"
            self.error(
                _join(path, "subdivision"),
                f"unknown subdivision {subdivision!r} for country {country} (known: {known})",
            )
            return None
        calendar = holidays_pkg.country_holidays(
            country,
            subdiv=subdivision,
            years=range(years[0], years[1] + 1),
            observed=observed,
            language=language,
        )
        if language is not None and language not in calendar.supported_languages:
            known = ", ".join(calendar.supported_languages) or "only its default"
            self.error(
                _join(path, "language"),
                f"unknown language {language!r} for country {country} (known: {known})",
            )
            return None

        dates = _holiday_dates(calendar, observed=observed, only=only)
        names = _holiday_names(calendar)
        for index, name in enumerate(only):
            if name not in names:
                self.error(
                    _join(_join(path, "only"), index),
                    f"{name!r} is not a {country} holiday name in the holidays package "
                    + _hint(name, names),
                )
        for index, day in enumerate(removed):
            if day not in dates:
                self.error(
                    _join(_join(path, "removed_dates"), index),
                    f"{day.isoformat()} is not one of this rule's holidays; nothing to remove",
                )
        if len(self.problems) > before:
            return None
        return HolidayRule(
            id=rule_id,
            country=country,
            subdivision=subdivision,
            observed=observed,
            only=tuple(only),
            extra_dates=tuple(day.isoformat() for day in extra),
            removed_dates=tuple(day.isoformat() for day in removed),
            years=years,
            language=language,
            dates=frozenset((dates | set(extra)) - set(removed)),
        )

    def years(self, spec: _Table, path: str) -> tuple[int, int] | None:
        value = spec.get("years", _MISSING)
        if value is _MISSING:
            return DEFAULT_YEARS
        key_path = _join(path, "years")
        if (
            not isinstance(value, list)
            or len(value) != 2
            or not all(isinstance(item, int) and not isinstance(item, bool) for item in value)
        ):
            self.error(
                key_path, f"expected [first, last] years such as [2020, 2040], got {value!r}"
            )
            return None
        first, last = value
        if not 1900 <= first <= last <= 2200:
            self.error(key_path, f"years [{first}, {last}] must be ordered and within 1900..2200")
            return None
        return (first, last)

    def dates(
        self, spec: _Table, key: str, path: str, years: tuple[int, int] | None
    ) -> list[date] | None:
        value = spec.get(key, _MISSING)
        if value is _MISSING:
            return []
        key_path = _join(path, key)
        if not isinstance(value, list):
            self.error(key_path, f"expected an array of dates, got {_show(value)}")
            return None
        result: list[date] = []
        for index, item in enumerate(value):
            item_path = _join(key_path, index)
            day: date | None = None
            if isinstance(item, date) and not hasattr(item, "hour"):
                day = item
            elif isinstance(item, str):
                try:
                    day = date.fromisoformat(item)
                except ValueError:
                    self.error(item_path, f"bad date {item!r} (expected YYYY-MM-DD)")
            else:
                self.error(item_path, f"expected a date (2026-12-24), got {_show(item)}")
            if day is not None and years is not None and not years[0] <= day.year <= years[1]:
                self.error(
                    item_path,
                    f"{day.isoformat()} is outside the rule's years {years[0]}..{years[1]}",
                )
                day = None
            if day is not None:
                result.append(day)
        return result if len(result) == len(value) else None

    # -- [calendars.<id>] ----------------------------------------------------------------------

    def calendars(
        self,
        data: _Table,
        holiday_rules: Mapping[str, HolidayRule | None],
        *,
        default_zone: str | None,
    ) -> tuple[set[str] | None, dict[str, CalendarSpec]]:
        """Return the declared calendar ids and the ones that built without problems.

        The ids are None when there is no usable ``[calendars]`` table, so targets are
        not each reported as naming an unknown calendar.
        """
        table = self.table(data, "calendars", "")
        if table is None:
            return None, {}
        declared = set(table)
        if not declared:
            self.error("calendars", "define at least one calendar")
        specs: dict[str, _Table] = {}
        for calendar_id, spec in table.items():
            path = _join("calendars", calendar_id)
            if not self.identifier(calendar_id, path, "calendar"):
                continue
            if not isinstance(spec, dict):
                self.error(path, f"expected a table, got {_show(spec)}")
                continue
            specs[calendar_id] = spec

        built: dict[str, CalendarSpec] = {}
        failed: set[str] = set(declared - set(specs))
        for calendar_id in self.calendar_order(specs, declared):
            spec = specs[calendar_id]
            path = _join("calendars", calendar_id)
            result = self.calendar(
                calendar_id,
                spec,
                path,
                holiday_rules=holiday_rules,
                built=built,
                failed=failed,
                default_zone=default_zone,
            )
            if result is None:
                failed.add(calendar_id)
            else:
                built[calendar_id] = result
        return declared, built

    def calendar_order(self, specs: Mapping[str, _Table], declared: set[str]) -> list[str]:
        """Order calendars so parts come before unions; report self-references and cycles."""
        parts: dict[str, list[str]] = {}
        for calendar_id, spec in specs.items():
            combined = [spec[k] for k in ("union", "intersection") if k in spec]
            refs = combined[0] if combined and isinstance(combined[0], list) else []
            parts[calendar_id] = [ref for ref in refs if isinstance(ref, str) and ref in specs]
        order: list[str] = []
        state: dict[str, str] = {}  # "visiting" | "done"
        cyclic: set[str] = set()

        def visit(node: str, trail: list[str]) -> None:
            if state.get(node) == "done":
                return
            if state.get(node) == "visiting":
                loop = trail[trail.index(node) :] + [node]
                kind = "union" if "union" in specs[node] else "intersection"
                if len(loop) == 2:
                    message = f"calendar {node!r} refers to itself"
                else:
                    message = "cycle: " + " -> ".join(loop)
                self.error(_join(_join("calendars", node), kind), message)
                cyclic.update(loop)
                return
            state[node] = "visiting"
            for ref in parts[node]:
                visit(ref, [*trail, node])
            state[node] = "done"
            order.append(node)

        for calendar_id in specs:
            visit(calendar_id, [])
        return [calendar_id for calendar_id in order if calendar_id not in cyclic]

    def calendar(
        self,
        calendar_id: str,
        spec: _Table,
        path: str,
        *,
        holiday_rules: Mapping[str, HolidayRule | None],
        built: Mapping[str, CalendarSpec],
        failed: set[str],
        default_zone: str | None,
    ) -> CalendarSpec | None:
        kinds = [kind for kind in ("windows", "union", "intersection") if kind in spec]
        common = ("name", "description")
        if len(kinds) != 1:
            self.keys(
                spec,
                path,
                optional=(
                    *common,
                    "zone",
                    "windows",
                    "holidays",
                    "open_on_holidays",
                    "union",
                    "intersection",
                ),
            )
            if not kinds:
                self.error(path, "give exactly one of 'windows', 'union' or 'intersection'")
            else:
                self.error(path, f"give only one of {', '.join(repr(k) for k in kinds)}")
            return None
        kind = kinds[0]
        name = self.string(spec, "name", path, default=calendar_id) or calendar_id
        description = self.string(spec, "description", path)
        if kind != "windows":
            self.keys(spec, path, optional=(*common, kind))
            return self.combined(calendar_id, spec, path, kind, name, description, built, failed)

        self.keys(
            spec,
            path,
            optional=(*common, "zone", "windows", "holidays", "open_on_holidays"),
        )
        before = len(self.problems)
        zone = self.string(spec, "zone", path, default=default_zone)
        if zone is None and "zone" not in spec:
            self.error(path, "missing key 'zone' (and [policy] has no valid zone to inherit)")
        elif zone is not None and (problem := _zone_error(zone)):
            self.error(_join(path, "zone"), problem)
        windows, summary = self.windows(spec, _join(path, "windows"))
        holiday_id = self.string(spec, "holidays", path)
        open_on_holidays = self.boolean(spec, "open_on_holidays", path, default=holiday_id is None)
        dates: frozenset[date] = frozenset()
        if holiday_id is not None:
            if holiday_id not in holiday_rules:
                self.error(
                    _join(path, "holidays"), _known("holiday rule", holiday_id, holiday_rules)
                )
            elif (rule := holiday_rules[holiday_id]) is not None:
                dates = rule.dates
        elif not open_on_holidays:
            self.error(
                _join(path, "open_on_holidays"),
                'false needs a holidays rule to close on (add holidays = "<rule id>")',
            )
        if len(self.problems) > before or zone is None or windows is None:
            return None
        try:
            calendar = Calendar(
                zone=zone,
                windows=tuple(windows),
                holidays=dates,
                open_on_holidays=open_on_holidays,
                name=calendar_id,
            )
        except CalendarError as exc:
            self.error(path, str(exc))
            return None
        if description is None:
            closed = (
                f"closed on {holiday_id} holidays" if not open_on_holidays else "open on holidays"
            )
            description = f"{summary} {zone}, {closed}"
        return CalendarSpec(
            id=calendar_id,
            name=name,
            zone=zone,
            description=description,
            holidays=holiday_id,
            open_on_holidays=open_on_holidays,
            calendar=calendar,
            kind="windows",
            windows=tuple(windows),
        )

    def combined(
        self,
        calendar_id: str,
        spec: _Table,
        path: str,
        kind: str,
        name: str,
        description: str | None,
        built: Mapping[str, CalendarSpec],
        failed: set[str],
    ) -> CalendarSpec | None:
        key_path = _join(path, kind)
        refs = self.strings(spec, kind, path)
        if refs is None:
            return None
        if not refs:
            self.error(key_path, f"a {kind} needs at least one calendar")
            return None
        parts: list[AnyCalendar] = []
        ok = True
        for index, ref in enumerate(refs):
            if ref == calendar_id:
                ok = False  # reported by calendar_order()
            elif ref in built:
                parts.append(built[ref].calendar)
            elif ref in failed:
                ok = False  # its own problems are reported where it is defined
            elif ref not in (*built, *failed):
                known = {*built, *failed} - {calendar_id}
                self.error(_join(key_path, index), _known("calendar", ref, known))
                ok = False
            else:
                ok = False
        if not ok:
            return None
        combine = union if kind == "union" else intersection
        zones = {built[ref].zone for ref in refs}
        zone = zones.pop() if len(zones) == 1 else "mixed"
        return CalendarSpec(
            id=calendar_id,
            name=name,
            zone=zone,
            description=description or f"{kind} of {', '.join(refs)}",
            holidays=None,
            open_on_holidays=True,
            calendar=combine(*parts, name=calendar_id),
            kind=kind,
            parts=tuple(refs),
        )

    def windows(self, spec: _Table, path: str) -> tuple[list[Window] | None, str]:
        """Parse the ``windows`` array; return the windows and a short human summary."""
        value = spec.get("windows", _MISSING)
        if not isinstance(value, list) or not value:
            self.error(
                path,
                'expected an array of windows such as [{ days = "Mon-Fri", from = "09:00", '
                f'to = "17:00" }}], got {_show(value)}',
            )
            return None, ""
        result: list[Window] = []
        summaries: list[str] = []
        ok = True
        for index, item in enumerate(value):
            item_path = _join(path, index)
            if not isinstance(item, dict):
                self.error(item_path, f"expected a table, got {_show(item)}")
                ok = False
                continue
            parsed = self.window(item, item_path)
            if parsed is None:
                ok = False
                continue
            windows, summary = parsed
            result.extend(windows)
            summaries.append(summary)
        return (result if ok else None), ", ".join(summaries)

    def window(self, item: _Table, path: str) -> tuple[list[Window], str] | None:
        """Parse one window: daily (``days`` + ``HH:MM``) or spanning (``Fri 17:00``)."""
        daily = "days" in item
        self.keys(item, path, required=("from", "to"), optional=("days",) if daily else ())
        texts: dict[str, str] = {}
        for key in ("days", "from", "to") if daily else ("from", "to"):
            value = item.get(key, _MISSING)
            if value is _MISSING:
                continue
            if not isinstance(value, str):
                self.error(_join(path, key), f"expected a string, got {_show(value)}")
            else:
                texts[key] = value
        if len(texts) != (3 if daily else 2):
            return None
        if daily:
            return self.daily_window(texts, path)
        return self.spanning_window(texts, path)

    def daily_window(self, texts: Mapping[str, str], path: str) -> tuple[list[Window], str] | None:
        days: list[int] | None = None
        start: time | None = None
        end: time | None = None
        ok = True
        try:
            days = _parse_days(texts["days"])
        except ValueError as exc:
            self.error(_join(path, "days"), str(exc))
            ok = False
        try:
            start = _parse_time(texts["from"], allow_24=False)
        except ValueError as exc:
            self.error(_join(path, "from"), str(exc))
            ok = False
        try:
            end = _parse_time(texts["to"], allow_24=True)
        except ValueError as exc:
            self.error(_join(path, "to"), str(exc))
            ok = False
        if not ok or days is None or start is None:
            return None
        if end is not None and end <= start:
            self.error(
                _join(path, "to"),
                f"{texts['to']!r} is not after from {texts['from']!r} (for a window past "
                'midnight write it spanning days: { from = "Mon 22:00", to = "Tue 06:00" })',
            )
            return None
        windows = [Window.at(start_day=day, start=start, end_day=day, end=end) for day in days]
        return windows, f"{texts['days']} {texts['from']}-{texts['to']}"

    def spanning_window(
        self, texts: Mapping[str, str], path: str
    ) -> tuple[list[Window], str] | None:
        points: list[tuple[int, time | None]] = []
        for key in ("from", "to"):
            text = texts[key]
            day_text, _, time_text = text.strip().partition(" ")
            if not time_text:
                self.error(
                    _join(path, key),
                    f'bad {key} {text!r} (expected "Fri 17:00", or add days = "Mon-Fri" '
                    "for a daily window)",
                )
                continue
            try:
                day = _parse_weekday(day_text)
                moment = _parse_time(time_text.strip(), allow_24=(key == "to"))
            except ValueError as exc:
                self.error(_join(path, key), str(exc))
                continue
            points.append((day, moment))
        if len(points) != 2:
            return None
        (start_day, start), (end_day, end) = points
        assert start is not None  # from never allows 24:00
        try:
            window = Window.at(start_day=start_day, start=start, end_day=end_day, end=end)
        except CalendarError:
            self.error(
                path,
                f"window {texts['from']!r} to {texts['to']!r} is empty (for the whole week "
                'write { from = "Mon 00:00", to = "Sun 24:00" })',
            )
            return None
        return [window], f"{texts['from']} - {texts['to']}"

    # -- [severities.<id>] and [production] ------------------------------------------------------

    def severities(self, data: _Table) -> dict[str, Severity] | None:
        table = self.table(data, "severities", "")
        if table is None:
            return None
        if not table:
            self.error("severities", "define at least one severity level")
            return None
        result: dict[str, Severity] = {}
        ranks: dict[int, str] = {}
        ok = True
        for severity_id, spec in table.items():
            path = _join("severities", severity_id)
            if not self.identifier(severity_id, path, "severity"):
                ok = False
                continue
            if not isinstance(spec, dict):
                self.error(path, f"expected a table, got {_show(spec)}")
                ok = False
                continue
            self.keys(spec, path, required=("name", "rank"), optional=("characteristics",))
            name = self.string(spec, "name", path)
            characteristics = self.strings(spec, "characteristics", path)
            rank = spec.get("rank")
            if "rank" in spec and (isinstance(rank, bool) or not isinstance(rank, int) or rank < 1):
                self.error(_join(path, "rank"), f"expected a whole number >= 1, got {_show(rank)}")
                rank = None
            elif isinstance(rank, int) and rank in ranks:
                self.error(
                    _join(path, "rank"),
                    f"rank {rank} is already used by severity {ranks[rank]!r}",
                )
                rank = None
            if name is None or characteristics is None or not isinstance(rank, int):
                ok = False
                continue
            ranks[rank] = severity_id
            result[severity_id] = Severity(
                id=severity_id, name=name, characteristics=tuple(characteristics), rank=rank
            )
        if not ok:
            return None
        return dict(sorted(result.items(), key=lambda item: item[1].rank))

    def production(
        self, data: _Table, severities: Mapping[str, Severity] | None
    ) -> ProductionRule | None:
        table = self.table(data, "production", "")
        if table is None:
            return None
        path = "production"
        self.keys(
            table,
            path,
            required=("non_production_severity",),
            optional=("agent_may_override", "description"),
        )
        level = self.string(table, "non_production_severity", path)
        may_override = self.boolean(table, "agent_may_override", path, default=True)
        description = self.string(table, "description", path, default="") or ""
        if level is None:
            return None
        if severities is not None and level not in severities:
            self.error(
                _join(path, "non_production_severity"),
                _known("severity", level, severities) + "; it must be a defined level",
            )
            return None
        return ProductionRule(
            non_production_severity=level,
            agent_may_override=may_override,
            description=description,
        )

    # -- [plans.<id>] ---------------------------------------------------------------------------

    def plans(
        self,
        data: _Table,
        severities: Mapping[str, Severity] | None,
        calendar_ids: set[str] | None,
        calendars: Mapping[str, CalendarSpec],
    ) -> dict[str, Plan]:
        table = self.table(data, "plans", "")
        if table is None:
            return {}
        if not table:
            self.error("plans", "define at least one plan")
        result: dict[str, Plan] = {}
        for plan_id, spec in table.items():
            path = _join("plans", plan_id)
            if not self.identifier(plan_id, path, "plan"):
                continue
            if not isinstance(spec, dict):
                self.error(path, f"expected a table, got {_show(spec)}")
                continue
            plan = self.plan(plan_id, spec, path, severities, calendar_ids, calendars)
            if plan is not None:
                result[plan_id] = plan
        return result

    def plan(
        self,
        plan_id: str,
        spec: _Table,
        path: str,
        severities: Mapping[str, Severity] | None,
        calendar_ids: set[str] | None,
        calendars: Mapping[str, CalendarSpec],
    ) -> Plan | None:
        self.keys(
            spec,
            path,
            required=("name", "entitlements", "first_response"),
            optional=("marketing_name", "includes", "next_reply", "resolution"),
        )
        before = len(self.problems)
        name = self.string(spec, "name", path)
        marketing_name = self.string(spec, "marketing_name", path, default=name)
        includes = self.strings(spec, "includes", path)
        entitlements_table = self.table(spec, "entitlements", path)
        entitlements = (
            self.entitlements(entitlements_table, _join(path, "entitlements"), severities)
            if entitlements_table is not None
            else None
        )
        targets: dict[str, dict[str, Target]] = {}
        for key in ("first_response", "next_reply", "resolution"):
            target_table = self.table(spec, key, path)
            if target_table is not None:
                found = self.targets(
                    target_table,
                    _join(path, key),
                    severities,
                    calendar_ids,
                    calendars,
                    complete=(key == "first_response"),
                )
                if found is not None:
                    targets[key] = found
        if len(self.problems) > before or name is None or entitlements is None:
            return None
        return Plan(
            id=plan_id,
            name=name,
            marketing_name=marketing_name or name,
            includes=tuple(includes or ()),
            entitlements=entitlements,
            first_response=targets["first_response"],
            next_reply=targets.get("next_reply", {}),
            resolution=targets.get("resolution", {}),
        )

    def entitlements(
        self, table: _Table, path: str, severities: Mapping[str, Severity] | None
    ) -> Entitlements | None:
        flags = (
            "named_contacts_required",
            "senior_routing",
            "development_priority",
            "screen_sharing",
            "health_checks",
            "deployment_advisory",
            "onboarding",
            "roadmap_influence",
        )
        self.keys(
            table,
            path,
            required=("channels",),
            optional=(
                *flags,
                "named_contact_limit",
                "non_production_environments",
                "weekend_coverage_levels",
            ),
        )
        before = len(self.problems)
        channels = self.strings(table, "channels", path)
        if channels is not None:
            seen: set[str] = set()
            for index, channel in enumerate(channels):
                item_path = _join(_join(path, "channels"), index)
                if channel not in CHANNELS:
                    self.error(item_path, _known("channel", channel, CHANNELS))
                elif channel in seen:
                    self.error(item_path, f"channel {channel!r} is listed twice")
                seen.add(channel)
        values = {flag: self.boolean(table, flag, path, default=False) for flag in flags}
        limit = self.limit(table, "named_contact_limit", path, default=None)
        environments = self.limit(table, "non_production_environments", path, default=0)
        levels = self.strings(table, "weekend_coverage_levels", path)
        if levels is not None and severities is not None:
            for index, level in enumerate(levels):
                if level not in severities:
                    self.error(
                        _join(_join(path, "weekend_coverage_levels"), index),
                        _known("severity", level, severities),
                    )
        if len(self.problems) > before or channels is None or levels is None:
            return None
        return Entitlements(
            channels=frozenset(channels),
            email_support="email" in channels,
            named_contacts_required=values["named_contacts_required"],
            named_contact_limit=limit,
            non_production_environments=environments,
            senior_routing=values["senior_routing"],
            development_priority=values["development_priority"],
            weekend_coverage_levels=frozenset(levels),
            screen_sharing=values["screen_sharing"],
            health_checks=values["health_checks"],
            deployment_advisory=values["deployment_advisory"],
            onboarding=values["onboarding"],
            roadmap_influence=values["roadmap_influence"],
        )

    def targets(
        self,
        table: _Table,
        path: str,
        severities: Mapping[str, Severity] | None,
        calendar_ids: set[str] | None,
        calendars: Mapping[str, CalendarSpec],
        *,
        complete: bool,
    ) -> dict[str, Target] | None:
        """Parse a severity -> target table; ``complete`` requires every level."""
        before = len(self.problems)
        result: dict[str, Target] = {}
        for level, spec in table.items():
            target_path = _join(path, level)
            if severities is not None and level not in severities:
                self.error(target_path, _known("severity", level, severities))
                continue
            target = self.target(spec, target_path, calendar_ids, calendars)
            if target is not None:
                result[level] = target
        if complete and severities is not None:
            missing = [level for level in severities if level not in table]
            if missing:
                self.error(path, f"missing target for {', '.join(missing)}")
        if len(self.problems) > before:
            return None
        if severities is not None:
            result = {level: result[level] for level in severities if level in result}
        return result

    def target(
        self,
        spec: object,
        path: str,
        calendar_ids: set[str] | None,
        calendars: Mapping[str, CalendarSpec],
    ) -> Target | None:
        if not isinstance(spec, dict):
            self.error(
                path,
                'expected a table like { within = "4h", calendar = "weekday_24x5" }, '
                f"got {_show(spec)}",
            )
            return None
        if "within" in spec and "rule" in spec:
            self.error(path, "give either 'within' or 'rule', not both")
            return None
        if "rule" in spec:
            self.keys(spec, path, required=("rule", "calendar", "at"))
        elif "within" in spec:
            self.keys(spec, path, required=("within", "calendar"))
        else:
            self.keys(spec, path, optional=("within", "rule", "calendar", "at"))
            self.error(
                path,
                "missing 'within' (a duration such as \"4h\") or 'rule' (\"next_business_day\")",
            )
            return None
        before = len(self.problems)
        calendar_id = self.string(spec, "calendar", path)
        if calendar_id is not None and calendar_ids is not None and calendar_id not in calendar_ids:
            self.error(_join(path, "calendar"), _known("calendar", calendar_id, calendar_ids))
        if "within" in spec:
            text = self.string(spec, "within", path)
            within: timedelta | None = None
            if text is not None:
                try:
                    within = parse_duration(text)
                except ValueError as exc:
                    self.error(_join(path, "within"), str(exc))
            if len(self.problems) > before or calendar_id is None or within is None:
                return None
            return Target(kind="duration", calendar=calendar_id, within=within)

        rule = self.string(spec, "rule", path)
        if rule is not None and rule not in TARGET_RULES:
            self.error(_join(path, "rule"), _known("rule", rule, TARGET_RULES))
        at_text = self.string(spec, "at", path)
        at: time | None = None
        if at_text is not None:
            try:
                at = _parse_time(at_text, allow_24=False)
            except ValueError as exc:
                self.error(_join(path, "at"), str(exc))
        if (
            calendar_id is not None
            and calendar_id in calendars
            and calendars[calendar_id].zone == "mixed"
        ):
            self.error(
                _join(path, "calendar"),
                f"next_business_day needs a calendar in one time zone; {calendar_id!r} mixes zones",
            )
        if len(self.problems) > before or calendar_id is None or at is None or rule is None:
            return None
        return Target(kind=rule, calendar=calendar_id, at=at)

    # -- [contacts], [releases], [[exclusions]] ---------------------------------------------

    def contacts(self, data: _Table) -> ContactRules:
        table = self.table(data, "contacts", "")
        if table is None:
            return ContactRules(role_local_parts=frozenset(), end_users_supported=False)
        path = "contacts"
        self.keys(
            table,
            path,
            optional=(
                "role_local_parts",
                "end_users_supported",
                "company_domain_required",
                "refuse_role_addresses",
            ),
        )
        parts = self.strings(table, "role_local_parts", path) or []
        for index, part in enumerate(parts):
            if part != part.strip().lower() or not part or "@" in part:
                self.error(
                    _join(_join(path, "role_local_parts"), index),
                    f"{part!r} must be a lower-case mailbox name without '@' (e.g. 'support')",
                )
        scope = self.string(table, "refuse_role_addresses", path, default="named_contacts")
        if scope is not None and scope not in ROLE_ADDRESS_SCOPES:
            self.error(
                _join(path, "refuse_role_addresses"),
                _known("value", scope, ROLE_ADDRESS_SCOPES),
            )
        return ContactRules(
            role_local_parts=frozenset(parts),
            end_users_supported=self.boolean(table, "end_users_supported", path, default=False),
            company_domain_required=self.boolean(
                table, "company_domain_required", path, default=True
            ),
            refuse_role_addresses=scope or "named_contacts",
        )

    def releases(self, data: _Table) -> ReleaseRule:
        table = self.table(data, "releases", "")
        if table is None:
            return ReleaseRule(rule="vendor_lifecycle", extended_support_until_end=True)
        path = "releases"
        self.keys(table, path, required=("rule",), optional=("extended_support_until_end",))
        rule = self.string(table, "rule", path)
        if rule is not None and rule not in RELEASE_RULES:
            self.error(_join(path, "rule"), _known("release rule", rule, RELEASE_RULES))
        return ReleaseRule(
            rule=rule if rule in RELEASE_RULES else "vendor_lifecycle",
            extended_support_until_end=self.boolean(
                table, "extended_support_until_end", path, default=True
            ),
        )

    def exclusions(self, data: _Table) -> tuple[ScopeExclusion, ...]:
        value = data.get("exclusions", _MISSING)
        if value is _MISSING:
            return ()
        if not isinstance(value, list):
            self.error(
                "exclusions", f"expected an array of tables ([[exclusions]]), got {_show(value)}"
            )
            return ()
        result: list[ScopeExclusion] = []
        seen: dict[str, int] = {}
        for index, item in enumerate(value):
            path = _join("exclusions", index)
            if not isinstance(item, dict):
                self.error(path, f"expected a table, got {_show(item)}")
                continue
            self.keys(item, path, required=("id", "title", "reason"), optional=("pointer",))
            exclusion_id = self.string(item, "id", path)
            title = self.string(item, "title", path)
            reason = self.string(item, "reason", path)
            pointer = self.string(item, "pointer", path)
            if exclusion_id is not None:
                if exclusion_id in seen:
                    self.error(
                        _join(path, "id"),
                        f"duplicate exclusion id {exclusion_id!r} (also exclusions[{seen[exclusion_id]}])",
                    )
                    continue
                seen[exclusion_id] = index
                if not self.identifier(exclusion_id, _join(path, "id"), "exclusion"):
                    continue
            if exclusion_id is None or title is None or reason is None:
                continue
            result.append(
                ScopeExclusion(id=exclusion_id, title=title, reason=reason, pointer=pointer)
            )
        return tuple(result)


# --- Holiday materialisation ---------------------------------------------------------------


def _base_names(calendar: holidays_pkg.HolidayBase, name: str) -> tuple[str, bool]:
    """Return ``(name without the observed label, whether it had one)``."""
    label = getattr(calendar, "observed_label", "%s (observed)") or "%s (observed)"
    prefix, _, suffix = label.partition("%s")
    if (prefix or suffix) and name.startswith(prefix) and name.endswith(suffix):
        core = name[len(prefix) : len(name) - len(suffix)] if suffix else name[len(prefix) :]
        if core:
            return core, True
    return name, False


def _holiday_names(calendar: holidays_pkg.HolidayBase) -> set[str]:
    """Return every holiday name the package lists for the years, without observed labels."""
    names: set[str] = set()
    for day in calendar:
        for name in calendar.get_list(day):
            names.add(_base_names(calendar, name)[0])
    return names


def _holiday_dates(
    calendar: holidays_pkg.HolidayBase, *, observed: bool, only: Sequence[str]
) -> set[date]:
    """Return the closed dates: filtered by ``only`` and, if observed, observed dates only.

    The package lists both a weekend holiday's actual date and its observed weekday.
    The contract closes the observed date only ("the actual date, if it is a weekend,
    was closed anyway"), so an actual date whose observance moved is dropped unless
    another holiday falls on it.
    """
    wanted = set(only)
    entries: list[tuple[date, str, bool]] = []
    for day in sorted(calendar):
        for name in calendar.get_list(day):
            base, is_observed = _base_names(calendar, name)
            if not wanted or base in wanted:
                entries.append((day, base, is_observed))
    moved: set[tuple[date, str]] = set()
    if observed:
        for day, base, is_observed in entries:
            if not is_observed:
                continue
            for actual, other, other_observed in entries:
                if other == base and not other_observed and abs((actual - day).days) <= 7:
                    moved.add((actual, base))
    return {day for day, base, is_observed in entries if is_observed or (day, base) not in moved}
