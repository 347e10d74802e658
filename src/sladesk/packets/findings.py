"""Run the health-check rules (``data/rules.toml``) over facts and log summaries.

The rules are data: the generic checks (``fact``, ``compare``, ``log``, ``log_bursts``,
``jobs``) take their keys, operators and thresholds from the file. Three checks need
knowledge from outside the packet and are passed in through ``CheckContext``: the release
catalogue (``release_check``, a callable so this module stays free of Django), whether
the environment is production, and the current time (for stuck jobs).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import re
import tomllib
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

from sladesk.packets.results import Evidence, Fact, Finding, LogSummary

SEVERITIES = ("critical", "high", "medium", "low", "info")
CHECKS = frozenset(
    {
        "fact",
        "compare",
        "release",
        "database_minimum",
        "cluster_versions",
        "jobs",
        "log",
        "log_bursts",
    }
)
FACT_OPS = frozenset({"equals", "not_equals", "in", "empty", "not_empty", "starts_with", "true"})


class RulesError(ValueError):
    """The rules file is invalid; the message names the rule and the key."""


@dataclass(frozen=True, slots=True)
class ReleaseVerdict:
    """What the release catalogue says about a version (``supported`` ``None``: unknown)."""

    supported: bool | None
    message: str


ReleaseCheck = Callable[[str], ReleaseVerdict]


def release_check_from_lines(lines: Iterable[str]) -> ReleaseCheck:
    """Return a release check that supports exactly these release lines (``"11.7"``)."""
    supported = {line.strip().removeprefix("v") for line in lines}

    def check(version: str) -> ReleaseVerdict:
        match = re.match(r"v?(\d+)\.(\d+)", version.strip())
        if not match:
            return ReleaseVerdict(supported=None, message=f"{version!r} is not a release number")
        line = f"{match.group(1)}.{match.group(2)}"
        if line in supported:
            return ReleaseVerdict(
                supported=True, message=f"{version} is on a supported line ({line})"
            )
        listed = ", ".join(sorted(supported, reverse=True)) or "none"
        return ReleaseVerdict(
            supported=False, message=f"{version} is not a supported release (supported: {listed})"
        )

    return check


@dataclass(frozen=True, slots=True)
class CheckContext:
    """What the rules need from outside the packet."""

    release_check: ReleaseCheck | None = None
    production: bool | None = None
    now: dt.datetime | None = None


@dataclass(frozen=True, slots=True)
class Rule:
    id: str
    severity: str
    title: str
    check: str
    suggestion: str
    detail: str = ""
    options: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class DatabaseMinimum:
    database: str
    server_from: tuple[int, int]
    minimum: str
    source: str


@dataclass(frozen=True, slots=True)
class Ruleset:
    rules: tuple[Rule, ...]
    database_minimums: tuple[DatabaseMinimum, ...]


def _version_tuple(text: str) -> tuple[int, ...] | None:
    match = re.match(r"\s*v?(\d+)(?:\.(\d+))?(?:\.(\d+))?", str(text))
    if not match:
        return None
    return tuple(int(g) for g in match.groups() if g is not None)


def ruleset_parse(text: str, *, name: str = "rules.toml") -> Ruleset:
    """Parse and validate a rules file; ``RulesError`` names the first problem."""
    try:
        raw = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise RulesError(f"{name}: not valid TOML: {exc}") from None
    rules: list[Rule] = []
    seen: set[str] = set()
    for index, item in enumerate(raw.get("rule", []), start=1):
        where = f"{name}: rule {index}"
        for key in ("id", "severity", "title", "check", "suggestion"):
            if not isinstance(item.get(key), str) or not item[key]:
                raise RulesError(f"{where}: {key} is required")
        where = f"{name}: rule {item['id']!r}"
        if item["id"] in seen:
            raise RulesError(f"{where}: duplicate id")
        seen.add(item["id"])
        if item["severity"] not in SEVERITIES:
            raise RulesError(f"{where}: severity must be one of {', '.join(SEVERITIES)}")
        if item["check"] not in CHECKS:
            raise RulesError(f"{where}: unknown check {item['check']!r}")
        if item["check"] == "fact" and item.get("op") not in FACT_OPS:
            raise RulesError(f"{where}: op must be one of {', '.join(sorted(FACT_OPS))}")
        if "pattern" in item:
            try:
                re.compile(item["pattern"])
            except re.error as exc:
                raise RulesError(f"{where}: pattern is not a valid regex: {exc}") from None
        options = {
            k: v
            for k, v in item.items()
            if k not in {"id", "severity", "title", "check", "suggestion", "detail"}
        }
        rules.append(
            Rule(
                item["id"],
                item["severity"],
                item["title"],
                item["check"],
                item["suggestion"],
                item.get("detail", ""),
                options,
            )
        )
    minimums: list[DatabaseMinimum] = []
    for item in raw.get("database_minimum", []):
        server_from = _version_tuple(item.get("server_from", ""))
        if server_from is None or len(server_from) < 2:
            raise RulesError(f"{name}: database_minimum server_from must be MAJOR.MINOR")
        minimums.append(
            DatabaseMinimum(
                str(item["database"]).lower(),
                (server_from[0], server_from[1]),
                str(item.get("minimum", "")),
                str(item.get("source", "")),
            )
        )
    minimums.sort(key=lambda m: m.server_from, reverse=True)
    return Ruleset(tuple(rules), tuple(minimums))


@cache
def shipped_ruleset() -> Ruleset:
    """Return the rules that ship with sladesk."""
    text = (resources.files("sladesk.packets") / "data" / "rules.toml").read_text("utf-8")
    return ruleset_parse(text)


def ruleset_load(path: Path | None) -> Ruleset:
    """Return the rules in ``path``, or the shipped ones when ``path`` is ``None``."""
    if path is None:
        return shipped_ruleset()
    return ruleset_parse(path.read_text("utf-8"), name=path.name)


# Facts access ------------------------------------------------------------------------------


class FactIndex:
    """Look facts up by key: the packet-wide value first, then the first node's."""

    def __init__(self, facts: Sequence[Fact]) -> None:
        self.facts = facts
        self._first: dict[str, Fact] = {}
        for fact in facts:
            known = self._first.get(fact.key)
            if known is None or (known.node and not fact.node):
                self._first[fact.key] = fact

    def get(self, key: str) -> Fact | None:
        return self._first.get(key)

    def value(self, key: str) -> Any:
        fact = self._first.get(key)
        return None if fact is None else fact.value

    def all(self, key: str) -> list[Fact]:
        return [f for f in self.facts if f.key == key]


