"""Read an untrusted zip without extracting it: every member is checked before it is opened.

Nothing is ever written to disk from here. Members are read as streams straight from the
archive. Whole-archive threats (too many members, a compression ratio or total size that
only a zip bomb has, overlapping members) refuse the upload; a member that cannot be read
safely (absolute or ``..`` path, symlink, device, encrypted, nested archive, unsupported
compression) is skipped with a reason that is shown to the engineer.
"""

from __future__ import annotations

import stat
import zipfile
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from typing import IO

from sladesk.packets.results import PacketRefused, Skipped

KIB = 1024
MIB = 1024 * KIB
GIB = 1024 * MIB

#: Extensions and magic bytes of archives the desk does not open inside a packet.
ARCHIVE_SUFFIXES = (
    ".zip",
    ".tar",
    ".tgz",
    ".gz",
    ".bz2",
    ".xz",
    ".zst",
    ".7z",
    ".rar",
    ".jar",
)
ARCHIVE_MAGIC = (
    b"PK\x03\x04",
    b"PK\x05\x06",
    b"\x1f\x8b",
    b"BZh",
    b"\xfd7zXZ\x00",
    b"7z\xbc\xaf\x27\x1c",
    b"(\xb5/\xfd",
    b"Rar!\x1a\x07",
)


@dataclass(frozen=True, slots=True)
class ZipLimits:
    """Limits for one uploaded archive (defaults fit the largest real support packets).

    ``max_ratio`` is uncompressed/compressed size per member; logs compress 10-30x, zip
    bombs 1,000x and more. It only applies above ``ratio_floor_bytes`` so that tiny,
    highly repetitive files are not refused.
    """

    max_members: int = 2_000
    max_total_bytes: int = 8 * GIB
    max_member_bytes: int = 4 * GIB
    max_ratio: float = 200.0
    ratio_floor_bytes: int = 2 * MIB
    max_depth: int = 6


@dataclass(frozen=True, slots=True)
class Member:
    """A member that passed every check: ``name`` is a clean relative POSIX path."""

    name: str
    size: int
    info: zipfile.ZipInfo


def zip_open(file: IO[bytes]) -> zipfile.ZipFile:
    """Return the archive in ``file``, or refuse it with ``packet_not_zip``."""
    try:
        return zipfile.ZipFile(file)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError, EOFError) as exc:
        raise PacketRefused(f"not a readable zip archive ({exc})", code="packet_not_zip") from None


def unsafe_name_reason(name: str, *, max_depth: int) -> str | None:
    """Return why a member name is unsafe (absolute, ``..``, drive, control character), or ``None``."""
    if not name:
        return "empty member name"
    if any(ord(ch) < 32 or ch == "\x7f" for ch in name):
        return "member name contains control characters"
    if "\\" in name:
        return "member name uses backslashes (a Windows path, possibly a traversal)"
    if name.startswith("/"):
        return "absolute member path"
    if len(name) >= 2 and name[1] == ":" and name[0].isalpha():
        return "member path with a drive letter"
    parts = name.rstrip("/").split("/")
    if any(p == ".." for p in parts):
        return "member path escapes the archive (..)"
    if any(p in ("", ".") for p in parts):
        return "member path with empty or '.' components"
    if len(parts) > max_depth:
        return f"member path deeper than {max_depth} folders"
    return None


def _mode(info: zipfile.ZipInfo) -> int:
    return (info.external_attr >> 16) & 0xFFFF if info.create_system == 3 else 0


def is_nested_archive(name: str, head: bytes) -> bool:
    """Return whether a member is itself an archive (by name or by its first bytes)."""
    lowered = name.lower()
    if lowered.endswith(ARCHIVE_SUFFIXES):
        return True
    return any(head.startswith(magic) for magic in ARCHIVE_MAGIC)


