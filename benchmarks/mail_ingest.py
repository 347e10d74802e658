"""Ingest rate end to end: SMTP accept -> ticket committed, with the worker running.

Starts a desk out of process on PostgreSQL (``tests/mail/e2e.py``: a fresh database, its
migrations, an Enterprise customer; ``sladesk mail serve``; N ``sladesk worker``
processes; a real SMTP sink as the outgoing relay), then sends ``--messages`` distinct
new requests from the customer's contact over ``--clients`` concurrent SMTP
connections (smtplib, one message per transaction, connections kept open). The clock
runs from the first ``MAIL FROM`` until every message is processed (its ticket and
acknowledgement committed); the acknowledgements' delivery to the sink is reported too.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres \\
        .venv/bin/python benchmarks/mail_ingest.py --messages 1000 --clients 8 --workers 2

The desk runs with ``DEBUG`` off, as in production (``DEBUG=1`` in the environment to
measure the development default). ``--interval`` is the workers' poll interval and
``--claim`` how many tasks a worker claims at a time (``sladesk worker`` options).
"""

from __future__ import annotations

import argparse
import os
import smtplib
import sys
import threading
import time
from pathlib import Path

import psycopg

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.mail.e2e import Desk  # noqa: E402

from tickets_bench import machine_index  # noqa: E402

TEMPLATE = (
    "From: Gus Grissom <gus@globex.example>\r\n"
    "To: support@sladesk.localhost\r\n"
    "Subject: Benchmark request {n}: messages arrive late\r\n"
    "Message-ID: <bench-{n}-{run}@globex.example>\r\n"
    "Date: Wed, 25 Nov 2026 18:00:00 +0000\r\n"
    "MIME-Version: 1.0\r\n"
    "Content-Type: text/plain; charset=utf-8\r\n\r\n"
    "Since this morning messages arrive about ten minutes late for everyone.\r\n"
    "The server log shows nothing unusual. Request number {n}.\r\n"
)


REPLY = (
    "From: Gus Grissom <gus@globex.example>\r\n"
    "To: support@sladesk.localhost\r\n"
    "Subject: Re: {subject}\r\n"
    "Message-ID: <bench-reply-{n}-{run}@globex.example>\r\n"
    "In-Reply-To: <{ref}>\r\n"
    "References: <{ref}>\r\n"
    "Date: Wed, 25 Nov 2026 18:10:00 +0000\r\n"
    "MIME-Version: 1.0\r\n"
    "Content-Type: text/plain; charset=utf-8\r\n\r\n"
    "Here is the output you asked for; it still happens.\r\n\r\n"
    "> We have received your request.\r\n"
)


TICK = os.sysconf("SC_CLK_TCK")