def _fill(template: str, index: FactIndex, extra: dict[str, Any] | None = None) -> str:
    extra = extra or {}

    def replace(match: re.Match[str]) -> str:
        key = match.group(1)
        if key in extra:
            return str(extra[key])
        value = index.value(key)
        if isinstance(value, list):
            return "; ".join(str(v) for v in value[:5])
        return "?" if value is None else str(value)

    return re.sub(r"\{([a-z_.]+)\}", replace, template)


def _finding(rule: Rule, detail: str, evidence: Iterable[Evidence]) -> Finding:
    return Finding(rule.id, rule.severity, rule.title, detail, rule.suggestion, tuple(evidence))


# Checks ------------------------------------------------------------------------------------


def _fact_matches(value: Any, op: str, expected: Any) -> bool:
    text = "" if value is None else str(value).strip()
    if op == "empty":
        return value is not None and text == ""
    if value is None:
        return False
    if op == "not_empty":
        return text != "" and value != []
    if op == "true":
        return value is True or text.lower() == "true"
    if op == "equals":
        return text.lower() == str(expected).lower()
    if op == "not_equals":
        return text.lower() != str(expected).lower()
    if op == "in":
        return text.lower() in {str(v).lower() for v in expected}
    if op == "starts_with":
        return text.lower().startswith(str(expected).lower())
    return False


