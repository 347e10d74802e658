"""Redact secrets: first the vendor's secret settings, then anything that still looks secret.

Two layers, both applied before anything is stored or shown:

1. ``config_redact`` walks a parsed ``config.json`` / ``sanitized_config.json`` and replaces
   every secret setting listed in ``data/redaction.toml`` (and every plugin setting's text
   value) with the vendor's placeholder; data source URLs keep host, port and database but
   lose user and password.
2. ``Scrubber`` scans text (any file, any size, in chunks) for residual secrets: passwords
   in URLs, bearer and ``Authorization`` tokens, AWS access key ids, private key blocks,
   ``password=``/``"secret": "..."`` pairs, session cookies and tokens, JWTs.

Reports name the setting or pattern and count occurrences; they never hold a value.
The scanner looks for cheap literal anchors (``bytes.find`` on a lower-cased copy) and only
runs a small anchored regex where one is found, so it keeps pace with 2 GB logs.
"""

from __future__ import annotations

import copy
import re
import tomllib
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from sladesk.packets.results import PLACEHOLDER, FileRedaction

PARTIAL_USERINFO = "****:****"
_PLACEHOLDER_B = PLACEHOLDER.encode()


@dataclass(frozen=True, slots=True)
class SecretSetting:
    """A setting path such as ``SqlSettings.DataSourceReplicas[]`` and how to redact it."""

    path: str
    mode: str


@dataclass(frozen=True, slots=True)
class RedactionRules:
    """The contents of ``data/redaction.toml``."""

    placeholder: str
    settings: tuple[SecretSetting, ...]
    plugins_path: str
    name_suffixes: tuple[str, ...]


@cache
def redaction_rules() -> RedactionRules:
    """Return the shipped redaction rules (read once)."""
    text = (resources.files("sladesk.packets") / "data" / "redaction.toml").read_text("utf-8")
    raw = tomllib.loads(text)
    return RedactionRules(
        placeholder=raw["placeholder"],
        settings=tuple(SecretSetting(s["path"], s["mode"]) for s in raw["setting"]),
        plugins_path=raw["plugins"]["path"],
        name_suffixes=tuple(s.lower() for s in raw["names"]["suffixes"]),
    )


# Data sources ------------------------------------------------------------------------------

_MYSQL_DSN = re.compile(r"^(?P<user>[^:@/()]*)(?::(?P<password>[^@]*))?@(?P<rest>\w*\(.*)$", re.S)
_KV_SECRET = re.compile(r"(?i)\b(user|password)\s*=\s*('[^']*'|\S+)")


def data_source_redact(dsn: str) -> str:
    """Return ``dsn`` with user and password replaced, keeping host, port, database and options.

    ``postgres://u:p@db:5432/mm?sslmode=require&password=x`` becomes
    ``postgres://****:****@db:5432/mm?sslmode=require``; a MySQL DSN
    ``u:p@tcp(db:3306)/mm`` becomes ``****:****@tcp(db:3306)/mm``; libpq key/value
    strings lose their ``user=`` and ``password=`` values. Anything else becomes the
    placeholder (as the vendor does for drivers it cannot parse).
    """
    text = dsn.strip()
    if "://" in text:
        try:
            parts = urlsplit(text)
            host = parts.hostname or ""
            port = parts.port
        except ValueError:
            return PLACEHOLDER
        if not host and not parts.path:
            return PLACEHOLDER
        netloc = host if ":" not in host else f"[{host}]"
        if port is not None:
            netloc = f"{netloc}:{port}"
        if parts.username is not None or parts.password is not None:
            netloc = f"{PARTIAL_USERINFO}@{netloc}"
        query = urlencode(
            [
                (k, v)
                for k, v in parse_qsl(parts.query, keep_blank_values=True)
                if k.lower() not in {"user", "password", "passwd"}
            ]
        )
        return urlunsplit((parts.scheme, netloc, parts.path, query, ""))
    match = _MYSQL_DSN.match(text)
    if match:
        return f"{PARTIAL_USERINFO}@{match.group('rest')}"
    if "=" in text and re.search(r"(?i)\b(host|dbname)\s*=", text):
        return _KV_SECRET.sub(lambda m: f"{m.group(1)}=****", text)
    return PLACEHOLDER


