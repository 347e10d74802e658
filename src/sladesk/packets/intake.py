"""Decide what an upload is: a support packet, a ``config.json``, a JSON or a plain-text log.

``upload_kind`` looks only at the first bytes (and the name, as a hint); it refuses empty,
binary and unsupported uploads with a clear reason. ``packet_layout`` sorts a packet's
members into cluster-wide files, per-node folders and plugin folders
(``../shared/facts/mattermost-formats.md`` sections 1.2 and 1.9).
"""

from __future__ import annotations

import json
import re
import zipfile
import zlib
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import IO

from sladesk.packets.results import PacketRefused
from sladesk.packets.safezip import ARCHIVE_MAGIC

SUPPORT_PACKET = "support_packet"
CONFIG = "config"
LOG_JSON = "log_json"
LOG_PLAIN = "log_plain"
KINDS = (SUPPORT_PACKET, CONFIG, LOG_JSON, LOG_PLAIN)
#: A gzip-compressed log (rotated ``mattermost.log.1.gz``): read through gzip, stored as a
#: redacted plain log. Only ``upload_kind`` returns it; the analysis then says LOG_*.
COMPRESSED_LOG = "compressed_log"
GZIP_MAGIC = b"\x1f\x8b"


def gunzip_head(head: bytes, *, size: int = 65536) -> bytes:
    """Return up to ``size`` decompressed bytes from the start of a gzip stream (b"" if unreadable)."""
    try:
        return zlib.decompressobj(16 + zlib.MAX_WBITS).decompress(head, size)
    except zlib.error:
        return b""


def uncompressed_name(name: str) -> str:
    """Return ``name`` without its compression suffix (``mattermost.log.1.gz`` -> ``mattermost.log.1``)."""
    base = name.replace("\\", "/").rsplit("/", 1)[-1]
    return _COMPRESSION.sub("", base) or base


#: Files the server writes once per packet (section 1.2); the rest sit per node.
CLUSTER_FILES = frozenset(
    {
        "metadata.yaml",
        "stats.yaml",
        "jobs.yaml",
        "permissions.yaml",
        "plugins.json",
        "database_schema.yaml",
        "postgres_schema_dump.sql",
        "warning.txt",
        "support_packet.yaml",
        "tsdb_dump.tar.gz",
    }
)
NODE_FILES = frozenset(
    {
        "diagnostics.yaml",
        "sanitized_config.json",
        "mattermost.log",
        "audit.log",
        "ldap.log",
        "notifications.log",
        "cpu.prof",
        "heap.prof",
        "goroutines",
    }
)
#: Files that only a node folder has (a plugin folder has ``diagnostics.yaml`` too).
_NODE_ONLY = NODE_FILES - {"diagnostics.yaml"}
_PACKET_MARKERS = frozenset(
    {
        "metadata.yaml",
        "support_packet.yaml",
        "sanitized_config.json",
        "diagnostics.yaml",
        "stats.yaml",
    }
)
_CONFIG_KEYS = frozenset(
    {"ServiceSettings", "SqlSettings", "TeamSettings", "LogSettings", "FileSettings"}
)
_LOG_KEYS = frozenset({"timestamp", "level", "msg"})
_PLAIN_LOG_START = re.compile(
    rb"^\s*(?:[A-Za-z]{3,8}\s*\[\d{4}-\d\d-\d\d|\d{4}-\d\d-\d\d[T ]\d\d:\d\d)"
)
#: Names the vendor gives support packets (``mm_support_packet_<customer>_<time>.zip``).
PACKET_NAME = re.compile(r"^(?:mm|mattermost)_support_packet.*\.zip$", re.IGNORECASE)
CONFIG_NAMES = frozenset({"config.json", "sanitized_config.json"})
#: Log file names: ``*.log`` and rotated ``*.log.1`` / ``*.log.2024-01-01``.
_LOG_NAME = re.compile(r"\.log(?:\.[\w-]+)?$", re.IGNORECASE)
_CONFIG_KEY = re.compile(
    rb'"(?:ServiceSettings|SqlSettings|TeamSettings|LogSettings|FileSettings)"\s*:'
)
_COMPRESSION = re.compile(r"\.(?:gz|tgz|bz2|xz|zst|7z|rar|tar)$", re.IGNORECASE)
#: At most this many central-directory entries are looked at to recognise a packet zip.
_DETECT_MEMBERS = 5_000