def cpu_seconds(pid: int) -> float:
    """Return the user + system CPU time of process ``pid`` so far (0 if it is gone)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / TICK


def cpu_by_kind(desk: Desk, conn: psycopg.Connection) -> dict[str, float]:
    """CPU seconds used so far by the SMTP server, the workers and each PostgreSQL backend."""
    me = conn.info.backend_pid
    backends = conn.execute(
        "SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND pid <> %s", [me]
    ).fetchall()
    return {
        "server": cpu_seconds(desk.server.pid),
        "workers": sum(cpu_seconds(w.pid) for w in desk.workers),
        **{f"pg:{pid}": cpu_seconds(pid) for (pid,) in backends},
    }


def cpu_used(before: dict[str, float], after: dict[str, float]) -> dict[str, float]:
    """CPU seconds of each kind between two readings (backends that quit are not counted)."""
    used = {"server": 0.0, "workers": 0.0, "postgres": 0.0}
    for key, value in after.items():
        used["postgres" if key.startswith("pg:") else key] += value - before.get(key, 0.0)
    return used


def phase(
    desk: Desk, url: str, messages: list[bytes], args: argparse.Namespace, *, base: int = 0
) -> dict[str, float]:
    """Send ``messages`` over ``args.clients`` connections; time accept and processing."""
    queue = list(messages)
    lock = threading.Lock()
    accepted: list[float] = []
    sunk_before = len(desk.sink.messages)

    def client() -> None:
        with smtplib.SMTP("127.0.0.1", desk.port, timeout=60) as smtp:
            while True:
                with lock:
                    if not queue:
                        return
                    raw = queue.pop()
                smtp.sendmail("gus@globex.example", ["support@sladesk.localhost"], raw)
                accepted.append(time.perf_counter())

    target = base + len(messages)
    start = time.perf_counter()
    threads = [threading.Thread(target=client) for _ in range(args.clients)]
    for thread in threads:
        thread.start()
    outbound = "SELECT count(*) FROM mail_outboundmessage"
    with psycopg.connect(url, autocommit=True) as conn:
        (out_before,) = conn.execute(outbound).fetchone()
        cpu_before = cpu_by_kind(desk, conn)
        while True:
            (processed,) = conn.execute(
                "SELECT count(*) FROM mail_inboundmessage WHERE status <> 'received'"
            ).fetchone()
            if processed >= target:
                done_at = time.perf_counter()
                break
            time.sleep(0.02)
        cpu_after = cpu_by_kind(desk, conn)
        sunk_at_done = len(desk.sink.messages) - sunk_before
        # Then until every mail the phase made (acknowledgements) is at the sink.
        delivered_at = None
        while time.perf_counter() - done_at < 120:
            (out_now,) = conn.execute(outbound).fetchone()
            if len(desk.sink.messages) - sunk_before >= out_now - out_before:
                delivered_at = time.perf_counter()
                break
            time.sleep(0.02)
        cpu_delivered = cpu_by_kind(desk, conn)
        outcomes = dict(
            conn.execute("SELECT outcome, count(*) FROM mail_inboundmessage GROUP BY 1").fetchall()
        )
    for thread in threads:
        thread.join()
    return {
        "n": len(messages),
        "accepted": max(accepted) - start,
        "processed": done_at - start,
        "sunk": sunk_at_done,
        "made": out_now - out_before,
        "delivered": None if delivered_at is None else delivered_at - start,
        "outcomes": outcomes,
        "cpu": cpu_used(cpu_before, cpu_after),
        "cpu_delivered": cpu_used(cpu_before, cpu_delivered),
    }


def report(title: str, r: dict, args: argparse.Namespace) -> None:
    print(f"{title}: {r['n']} messages, {args.clients} SMTP clients, {args.workers} workers")
    print(f"  SMTP 250 (stored):     {r['accepted']:.2f} s -> {r['n'] / r['accepted']:.0f} msg/s")
    print(f"  processed, committed:  {r['processed']:.2f} s -> {r['n'] / r['processed']:.0f} msg/s")
    print(f"  outcomes so far: {r['outcomes']}; mail at the sink during the phase: {r['sunk']}")
    per = ", ".join(f"{k} {v / r['n'] * 1000:.1f}" for k, v in r["cpu"].items())
    print(f"  CPU ms per message: {per} (PostgreSQL: its backends still open at the end)")
    if r["made"]:
        if r["delivered"] is None:
            print(f"  mail out: {r['made']} made, not all at the sink within 120 s")
        else:
            per = ", ".join(f"{k} {v / r['n'] * 1000:.1f}" for k, v in r["cpu_delivered"].items())
            print(
                f"  and all {r['made']} mails made delivered to the sink: {r['delivered']:.2f} s "
                f"-> {r['n'] / r['delivered']:.0f} msg/s; CPU ms per message to then: {per}"
            )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=1000)
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--interval", type=float, default=0.05, help="worker poll interval")
    parser.add_argument("--claim", type=int, default=0, help="tasks claimed at a time")
    args = parser.parse_args()
    if not os.environ.get("DATABASE_URL", "").startswith("postgres"):
        sys.exit("set DATABASE_URL to a PostgreSQL server (any database; a fresh one is made)")
    os.environ.setdefault("SLADESK_MAIL_FOLLOW_SECONDS", "0")
    # One customer sends everything: lift the per-sender automatic-reply limit.
    os.environ.setdefault("SLADESK_MAIL_AUTOREPLY_LIMIT", "1000000")
    os.environ.setdefault("DEBUG", "0")  # production: no query log, no debug templates
    print(
        f"load average {os.getloadavg()[0]:.2f} (1 min) at the start; "
        f"machine index {machine_index():.1f} µs (tickets_bench.py: lower is faster)"
    )
    desk = Desk(
        workers=args.workers,
        interval=args.interval,
        worker_args=("--claim", str(args.claim)) if args.claim else (),
    )
    run = str(int(time.time()))
    try:
        url = desk.env["DATABASE_URL"]
        new = phase(
            desk, url, [TEMPLATE.format(n=n, run=run).encode() for n in range(args.messages)], args
        )
        report("new requests -> tickets", new, args)
        with psycopg.connect(url, autocommit=True) as conn:
            acks = conn.execute(
                "SELECT message_id, subject FROM mail_outboundmessage WHERE kind = 'acknowledgement'"
            ).fetchall()
        replies = [
            REPLY.format(n=n, run=run, ref=mid, subject=subject).encode()
            for n, (mid, subject) in enumerate(acks[: args.messages])
        ]
        report(
            "replies -> ticket messages", phase(desk, url, replies, args, base=args.messages), args
        )
    finally:
        desk.stop()
        print(
            f"load average {os.getloadavg()[0]:.2f} (1 min) at the end; "
            f"machine index {machine_index():.1f} µs"
        )


if __name__ == "__main__":
    main()