# Config ------------------------------------------------------------------------------------


def _is_redacted(value: str) -> bool:
    return bool(value) and (set(value) == {"*"} or PARTIAL_USERINFO in value)


def _redact_value(value: Any, *, mode: str) -> tuple[Any, str]:
    """Return ``(new value, outcome)``: outcome is ``redacted``, ``already`` or ``empty``."""
    if not isinstance(value, str):
        if value is None or isinstance(value, bool | int | float):
            return value, "empty"
        return PLACEHOLDER, "redacted"
    if not value:
        return value, "empty"
    if _is_redacted(value):
        return value, "already"
    if mode == "data_source":
        return data_source_redact(value), "redacted"
    return PLACEHOLDER, "redacted"


def _walk_path(node: Any, parts: list[str], prefix: str) -> Iterator[tuple[Any, str | int, str]]:
    """Yield ``(container, key, shown path)`` for every place ``parts`` names in ``node``."""
    if not parts:
        return
    head, rest = parts[0], parts[1:]
    is_list = head.endswith("[]")
    key = head.removesuffix("[]")
    if not isinstance(node, dict) or key not in node:
        return
    shown = f"{prefix}.{key}" if prefix else key
    if not is_list:
        if rest:
            yield from _walk_path(node[key], rest, shown)
        else:
            yield node, key, shown
        return
    items = node[key]
    if not isinstance(items, list):
        return
    for index, item in enumerate(items):
        if rest:
            yield from _walk_path(item, rest, f"{shown}[{index}]")
        else:
            yield items, index, f"{shown}[{index}]"


def _name_is_secret(name: str, suffixes: tuple[str, ...]) -> bool:
    lowered = name.lower()
    return lowered.endswith(suffixes)


def config_redact(config: dict[str, Any], *, report: FileRedaction) -> dict[str, Any]:
    """Return a redacted deep copy of a parsed config, recording setting names in ``report``."""
    rules = redaction_rules()
    data = copy.deepcopy(config)
    done: set[str] = set()

    def apply(container: Any, key: str | int, shown: str, mode: str) -> None:
        if shown in done:
            return
        done.add(shown)
        new, outcome = _redact_value(container[key], mode=mode)
        if outcome == "redacted":
            container[key] = new
            report.settings.append(shown)
        elif outcome == "already":
            report.already_redacted += 1

    for setting in rules.settings:
        for container, key, shown in _walk_path(data, setting.path.split("."), ""):
            apply(container, key, shown, setting.mode)

    # Plugin settings: every text value (the vendor does this without manifests).
    for container, key, shown in _walk_path(data, rules.plugins_path.split("."), ""):
        plugins = container[key]
        if isinstance(plugins, dict):
            for plugin_id, plugin_settings in plugins.items():
                _redact_all_text(plugin_settings, f"{shown}.{plugin_id}", apply)

    # Any other setting whose name says it is a secret.
    def by_name(node: Any, prefix: str) -> None:
        if isinstance(node, dict):
            for key, value in node.items():
                shown = f"{prefix}.{key}" if prefix else str(key)
                if isinstance(value, dict | list):
                    by_name(value, shown)
                elif isinstance(value, str) and _name_is_secret(str(key), rules.name_suffixes):
                    mode = "data_source" if str(key).lower().endswith("datasource") else "secret"
                    apply(node, key, shown, mode)
        elif isinstance(node, list):
            for index, item in enumerate(node):
                by_name(item, f"{prefix}[{index}]")

    by_name(data, "")
    return data


def _redact_all_text(node: Any, prefix: str, apply: Any) -> None:
    if isinstance(node, dict):
        for key, value in node.items():
            shown = f"{prefix}.{key}"
            if isinstance(value, dict | list):
                _redact_all_text(value, shown, apply)
            elif isinstance(value, str):
                apply(node, key, shown, "secret")
    elif isinstance(node, list):
        for index, item in enumerate(node):
            shown = f"{prefix}[{index}]"
            if isinstance(item, dict | list):
                _redact_all_text(item, shown, apply)
            elif isinstance(item, str):
                apply(node, index, shown, "secret")


