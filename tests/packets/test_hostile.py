"""Hostile and broken input: each refused or skipped with a clear reason, never a crash."""

from __future__ import annotations

import gzip
import io
import tarfile
import zipfile

import pytest

from sladesk.packets.analysis import upload_analyse
from sladesk.packets.results import PacketRefused
from sladesk.packets.safezip import ZipLimits, unsafe_name_reason
from tests.packets import factory


def analyse(data: bytes, name: str = "mm_support_packet_x.zip", **kwargs):
    out = io.BytesIO()
    return upload_analyse(source=io.BytesIO(data), name=name, output=out, **kwargs), out.getvalue()


def refused(data: bytes, name: str = "upload.zip", **kwargs) -> PacketRefused:
    with pytest.raises(PacketRefused) as info:
        analyse(data, name, **kwargs)
    return info.value


def skipped(analysis):
    return {s.path: s.code for s in analysis.skipped}


def test_zip_bomb_by_ratio_is_refused():
    bomb = factory.zip_with(
        [
            ("metadata.yaml", factory.metadata_yaml().encode()),
            ("mattermost.log", b"\0" * (8 * 1024 * 1024)),
        ]
    )
    error = refused(bomb)
    assert error.code == "packet_zip_bomb"
    assert "expands" in error.message and "mattermost.log" in error.message


def test_zip_bomb_by_total_size_is_refused():
    data = factory.packet_bytes(layout="flat")
    error = refused(data, limits=ZipLimits(max_total_bytes=10_000))
    assert error.code == "packet_zip_bomb"
    assert "expands to more than 10,000 bytes" in error.message


def test_too_many_members_is_refused():
    error = refused(factory.packet_bytes(layout="flat"), limits=ZipLimits(max_members=5))
    assert error.code == "packet_too_many_members"


@pytest.mark.parametrize(
    ("name", "reason"),
    [
        ("../../etc/passwd", "escapes the archive"),
        ("/etc/passwd", "absolute member path"),
        ("C:/Windows/win.ini", "drive letter"),
        ("..\\evil.txt", "backslashes"),
        ("a/./b", "'.' components"),
        ("bad\x01name", "control characters"),
    ],
)
def test_unsafe_member_names(name, reason):
    assert reason in (unsafe_name_reason(name, max_depth=6) or "")


def test_traversal_absolute_symlink_nested_and_encrypted_members_are_skipped():
    data = factory.packet_bytes(
        layout="flat",
        extra={
            "../../evil.yaml": b"x: 1",
            "/abs.txt": b"x",
            "inner.zip": factory.zip_with([("a.txt", b"a")]),
            "tsdb_dump.tar.gz": b"\x1f\x8b\x08\x00rest",
        },
    )
    # symlink and encrypted members are written raw
    buf = io.BytesIO(data)
    with zipfile.ZipFile(buf, "a") as zf:
        zf.writestr(factory.symlink_info("link"), "/etc/passwd")
        zf.writestr("secret.txt", b"garbage")
    analysis, out = analyse(factory.mark_encrypted(buf.getvalue(), "secret.txt"))
    codes = skipped(analysis)
    assert codes["../../evil.yaml"] == "unsafe_path"
    assert codes["/abs.txt"] == "unsafe_path"
    assert codes["link"] == "symlink"
    assert codes["inner.zip"] == "nested_archive"
    assert codes["tsdb_dump.tar.gz"] == "nested_archive"
    assert codes["secret.txt"] == "encrypted"
    stored = zipfile.ZipFile(io.BytesIO(out)).namelist()
    assert not any(n in stored for n in codes)
    # The rest of the packet was still read.
    assert any(f.key == "server.version" for f in analysis.facts)


def test_a_zip_that_is_no_packet_is_refused():
    error = refused(factory.zip_with([("holiday.jpg", b"\xff\xd8\xff")]))
    assert error.code == "packet_not_a_packet"