def looks_binary(head: bytes) -> bool:
    """Return whether the first bytes of a file are binary (a NUL byte, or not UTF-8)."""
    if b"\x00" in head:
        return True
    try:
        head.decode("utf-8")
    except UnicodeDecodeError as exc:
        return exc.start < len(head) - 4  # a character cut at the end of the sample is fine
    return False


def upload_kind(head: bytes, *, name: str) -> str:
    """Return the kind of an upload from its first bytes (up to 64 KiB) or refuse it.

    Refusals: ``packet_empty`` (no content), ``packet_unsupported_archive`` (gzip, 7z...;
    only zip packets are read), ``packet_binary`` (binary where a config or log was
    expected), ``packet_invalid_json`` (starts like JSON but the first line is not).
    """
    if not head.strip():
        raise PacketRefused(f"{name}: the file is empty", code="packet_empty")
    if head.startswith((b"PK\x03\x04", b"PK\x05\x06")):
        return SUPPORT_PACKET
    if head.startswith(GZIP_MAGIC):
        inner = gunzip_head(head)
        if inner.strip() and not looks_binary(inner[:8192]):
            if inner.lstrip().startswith(b"{") and upload_kind(inner, name=name) == CONFIG:
                raise PacketRefused(
                    f"{name}: a compressed config; upload config.json itself",
                    code="packet_unsupported_archive",
                )
            return COMPRESSED_LOG  # text: a compressed log (a .tar.gz is binary inside)
    if any(head.startswith(magic) for magic in ARCHIVE_MAGIC):
        raise PacketRefused(
            f"{name}: a compressed archive that is not a zip; upload the support packet zip, "
            "or the log or config file itself",
            code="packet_unsupported_archive",
        )
    if looks_binary(head):
        raise PacketRefused(
            f"{name}: binary data, not a support packet, config.json or log",
            code="packet_binary",
        )
    text = head.lstrip()
    if text.startswith(b"{"):
        first = text.split(b"\n", 1)[0].strip()
        try:
            value = json.loads(first)
        except ValueError:
            return CONFIG  # a multi-line JSON document; validated when it is read whole
        if isinstance(value, dict) and _LOG_KEYS & set(value):
            return LOG_JSON
        return CONFIG
    return LOG_PLAIN


def diagnostic_kind(source: IO[bytes], *, name: str) -> str | None:
    """Return the kind of a diagnostic upload, or ``None`` for any other file.

    Used on every ticket attachment (not only on uploads meant for analysis), so it is
    strict about what counts as diagnostic and never refuses by itself:

    - a zip named like a support packet, or whose directory lists a packet file
      (``metadata.yaml``, ``diagnostics.yaml``, ``sanitized_config.json``,
      ``mattermost.log``...), is a support packet; other zips (and unreadable ones not
      named like a packet) are not;
    - a JSON document named ``config.json``/``sanitized_config.json``, or naming the
      vendor's settings sections, is a config;
    - UTF-8 text whose first line is a JSON log record is a JSON log; other text is a
      plain log when it is named ``*.log`` (``*.log.1``...) or its first line starts like
      a log line (``2026-05-20 13:58:05`` or ``ERRO[2020-04-12...``);
    - a compressed file whose name without the compression is a diagnostic file
      (``mattermost.log.1.gz``, ``config.json.xz``) is reported as a log: the engine reads
      a gzip-compressed log and stores it redacted, and refuses the others with its reason
      (upload the file itself) instead of storing them unredacted; binary data and other
      archives are not diagnostic.

    ``source`` must be seekable; its position is restored.
    """
    start = source.tell()
    head = source.read(65536)
    source.seek(start)
    base = name.replace("\\", "/").rsplit("/", 1)[-1]
    lowered = base.lower()
    if not head.strip():
        return None
    if head.startswith((b"PK\x03\x04", b"PK\x05\x06")):
        if PACKET_NAME.match(base) or _zip_lists_packet_file(source):
            return SUPPORT_PACKET
        return None
    if any(head.startswith(magic) for magic in ARCHIVE_MAGIC):
        inner = _COMPRESSION.sub("", lowered)
        if inner != lowered and (inner in CONFIG_NAMES or _LOG_NAME.search(inner)):
            # The engine reads a gzip-compressed log; it refuses other compressions and
            # compressed configs with its reason, rather than storing them unredacted.
            return LOG_PLAIN
        return None
    if looks_binary(head):
        return None
    text = head.lstrip()
    first = text.split(b"\n", 1)[0].strip()
    if text.startswith(b"{"):
        try:
            value = json.loads(first)
        except ValueError:
            value = None
        if isinstance(value, dict) and _LOG_KEYS & set(value):
            return LOG_JSON
        if lowered in CONFIG_NAMES or names_settings(head):
            return CONFIG
    elif lowered in CONFIG_NAMES:
        return CONFIG  # the engine refuses it: not valid JSON
    if _LOG_NAME.search(lowered) or _PLAIN_LOG_START.match(first):
        return LOG_PLAIN
    return None