def _check_fact(rule: Rule, index: FactIndex, context: CheckContext) -> list[Finding]:
    if rule.options.get("production_only") and context.production is False:
        return []
    found: list[Finding] = []
    seen_values: set[str] = set()
    for fact in index.all(rule.options["fact"]) or []:
        if not _fact_matches(fact.value, rule.options["op"], rule.options.get("value")):
            continue
        if str(fact.value) in seen_values:  # the same value on every node: one finding
            continue
        seen_values.add(str(fact.value))
        detail = _fill(rule.detail, index) if rule.detail else f"{fact.key} = {fact.value!r}"
        found.append(_finding(rule, detail, [Evidence(fact.source, f"{fact.key}: {fact.value}")]))
    return found[:1] if found else []


def _check_compare(rule: Rule, index: FactIndex) -> list[Finding]:
    left, right = index.get(rule.options["left"]), index.get(rule.options["right"])
    if left is None or right is None:
        return []
    try:
        a, b = float(str(left.value)), float(str(right.value))
    except ValueError:
        return []
    op = rule.options.get("op", "gt")
    if (op == "gt" and a > b) or (op == "lt" and a < b):
        detail = (
            _fill(rule.detail, index) if rule.detail else f"{left.key} {a:g} vs {right.key} {b:g}"
        )
        return [
            _finding(
                rule,
                detail,
                [
                    Evidence(left.source, f"{left.key}: {left.value}"),
                    Evidence(right.source, f"{right.key}: {right.value}"),
                ],
            )
        ]
    return []


def _check_release(rule: Rule, index: FactIndex, context: CheckContext) -> list[Finding]:
    if context.release_check is None:
        return []
    found: list[Finding] = []
    seen: set[str] = set()
    for fact in index.all("server.version"):
        version = str(fact.value)
        if version in seen:
            continue
        seen.add(version)
        verdict = context.release_check(version)
        if verdict.supported is False:
            found.append(
                _finding(
                    rule, verdict.message, [Evidence(fact.source, f"server.version: {version}")]
                )
            )
    return found


def _check_database(rule: Rule, index: FactIndex, ruleset: Ruleset) -> list[Finding]:
    db_type, db_version, server = (
        index.get("database.type"),
        index.get("database.version"),
        index.get("server.version"),
    )
    if db_type is None or server is None:
        return []
    kind = str(db_type.value).lower()
    kind = "postgres" if kind.startswith("postgres") else kind
    server_version = _version_tuple(str(server.value))
    if server_version is None or len(server_version) < 2:
        return []
    for row in ruleset.database_minimums:
        if row.database != kind or server_version[:2] < row.server_from:
            continue
        evidence = [
            Evidence(db_type.source, f"database.type: {db_type.value}"),
            Evidence(server.source, f"server.version: {server.value}"),
        ]
        if not row.minimum:
            detail = f"{db_type.value} is not supported from server {row.server_from[0]}.{row.server_from[1]} ({row.source})"
            return [_finding(rule, detail, evidence)]
        if db_version is None:
            return []
        have, need = _version_tuple(str(db_version.value)), _version_tuple(row.minimum)
        if have is None or need is None or have >= need:
            return []
        evidence.insert(1, Evidence(db_version.source, f"database.version: {db_version.value}"))
        detail = (
            f"{db_type.value} {db_version.value} is below {row.minimum}, the minimum for server "
            f"{row.server_from[0]}.{row.server_from[1]} and later ({row.source})"
        )
        return [_finding(rule, detail, evidence)]
    return []


def _check_cluster(rule: Rule, index: FactIndex) -> list[Finding]:
    by_node = {f.node: f for f in index.all("server.version") if f.node}
    versions = {str(f.value) for f in by_node.values()}
    if len(versions) < 2:
        return []
    detail = "; ".join(f"{node}: {fact.value}" for node, fact in sorted(by_node.items()))
    evidence = [Evidence(f.source, f"{node}: {f.value}") for node, f in sorted(by_node.items())]
    return [_finding(rule, f"Nodes disagree: {detail}", evidence)]


def _millis(value: Any) -> dt.datetime | None:
    if isinstance(value, int | float) and value > 0:
        return dt.datetime.fromtimestamp(value / 1000, tz=dt.UTC)
    return None