def config_text_redact(text: str, *, report: FileRedaction) -> str:
    """Redact secret settings in config text that is not valid JSON (by key name)."""
    rules = redaction_rules()
    names = {s.path.replace("[]", "").rsplit(".", 1)[-1] for s in rules.settings}
    pattern = re.compile(r'("(?P<name>[A-Za-z0-9_]+)"\s*:\s*)"(?P<value>(?:[^"\\]|\\.)*)"')

    def replace(match: re.Match[str]) -> str:
        name = match.group("name")
        value = match.group("value")
        if name not in names and not _name_is_secret(name, rules.name_suffixes):
            return match.group(0)
        if not value:
            return match.group(0)
        if _is_redacted(value):  # the server's placeholder: counted, as the JSON path does
            report.already_redacted += 1
            return match.group(0)
        report.settings.append(name)
        new = data_source_redact(value) if name.lower().endswith("datasource") else PLACEHOLDER
        return f'{match.group(1)}"{new}"'

    return pattern.sub(replace, text)


# Residual scan -----------------------------------------------------------------------------

_WORD = frozenset(b"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-")
_SECRET_KEY = re.compile(
    rb"[a-z0-9_-]*?(?:password|passwd|passphrase|pwd|secret|token|api[_-]?key|access[_-]?key"
    rb"|private[_-]?key|secret[_-]?key|client[_-]?key|encrypt[_-]?key|sdk[_-]?key|salt"
    rb"|credentials?)"
)
_SESSION_KEY = re.compile(
    rb"(?:mmauthtoken|[a-z]*sessionid|session(?:[_-]?(?:id|token|key))?|csrf[_-]?token)"
)
_COOKIE_KEY = re.compile(rb"(?:set-)?cookie")
_SEP = re.compile(rb"""(\\?["']?[ \t]*[:=][ \t]*)(\\?["'])?""")
_VALUE_BARE = re.compile(rb"""[^\s"'&,;<>{}\[\]()\\]+""")
_VALUE_DQ = re.compile(rb"""(?:[^"\\\r\n]|\\[^"])*""")
_VALUE_SQ = re.compile(rb"""[^'\\\r\n]*""")
_VALUE_LINE = re.compile(rb"""[^\r\n"\\]+""")
_URL_CREDS = re.compile(rb"""([^\s/@:"'<>\\]{0,256}):([^\s@"'<>\\/]{1,256})@""")
_BEARER = re.compile(rb"""[ \t]+([A-Za-z0-9\-._~+/]{8,}=*)""")
_AUTH_HEADER = re.compile(
    rb"""\\?["']?[ \t]*[:=][ \t]*\\?["']?(?:token|basic|Token|Basic|TOKEN|BASIC)[ \t]+([A-Za-z0-9\-._~+/]{8,}=*)"""
)
_AWS_KEY = re.compile(rb"(?:AKIA|ASIA)[0-9A-Z]{16}(?![0-9A-Za-z])")
_PRIVATE_KEY = re.compile(rb"-----BEGIN ([A-Z0-9 ]*)PRIVATE KEY-----")
_JWT = re.compile(rb"eyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}")
_NOT_SECRET_VALUES = frozenset({b"null", b"true", b"false", b"none", b"nil", b"undefined"})

#: Literal anchors searched on the lower-cased text, and the pattern each one feeds. Each
#: anchor costs one ``bytes.find`` pass over the text, so the list is kept short: every
#: secret key name ends in one of them (``mmauthtoken``, ``api_key``, ``jsessionid``...).
_ANCHORS: tuple[tuple[bytes, str], ...] = (
    (b"pass", "pair"),
    (b"pwd", "pair"),
    (b"secret", "pair"),
    (b"token", "pair"),
    (b"key", "pair"),
    (b"session", "pair"),
    (b"cookie", "pair"),
    (b"://", "url"),
    (b"bearer", "bearer"),
    (b"authorization", "auth"),
    (b"-----begin", "pem"),
)
#: Anchors searched on the original text (their case is fixed).
_CASED_ANCHORS: tuple[tuple[bytes, str], ...] = (
    (b"eyJ", "jwt"),
    (b"AKIA", "aws"),
    (b"ASIA", "aws"),
)


