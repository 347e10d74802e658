"""Read server logs of any size in bounded memory: level counts and error bursts.

Two formats (``../shared/facts/mattermost-formats.md`` section 3):

* JSON lines from the vendor's ``logr`` formatter: ``timestamp``, ``level``, ``msg``,
  ``caller``, then fields. Timestamps come as ``2024-04-01 04:18:32.410 +09:00`` /
  ``... Z`` (the code default) or ISO 8601 ``2025-01-15T14:32:01.123Z``.
* Plain text: ``ERRO[2020-04-12T23:41:46.351171+10:00] Failed to ping DB  caller=...``
  (older console output) or ``2026-05-20 13:58:05.118 Z error Failed to ping DB ...``.

``LogReader.feed`` takes whole lines (already redacted) and only looks closely at lines
whose level is warn or worse, found with one regex over the block; other lines are only
counted. Memory is the block plus at most ``max_groups`` message groups.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial

from sladesk.packets.results import Burst, LogSummary

#: Levels counted in JSON logs (``server/public/shared/mlog/levels.go``).
LEVELS = ("panic", "fatal", "error", "warn", "info", "debug", "trace", "critical")
BAD_LEVELS = frozenset({"panic", "fatal", "error", "critical"})
_LEVEL_ALIASES = {
    "erro": "error",
    "err": "error",
    "warning": "warn",
    "fata": "fatal",
    "pani": "panic",
    "crit": "critical",
    "info": "info",
    "debu": "debug",
    "dbug": "debug",
    "trac": "trace",
}
_HOT_LEVELS = rb"(?:[Ee]rror|ERROR|[Ff]atal|FATAL|[Pp]anic|PANIC|[Cc]ritical|CRITICAL|[Ww]arn(?:ing)?|WARN(?:ING)?)"
_JSON_HOT = re.compile(rb'"level":\s?"(' + _HOT_LEVELS + rb')"')
_JSON_MSG = re.compile(rb'"msg":\s?"((?:[^"\\]|\\.)*)"')
_JSON_TS = re.compile(rb'"timestamp":\s?"([^"]{8,40})"')
_JSON_HEAD = re.compile(
    rb'\{"timestamp":\s?"([^"]{8,40})",\s?"level":\s?"[^"]*",\s?"msg":\s?"((?:[^"\\]|\\.)*)"'
)
_JSON_ERR = re.compile(rb'"error":\s?"((?:[^"\\]|\\.)*)"')
_PLAIN_LINE = re.compile(
    rb"^(?:(?P<lvl>[A-Za-z]{3,8})\s*\[(?P<ts>[^\]]{8,40})\]"
    rb"|(?P<ts2>\d{4}-\d\d-\d\d[T ]\d\d:\d\d:\d\d(?:[.,]\d+)?(?:\s?(?:Z|[+-]\d\d:?\d\d))?)\s+\[?(?P<lvl2>[A-Za-z]{3,8})\]?)"
    rb"[ \t:]+(?P<msg>[^\r\n]*)",
    re.M,
)
_PLAIN_FIELDS = re.compile(r"\s{2,}|\s(?=[a-z_]+=)")
_PLAIN_ERR = re.compile(rb'error="((?:[^"\\]|\\.)*)"')

_NORMALISERS: tuple[tuple[re.Pattern[str], str], ...] = (
    (
        re.compile(r"\b[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\b", re.I),
        "<uuid>",
    ),
    (re.compile(r"\b[a-z0-9]{26}\b"), "<id>"),
    (re.compile(r"\b\d{1,3}(?:\.\d{1,3}){3}(?::\d+)?\b"), "<ip>"),
    (re.compile(r"\b0x[0-9a-f]+\b|\b[0-9a-f]{12,}\b", re.I), "<hex>"),
    (re.compile(r"\d+"), "<n>"),
    (re.compile(r'"[^"]{0,200}"'), '"<s>"'),
)


def normalise_message(text: str) -> str:
    """Return ``text`` with ids, addresses, numbers and quoted values replaced by markers."""
    out = text.strip()[:300]
    for pattern, marker in _NORMALISERS:
        out = pattern.sub(marker, out)
    return out


def parse_log_time(text: str) -> dt.datetime | None:
    """Parse either timestamp layout (and the plain logs' ISO one); ``None`` if neither."""
    value = text.strip()
    if value.endswith(" Z"):
        value = value[:-2] + "+00:00"
    value = re.sub(r" ([+-]\d\d):?(\d\d)$", r"\1:\2", value)
    value = value.replace(",", ".")
    try:
        parsed = dt.datetime.fromisoformat(value)
    except ValueError:
        return None
    return parsed if parsed.tzinfo is not None else parsed.replace(tzinfo=dt.UTC)


def iso_time(text: str) -> str:
    """Return ``text`` as an ISO 8601 instant in UTC when it parses, else unchanged."""
    parsed = parse_log_time(text)
    return parsed.astimezone(dt.UTC).isoformat() if parsed else text


def _json_error(block: bytes, start: int, end: int) -> str:
    match = _JSON_ERR.search(block, start, end)
    return _unescape(match.group(1)) if match else ""


def _plain_error(text: bytes) -> str:
    match = _PLAIN_ERR.search(text)
    return _unescape(match.group(1)) if match else ""


def _unescape(raw: bytes) -> str:
    try:
        value = json.loads(b'"' + raw + b'"')
        return value if isinstance(value, str) else raw.decode("utf-8", "replace")
    except ValueError:
        return raw.decode("utf-8", "replace")


@dataclass(slots=True)
class _Group:
    level: str
    message: str
    count: int
    first_time: str
    last_time: str
    first_line: int
    last_line: int
    example: str


class LogReader:
    """Summarise a log fed as blocks of whole lines (see the module doc)."""

    def __init__(self, path: str, *, max_groups: int = 5_000, top: int = 100) -> None:
        self.path = path
        self.format = ""
        self.bytes = 0
        self.lines = 0
        self.levels: dict[str, int] = {}
        self.first_time = ""
        self.last_time = ""
        self.unparsed = 0
        self.groups: dict[tuple[str, str], _Group] = {}
        self.groups_dropped = 0
        self._max_groups = max_groups
        self._top = top
        self._norm_cache: dict[bytes, str] = {}
        self._ends_open = False
        self._level_tokens: tuple[tuple[str, bytes], ...] = ()

    # Feeding ------------------------------------------------------------------------------

    def feed(self, block: bytes) -> None:
        """Read a block of whole lines (the last may lack its newline only at the end)."""
        if not block:
            return
        if not self.format:
            head = block.lstrip()[:1]
            if not head:
                self.bytes += len(block)
                self.lines += block.count(b"\n")
                return
            self.format = "json" if head == b"{" else "plain"
            spaced = b'"level": "' in block[:4096]
            token = b'"level": "' if spaced else b'"level":"'
            self._level_tokens = tuple(
                (lvl, token + lvl.encode() + b'"') for lvl in ("info", "debug", "trace")
            )
        self.bytes += len(block)
        newlines = block.count(b"\n")
        if self.format == "json":
            self._feed_json(block, newlines)
        else:
            self._feed_plain(block, newlines)
        self.lines += newlines
        self._ends_open = not block.endswith(b"\n")

    def _group(
        self,
        *,
        level: str,
        raw_msg: bytes,
        ts: str,
        line: int,
        detail: Callable[[], str],
        decode: bool,
    ) -> None:
        norm = self._norm_cache.get(raw_msg)
        if norm is None:
            text = _unescape(raw_msg) if decode else raw_msg.decode("utf-8", "replace")
            norm = normalise_message(text)
            if len(self._norm_cache) < 20_000:
                self._norm_cache[raw_msg] = norm
        key = (level, norm)
        group = self.groups.get(key)
        if group is not None:
            group.count += 1
            group.last_time = ts
            group.last_line = line
            return
        if len(self.groups) >= self._max_groups:
            self.groups_dropped += 1
            return
        message = _unescape(raw_msg) if decode else raw_msg.decode("utf-8", "replace")
        error = detail()  # only worked out for the first line of a group
        example = message[:300] + (f" (error: {error[:300]})" if error else "")
        self.groups[key] = _Group(level, norm, 1, ts, ts, line, line, example)

    def _feed_json(self, block: bytes, newlines: int) -> None:
        for level, token in self._level_tokens:  # warn and worse are counted below
            n = block.count(token)
            if n:
                self.levels[level] = self.levels.get(level, 0) + n
        jsonish = block.count(b"\n{") + (1 if block.startswith(b"{") else 0)
        total = newlines + (0 if block.endswith(b"\n") else 1)
        self.unparsed += max(0, total - jsonish)
        if not self.first_time:
            match = _JSON_TS.search(
                block, 0, block.find(b"\n") if b"\n" in block[:65536] else 65536
            )
            if match:
                self.first_time = match.group(1).decode("ascii", "replace")
        last_start = block.rfind(b"\n", 0, len(block) - 1) + 1
        match = _JSON_TS.search(block, last_start)
        if match:
            self.last_time = match.group(1).decode("ascii", "replace")
        line = self.lines
        pos = 0
        line_end = -1
        for hit in _JSON_HOT.finditer(block):
            if hit.start() < line_end:
                continue
            start = block.rfind(b"\n", 0, hit.start()) + 1
            line += block.count(b"\n", pos, start)
            pos = start
            end = block.find(b"\n", hit.end())
            line_end = len(block) if end == -1 else end
            raw_level = hit.group(1).decode().lower()
            level = _LEVEL_ALIASES.get(raw_level, raw_level)
            self.levels[level] = self.levels.get(level, 0) + 1
            head = _JSON_HEAD.match(block, start, line_end)
            if head is not None:  # the vendor's key order: one match for both
                ts_raw, raw_msg = head.group(1), head.group(2)
            else:
                ts = _JSON_TS.search(block, start, line_end)
                msg = _JSON_MSG.search(block, start, line_end)
                ts_raw = ts.group(1) if ts else b""
                raw_msg = msg.group(1) if msg else b"(no message)"
            self._group(
                level=level,
                raw_msg=raw_msg,
                ts=ts_raw.decode("ascii", "replace"),
                line=line + 1,
                detail=partial(_json_error, block, start, line_end),
                decode=True,
            )

    def _feed_plain(self, block: bytes, newlines: int) -> None:
        line = self.lines
        pos = 0
        parsed = 0
        for match in _PLAIN_LINE.finditer(block):
            parsed += 1
            raw_level = (match.group("lvl") or match.group("lvl2") or b"").decode().lower()
            level = _LEVEL_ALIASES.get(raw_level, raw_level)
            if level not in LEVELS:
                parsed -= 1
                continue
            self.levels[level] = self.levels.get(level, 0) + 1
            ts = (match.group("ts") or match.group("ts2") or b"").decode("ascii", "replace")
            if not self.first_time:
                self.first_time = ts
            self.last_time = ts
            if level not in BAD_LEVELS and level != "warn":
                continue
            start = match.start()
            line += block.count(b"\n", pos, start)
            pos = start
            text = match.group("msg")
            message = _PLAIN_FIELDS.split(text.decode("utf-8", "replace").strip(), maxsplit=1)[0]
            self._group(
                level=level,
                raw_msg=message.encode(),
                ts=ts,
                line=line + 1,
                detail=partial(_plain_error, text),
                decode=False,
            )
        total = newlines + (0 if block.endswith(b"\n") else 1)
        self.unparsed += max(0, total - parsed)

    # Result -------------------------------------------------------------------------------

    def close(self) -> LogSummary:
        """Return the summary; bursts are the biggest groups, worst levels first on ties."""
        lines = self.lines + (1 if self._ends_open else 0)
        rank = {"panic": 0, "fatal": 1, "critical": 2, "error": 3, "warn": 4}
        groups = sorted(
            self.groups.values(), key=lambda g: (-g.count, rank.get(g.level, 9), g.first_line)
        )[: self._top]
        bursts = tuple(
            Burst(
                level=g.level,
                message=g.message,
                count=g.count,
                first_time=iso_time(g.first_time),
                last_time=iso_time(g.last_time),
                first_line=g.first_line,
                last_line=g.last_line,
                example=g.example,
            )
            for g in groups
        )
        return LogSummary(
            path=self.path,
            format=self.format or "empty",
            bytes=self.bytes,
            lines=lines,
            levels=dict(sorted(self.levels.items())),
            first_time=iso_time(self.first_time),
            last_time=iso_time(self.last_time),
            unparsed_lines=self.unparsed,
            bursts=bursts,
            groups_dropped=self.groups_dropped,
        )