def names_settings(head: bytes) -> bool:
    """Return whether JSON text names one of the vendor's settings sections as a key."""
    return _CONFIG_KEY.search(head) is not None


def _zip_lists_packet_file(source: IO[bytes]) -> bool:
    """Return whether a zip's directory names a support packet file (nothing is read)."""
    start = source.tell()
    markers = _PACKET_MARKERS | NODE_FILES
    try:
        with zipfile.ZipFile(source) as archive:
            for n, info in enumerate(archive.infolist()):
                if n >= _DETECT_MEMBERS:
                    break
                if info.filename.rstrip("/").rsplit("/", 1)[-1] in markers:
                    return True
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError, EOFError):
        return False
    finally:
        source.seek(start)
    return False


def config_check(config: object, *, name: str) -> dict[str, object]:
    """Return ``config`` if it looks like the vendor's config, or refuse it."""
    if not isinstance(config, dict):
        raise PacketRefused(
            f"{name}: JSON, but not an object of settings", code="packet_not_config"
        )
    if not _CONFIG_KEYS & set(config):
        raise PacketRefused(
            f"{name}: JSON, but not a Mattermost config (no ServiceSettings, SqlSettings...)",
            code="packet_not_config",
        )
    return config


@dataclass(slots=True)
class PacketLayout:
    """Where things are in a packet: ``prefix`` is a wrapping folder stripped from names."""

    prefix: str = ""
    layout: str = "flat"
    nodes: dict[str, str] = field(default_factory=dict)  # node folder ("" = root) -> hostname
    plugin_dirs: list[str] = field(default_factory=list)
    format: str = "v2"


def packet_layout(names: Iterable[str]) -> PacketLayout:
    """Sort member names into root, node and plugin folders; refuse a zip that is no packet.

    A folder is a node if it holds a node-only file (``sanitized_config.json``,
    ``mattermost.log``, profiles...); other folders with a ``diagnostics.yaml`` are
    plugin folders (``com.mattermost.calls/diagnostics.yaml``). A packet zipped inside
    one wrapping folder is read as if the folder were not there. ``format`` is ``v1``
    when ``support_packet.yaml`` is present (servers up to v10.4), else ``v2``.
    """
    all_names = [n for n in names if not n.endswith("/")]
    result = PacketLayout()
    tops = {n.split("/", 1)[0] for n in all_names}
    if len(tops) == 1 and all("/" in n for n in all_names):
        top = next(iter(tops))
        inner = {n[len(top) + 1 :] for n in all_names}
        if inner & _PACKET_MARKERS:
            result.prefix = top + "/"
            all_names = sorted(inner)
    base = {n for n in all_names if "/" not in n}
    folders: dict[str, set[str]] = {}
    for n in all_names:
        if "/" in n:
            folder, rest = n.split("/", 1)
            folders.setdefault(folder, set()).add(rest)
    markers = _PACKET_MARKERS | NODE_FILES
    if not (base & markers or any(files & markers for files in folders.values())):
        raise PacketRefused(
            "a zip, but not a Mattermost support packet (no metadata.yaml, diagnostics.yaml, "
            "support_packet.yaml, sanitized_config.json or mattermost.log)",
            code="packet_not_a_packet",
        )
    node_dirs = sorted(f for f, files in folders.items() if files & _NODE_ONLY)
    if node_dirs:
        result.layout = "per_node"
        for folder in node_dirs:
            result.nodes[folder] = folder
    if base & NODE_FILES or not node_dirs:
        result.nodes[""] = ""
    result.plugin_dirs = sorted(f for f in folders if f not in node_dirs)
    result.format = "v1" if "support_packet.yaml" in base else "v2"
    return result
