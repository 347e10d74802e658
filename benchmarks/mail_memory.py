"""Memory of ``sladesk mail serve`` while it receives and stores a 50 MB attachment.

Starts a desk out of process (``tests/mail/e2e.py``; PostgreSQL when ``DATABASE_URL``
says so, else SQLite), reads the server's resident set (``VmRSS``) after a warm-up
message, sends one message carrying a ``--mb`` MB attachment (base64: about 1.37x on
the wire) over SMTP, and reads the server's peak resident set (``VmHWM``) after the
250. The growth is the peak minus the warm RSS; the target is under 2x the attachment.
The workers are not started (their parsing is reported separately in docs/mail.md).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres \\
        .venv/bin/python benchmarks/mail_memory.py --mb 50
"""

from __future__ import annotations

import argparse
import base64
import os
import smtplib
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.mail.e2e import Desk  # noqa: E402


def status(pid: int) -> dict[str, int]:
    fields = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        key, _, value = line.partition(":")
        if key in ("VmRSS", "VmHWM"):
            fields[key] = int(value.split()[0]) * 1024
    return fields


def message(size: int, n: int) -> bytes:
    payload = base64.encodebytes(os.urandom(size))
    head = (
        "From: Gus Grissom <gus@globex.example>\r\nTo: support@sladesk.localhost\r\n"
        f"Subject: core dump {n}\r\nMessage-ID: <memory-{n}-{time.time()}@globex.example>\r\n"
        'MIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary="b"\r\n\r\n'
        "--b\r\nContent-Type: text/plain\r\n\r\nThe core dump is attached.\r\n"
        '--b\r\nContent-Type: application/octet-stream; name="core.bin"\r\n'
        "Content-Transfer-Encoding: base64\r\n\r\n"
    ).encode()
    return head + payload.replace(b"\n", b"\r\n") + b"--b--\r\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mb", type=int, default=50)
    args = parser.parse_args()
    size = args.mb * 1024 * 1024
    os.environ["SLADESK_MAIL_MAX_MESSAGE_BYTES"] = str(3 * size)
    os.environ.setdefault("SLADESK_MAIL_FOLLOW_SECONDS", "0")
    desk = Desk(workers=0)
    try:
        pid = desk.server.pid
        with smtplib.SMTP("127.0.0.1", desk.port, timeout=300) as smtp:
            smtp.sendmail(
                "gus@globex.example", ["support@sladesk.localhost"], message(1024 * 1024, 0)
            )
        time.sleep(0.5)
        warm = status(pid)["VmRSS"]
        big = message(size, 1)
        started = time.perf_counter()
        with smtplib.SMTP("127.0.0.1", desk.port, timeout=300) as smtp:
            reply = smtp.sendmail("gus@globex.example", ["support@sladesk.localhost"], big)
        took = time.perf_counter() - started
        peak = status(pid)["VmHWM"]
        growth = peak - warm
        print(
            f"attachment {args.mb} MB, message on the wire {len(big) / 2**20:.1f} MB, refused: {reply}"
        )
        print(f"server RSS warm {warm / 2**20:.1f} MB, peak {peak / 2**20:.1f} MB")
        print(f"growth {growth / 2**20:.1f} MB = {growth / size:.2f}x the attachment (target < 2x)")
        print(f"received and stored in {took:.1f} s")
    finally:
        desk.stop()


if __name__ == "__main__":
    main()