def test_truncated_zip_is_refused():
    data = factory.packet_bytes(layout="flat")
    error = refused(data[: len(data) // 2])
    assert error.code == "packet_not_zip"


def test_corrupt_member_is_skipped_not_crashed():
    data = bytearray(factory.packet_bytes(layout="flat", extra={"zz.txt": b"hello world " * 200}))
    pos = data.find(b"zz.txt") + len(b"zz.txt") + 10  # inside its compressed data
    data[pos : pos + 20] = b"\xff" * 20
    analysis, _ = analyse(bytes(data))
    assert skipped(analysis).get("zz.txt") == "unreadable"


def test_invalid_yaml_in_a_packet_is_a_note():
    data = factory.packet_bytes(layout="flat", extra={})
    buf = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(buf, "w") as dst:
        for item in src.infolist():
            payload = src.read(item)
            if item.filename == "stats.yaml":
                payload = b"registered_users: [unclosed\n  - : :\n"
            dst.writestr(item.filename, payload)
    analysis, _ = analyse(buf.getvalue())
    assert any(n.startswith("stats.yaml: invalid YAML") for n in analysis.notes)
    assert not any(f.key.startswith("stats.") for f in analysis.facts)


def test_yaml_aliases_are_refused_as_a_note():
    billion = b"a: &a [x, x]\nb: &b [*a, *a]\nc: [*b, *b]\n"
    analysis, _ = analyse(factory.packet_bytes(layout="flat", extra={"stats.yaml.bak": b"x"}))
    assert analysis  # control: packet fine
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr("metadata.yaml", billion)
    analysis, _ = analyse(buf.getvalue())
    assert any("aliases are not accepted" in n for n in analysis.notes)


def test_invalid_json_config_is_refused():
    error = refused(b'{"ServiceSettings": {"SiteURL": ', name="config.json")
    assert error.code == "packet_invalid_json"
    assert "not valid JSON" in error.message


def test_json_that_is_not_a_config_is_refused():
    error = refused(b'{"hello": "world"}\n', name="config.json")
    assert error.code == "packet_not_config"


def test_binary_where_text_expected_is_refused():
    error = refused(b"\x00\x01\x02ELF binary" * 100, name="mattermost.log")
    assert error.code == "packet_binary"


def test_binary_member_of_a_packet_is_skipped():
    analysis, _ = analyse(
        factory.packet_bytes(layout="flat", extra={"core.dump": b"\x7fELF\x00\x00" * 50})
    )
    assert skipped(analysis)["core.dump"] == "binary"


@pytest.mark.parametrize("data", [b"", b"   \n\n"])
def test_empty_file_is_refused(data):
    error = refused(data, name="mattermost.log")
    assert error.code == "packet_empty"
    assert "empty" in error.message


def test_other_archives_are_refused():
    error = refused(b"\x1f\x8b\x08\x00" + b"x" * 100, name="mattermost.log.gz")
    assert error.code == "packet_unsupported_archive"
    error = refused(b"\xfd7zXZ\x00" + b"x" * 100, name="mattermost.log.xz")
    assert error.code == "packet_unsupported_archive"


class TestGzipLogs:
    """Rotated logs arrive gzip-compressed: read through gzip, within the zip limits."""

    def test_a_gzip_log_is_redacted_into_a_plain_log(self):
        secret = "hunter2-very-secret"
        log = (
            "2026-05-20 13:58:05.118 Z info server started\n"
            f"2026-05-20 13:58:06.000 Z error login password={secret} failed\n"
        ).encode() * 200
        analysis, out = analyse(gzip.compress(log), "mattermost.log.gz")
        assert analysis.kind == "log_plain"
        assert analysis.artefact_name == "mattermost.redacted.log"
        assert secret.encode() not in out and b"server started" in out
        assert analysis.logs and analysis.logs[0].lines == 400

    def test_a_json_log_stays_a_json_log(self):
        line = b'{"timestamp":"2026-05-20 13:58:05.118 Z","level":"error","msg":"x"}\n'
        analysis, _ = analyse(gzip.compress(line * 10), "mattermost.log.1.gz")
        assert analysis.kind == "log_json"

    def test_a_gzip_bomb_is_refused_while_it_is_read(self):
        bomb = gzip.compress(b"2026-05-20 13:58:05.118 Z info x\n" + b"\n" * (40 * 1024 * 1024))
        error = refused(bomb, name="mattermost.log.gz")
        assert error.code == "packet_zip_bomb"
        assert "gzip bomb" in error.message

    def test_a_tar_gz_is_an_archive_not_a_log(self):
        buffer = io.BytesIO()
        with tarfile.open(fileobj=buffer, mode="w:gz") as tar:
            data = b"2026-05-20 13:58:05.118 Z info x\n"
            info = tarfile.TarInfo("mattermost.log")
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
        error = refused(buffer.getvalue(), name="logs.tar.gz")
        assert error.code == "packet_unsupported_archive"

    def test_a_cut_short_gzip_is_refused_with_the_reason(self):
        data = gzip.compress(b"2026-05-20 13:58:05.118 Z info server started\n" * 5000)
        error = refused(data[: len(data) // 2], name="mattermost.log.gz")
        assert error.code == "packet_unsupported_archive"
        assert "damaged or cut short" in error.message