_PAIR_AFTER = re.compile(rb"""[a-z0-9_-]{0,64}\\?["']?[ \t]*[:=]""")
_WORD_TAIL = re.compile(rb"[a-z0-9_-]{0,64}")
_WORD_HEAD = re.compile(rb"[a-z0-9_-]{0,64}$")


def _word_bounds(lowered: bytes, start: int, end: int) -> tuple[int, int]:
    """Return the bounds of the word containing ``lowered[start:end]`` (at most 64 bytes each way)."""
    head = _WORD_HEAD.search(lowered, max(0, start - 64), start)
    tail = _WORD_TAIL.match(lowered, end)
    return (head.start() if head else start), (tail.end() if tail else end)


def _all_stars(value: bytes) -> bool:
    return bool(value) and value.strip(b"*") == b""


class Scrubber:
    """Find and replace residual secrets in text; counts go to a ``FileRedaction``.

    ``scrub`` works on any bytes; a secret split across two calls may be missed, so feed it
    whole lines (``StreamScrubber`` does).
    """

    def __init__(self, report: FileRedaction) -> None:
        self.report = report

    def scrub(self, text: bytes) -> bytes:
        """Return ``text`` with every residual secret replaced (line count unchanged)."""
        lowered = text.lower()
        spans: list[tuple[int, int, bytes, str]] = []
        for anchor, kind in _ANCHORS:
            size = len(anchor)
            pos = lowered.find(anchor)
            if kind == "pair":
                while pos != -1:
                    # Most hits are prose ("session token for"); reject them in one C call.
                    if _PAIR_AFTER.match(lowered, pos + size):
                        self._pair(text, lowered, pos, size, spans)
                    pos = lowered.find(anchor, pos + size)
                continue
            while pos != -1:
                self._at(text, lowered, pos, size, kind, spans)
                pos = lowered.find(anchor, pos + size)
        for anchor, kind in _CASED_ANCHORS:
            pos = text.find(anchor)
            while pos != -1:
                self._at(text, lowered, pos, len(anchor), kind, spans)
                pos = text.find(anchor, pos + len(anchor))
        if not spans:
            return text
        return self._apply(text, spans)

    def _apply(self, text: bytes, spans: list[tuple[int, int, bytes, str]]) -> bytes:
        spans.sort(key=lambda s: (s[0], -s[1]))
        out: list[bytes] = []
        cursor = 0
        for start, end, replacement, name in spans:
            if start < cursor:  # overlaps one already replaced (e.g. a URL inside a pair)
                if end > cursor:
                    out.append(replacement if name == "private_key" else b"")
                    cursor = end
                continue
            out.append(text[cursor:start])
            out.append(replacement)
            cursor = end
            self.report.add_pattern(name)
        out.append(text[cursor:])
        return b"".join(out)

    def _at(
        self,
        text: bytes,
        lowered: bytes,
        pos: int,
        length: int,
        kind: str,
        spans: list[tuple[int, int, bytes, str]],
    ) -> None:
        if kind == "url":
            match = _URL_CREDS.match(text, pos + 3)
            if match is None:
                return
            user, password = match.group(1), match.group(2)
            if _all_stars(password) and (not user or _all_stars(user)):
                self.report.already_redacted += 1
                return
            spans.append(
                (match.start(), match.end() - 1, PARTIAL_USERINFO.encode(), "url_credentials")
            )
        elif kind == "bearer":
            match = _BEARER.match(text, pos + length)
            if match and not _all_stars(match.group(1)):
                spans.append((match.start(1), match.end(1), _PLACEHOLDER_B, "bearer_token"))
        elif kind == "auth":
            match = _AUTH_HEADER.match(text, pos + length)
            if match and not _all_stars(match.group(1)):
                spans.append((match.start(1), match.end(1), _PLACEHOLDER_B, "authorization_header"))
        elif kind == "pem":
            match = _PRIVATE_KEY.match(text, pos)
            if match is None:
                return
            end_marker = b"-----END " + match.group(1) + b"PRIVATE KEY-----"
            end = text.find(end_marker, match.end())
            end = len(text) if end == -1 else end + len(end_marker)
            newlines = text.count(b"\n", match.start(), end)
            replacement = b"-----BEGIN PRIVATE KEY----- " + _PLACEHOLDER_B + b"\n" * newlines
            replacement += b" -----END PRIVATE KEY-----"
            spans.append((match.start(), end, replacement, "private_key"))
        elif kind == "aws":
            match = _AWS_KEY.match(text, pos)
            if match and (pos == 0 or text[pos - 1] not in _WORD):
                spans.append((match.start(), match.end(), _PLACEHOLDER_B[:20], "aws_access_key"))
        elif kind == "jwt":
            match = _JWT.match(text, pos)
            if match:
                spans.append((match.start(), match.end(), _PLACEHOLDER_B, "jwt"))

    def _pair(
        self,
        text: bytes,
        lowered: bytes,
        pos: int,
        length: int,
        spans: list[tuple[int, int, bytes, str]],
    ) -> None:
        left, right = _word_bounds(lowered, pos, pos + length)
        sep = _SEP.match(text, right)
        if sep is None:
            return
        word = lowered[left:right]
        if _COOKIE_KEY.fullmatch(word):
            name = "session_cookie"
            value_re: re.Pattern[bytes] | None = _VALUE_LINE
        elif _SESSION_KEY.fullmatch(word):
            name, value_re = "session_cookie", None
        elif _SECRET_KEY.fullmatch(word):
            name, value_re = "secret_pair", None
        else:
            return
        quote = sep.group(2)
        start = sep.end()
        if value_re is None:
            if quote and quote.endswith(b'"'):
                value_re = _VALUE_DQ
            elif quote and quote.endswith(b"'"):
                value_re = _VALUE_SQ
            else:
                value_re = _VALUE_BARE
        value = value_re.match(text, start)
        if value is None or value.end() == start:
            return
        raw = value.group(0)
        if quote and quote.endswith(b'"') and raw.endswith(b"\\"):
            raw = raw[:-1]
        if _all_stars(raw.strip()) or raw.lower() in _NOT_SECRET_VALUES:
            if _all_stars(raw.strip()):
                self.report.already_redacted += 1
            return
        if PARTIAL_USERINFO.encode() in raw:
            return
        spans.append((start, start + len(raw), _PLACEHOLDER_B, name))