def zip_members(zf: zipfile.ZipFile, *, limits: ZipLimits) -> tuple[list[Member], list[Skipped]]:
    """Return the members safe to read and the ones skipped, or refuse the whole archive.

    Refusals (``PacketRefused``): more than ``max_members`` entries
    (``packet_too_many_members``); a member whose declared size is more than
    ``max_ratio`` times its compressed size, members that overlap in the file, or a total
    declared size above ``max_total_bytes`` (``packet_zip_bomb``).
    """
    infos = zf.infolist()
    if len(infos) > limits.max_members:
        raise PacketRefused(
            f"the archive has {len(infos)} members; at most {limits.max_members} are accepted",
            code="packet_too_many_members",
        )
    by_offset = sorted(infos, key=lambda i: i.header_offset)
    for current, following in zip(by_offset, by_offset[1:], strict=False):
        if current.header_offset + current.compress_size > following.header_offset:
            raise PacketRefused(
                f"members {current.filename!r} and {following.filename!r} overlap in the "
                "archive (a zip bomb construction)",
                code="packet_zip_bomb",
            )
    members: list[Member] = []
    skipped: list[Skipped] = []
    seen: set[str] = set()
    total = 0
    for info in infos:
        name = info.filename
        mode = _mode(info)
        if info.is_dir() or stat.S_ISDIR(mode):
            reason = unsafe_name_reason(name, max_depth=limits.max_depth + 1)
            if reason:
                skipped.append(Skipped(name, reason, "unsafe_path"))
            continue
        reason = unsafe_name_reason(name, max_depth=limits.max_depth)
        if reason:
            skipped.append(Skipped(name, reason, "unsafe_path"))
            continue
        if stat.S_ISLNK(mode):
            skipped.append(Skipped(name, "symbolic link (never followed)", "symlink"))
            continue
        if stat.S_IFMT(mode) and not stat.S_ISREG(mode):
            skipped.append(
                Skipped(name, "not a regular file (device, pipe or socket)", "special_file")
            )
            continue
        if info.flag_bits & 0x1:
            skipped.append(
                Skipped(name, "encrypted member (cannot be read or redacted)", "encrypted")
            )
            continue
        size = info.file_size
        compressed = max(info.compress_size, 1)
        if size > limits.ratio_floor_bytes and size / compressed > limits.max_ratio:
            raise PacketRefused(
                f"member {name!r} expands {size / compressed:,.0f} times "
                f"({compressed:,} to {size:,} bytes; the limit is {limits.max_ratio:,.0f}): a zip bomb",
                code="packet_zip_bomb",
            )
        if name in seen:
            skipped.append(
                Skipped(name, "duplicate member name (the first one is used)", "duplicate")
            )
            continue
        seen.add(name)
        if size > limits.max_member_bytes:
            skipped.append(
                Skipped(
                    name,
                    f"{size:,} bytes uncompressed; the limit per file is {limits.max_member_bytes:,}",
                    "too_large",
                )
            )
            continue
        total += size
        if total > limits.max_total_bytes:
            raise PacketRefused(
                f"the archive expands to more than {limits.max_total_bytes:,} bytes: refused "
                "as a possible zip bomb",
                code="packet_zip_bomb",
            )
        members.append(Member(name=name, size=size, info=info))
    return members, skipped


class MemberUnreadable(Exception):
    """A member's data is corrupt or uses an unsupported compression method."""


class _BoundedReader:
    """Read a member in chunks, never more than its declared size, mapping zip errors."""

    def __init__(self, raw: IO[bytes], *, limit: int, name: str) -> None:
        self._raw = raw
        self._left = limit
        self._name = name

    def read(self, size: int = -1) -> bytes:
        if size < 0:
            size = self._left + 1
        try:
            data = self._raw.read(min(size, self._left + 1))
        except (zipfile.BadZipFile, zlib.error, EOFError, OSError) as exc:
            raise MemberUnreadable(f"{self._name}: corrupt data ({exc})") from None
        self._left -= len(data)
        if self._left < 0:
            raise MemberUnreadable(f"{self._name}: more data than its declared size")
        return data

    def close(self) -> None:
        self._raw.close()


def member_chunks(zf: zipfile.ZipFile, member: Member, *, chunk_size: int) -> Iterator[bytes]:
    """Yield the member's bytes in chunks, straight from the archive (no temporary file)."""
    try:
        raw = zf.open(member.info)
    except NotImplementedError as exc:
        raise MemberUnreadable(f"{member.name}: {exc}") from None
    except (zipfile.BadZipFile, zlib.error, OSError, RuntimeError) as exc:
        raise MemberUnreadable(f"{member.name}: cannot be opened ({exc})") from None
    reader = _BoundedReader(raw, limit=member.size, name=member.name)
    try:
        while True:
            chunk = reader.read(chunk_size)
            if not chunk:
                return
            yield chunk
    finally:
        reader.close()


def member_head(zf: zipfile.ZipFile, member: Member, *, size: int = 8192) -> bytes:
    """Return the first ``size`` bytes of a member (for sniffing)."""
    for chunk in member_chunks(zf, member, chunk_size=size):
        return chunk
    return b""