def _check_jobs(rule: Rule, index: FactIndex, context: CheckContext) -> list[Finding]:
    statuses = set(rule.options.get("status", []))
    stuck_hours = rule.options.get("stuck_after_hours")
    generated = index.value("packet.generated_at")
    reference = context.now
    if isinstance(generated, str):
        with contextlib.suppress(ValueError):
            reference = dt.datetime.fromisoformat(generated)
    matched: list[tuple[Fact, dict[str, Any]]] = []
    for fact in index.all("jobs.recent"):
        job = fact.value if isinstance(fact.value, dict) else {}
        if job.get("status") not in statuses:
            continue
        if stuck_hours is not None:
            last = _millis(job.get("last_activity_at")) or _millis(job.get("create_at"))
            if (
                last is None
                or reference is None
                or reference - last < dt.timedelta(hours=float(stuck_hours))
            ):
                continue
        matched.append((fact, job))
    if not matched:
        return []
    kinds: dict[str, int] = {}
    for _, job in matched:
        kinds[str(job.get("type"))] = kinds.get(str(job.get("type")), 0) + 1
    summary = ", ".join(f"{n} {kind}" for kind, n in sorted(kinds.items()))
    evidence = [
        Evidence(
            fact.source,
            f"{job.get('type')} {job.get('status')}"
            + (f": {job.get('error')}" if job.get("error") else ""),
        )
        for fact, job in matched[:10]
    ]
    return [_finding(rule, f"{len(matched)} job(s): {summary}", evidence)]


def _check_log(rule: Rule, logs: Sequence[LogSummary], index: FactIndex) -> list[Finding]:
    pattern = re.compile(rule.options["pattern"])
    levels = set(rule.options.get("levels", ["error"]))
    minimum = int(rule.options.get("min_count", 1))
    for log in logs:
        hits = [
            b
            for b in log.bursts
            if b.level in levels and (pattern.search(b.message) or pattern.search(b.example))
        ]
        count = sum(b.count for b in hits)
        if not hits or count < minimum:
            continue
        top = hits[0]
        extra = {
            "count": count,
            "message": top.example,
            "first_time": min(b.first_time for b in hits),
            "last_time": max(b.last_time for b in hits),
            "level": top.level,
        }
        evidence = [
            Evidence(f"{log.path}:{b.first_line}", f"{b.count}x {b.level}: {b.example[:200]}")
            for b in hits[:5]
        ]
        return [_finding(rule, _fill(rule.detail, index, extra), evidence)]
    return []


def _check_bursts(rule: Rule, logs: Sequence[LogSummary], index: FactIndex) -> list[Finding]:
    levels = set(rule.options.get("levels", ["error"]))
    minimum = int(rule.options.get("min_count", 1))
    found: list[Finding] = []
    for log in logs:
        for burst in log.bursts:
            if burst.level not in levels or burst.count < minimum:
                continue
            extra = {
                "count": burst.count,
                "message": burst.example,
                "first_time": burst.first_time,
                "last_time": burst.last_time,
                "level": burst.level,
            }
            evidence = [Evidence(f"{log.path}:{burst.first_line}", burst.example[:300])]
            found.append(_finding(rule, _fill(rule.detail, index, extra), evidence))
            if len(found) >= 10:
                return found
    return found


def findings_run(
    *,
    facts: Sequence[Fact],
    logs: Sequence[LogSummary],
    context: CheckContext,
    ruleset: Ruleset | None = None,
) -> list[Finding]:
    """Return every finding, most severe first (then in rule order)."""
    ruleset = ruleset or shipped_ruleset()
    index = FactIndex(facts)
    found: list[Finding] = []
    for rule in ruleset.rules:
        if rule.check == "fact":
            found += _check_fact(rule, index, context)
        elif rule.check == "compare":
            found += _check_compare(rule, index)
        elif rule.check == "release":
            found += _check_release(rule, index, context)
        elif rule.check == "database_minimum":
            found += _check_database(rule, index, ruleset)
        elif rule.check == "cluster_versions":
            found += _check_cluster(rule, index)
        elif rule.check == "jobs":
            found += _check_jobs(rule, index, context)
        elif rule.check == "log":
            found += _check_log(rule, logs, index)
        elif rule.check == "log_bursts":
            found += _check_bursts(rule, logs, index)
    order = {s: n for n, s in enumerate(SEVERITIES)}
    return sorted(found, key=lambda f: order[f.severity])