class StreamScrubber:
    """Scrub a stream chunk by chunk, handing on whole lines only.

    Lines are never split (a secret cannot straddle two scans); a private key block that
    has begun but not ended is held back until its end arrives (at most ``hold_limit``
    bytes). A "line" longer than ``max_line`` is cut at its last blank.
    """

    def __init__(
        self,
        report: FileRedaction,
        *,
        max_line: int = 8 * 1024 * 1024,
        hold_limit: int = 256 * 1024,
    ) -> None:
        self.scrubber = Scrubber(report)
        self._pending = b""
        self._max_line = max_line
        self._hold_limit = hold_limit

    def feed(self, chunk: bytes) -> bytes:
        """Return the scrubbed complete lines now available (maybe ``b""``)."""
        data = self._pending + chunk if self._pending else chunk
        cut = data.rfind(b"\n") + 1
        if cut == 0:
            if len(data) <= self._max_line:
                self._pending = data
                return b""
            cut = max(data.rfind(b" ", 0, self._max_line), data.rfind(b",", 0, self._max_line)) + 1
            if cut <= 0:
                cut = self._max_line
        begin = data.rfind(b"-----BEGIN ", max(0, cut - self._hold_limit), cut)
        if begin != -1 and data.find(b"-----END ", begin, cut) == -1:
            line_start = data.rfind(b"\n", 0, begin) + 1
            if line_start > 0 and len(data) - line_start <= self._hold_limit:
                cut = line_start
        self._pending = data[cut:]
        return self.scrubber.scrub(data[:cut]) if cut else b""

    def close(self) -> bytes:
        """Return the scrubbed rest of the stream."""
        data, self._pending = self._pending, b""
        return self.scrubber.scrub(data) if data else b""


def scrub_text(text: str, *, report: FileRedaction) -> str:
    """Return ``text`` with residual secrets replaced (for small, whole documents)."""
    return (
        Scrubber(report)
        .scrub(text.encode("utf-8", "surrogateescape"))
        .decode("utf-8", "surrogateescape")
    )
