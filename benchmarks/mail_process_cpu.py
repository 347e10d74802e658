"""CPU per e-mail new request, in process: ingest, processing task, delivery, on PostgreSQL.

Makes its own database (``sladesk_mailcpu_<random>``, dropped at the end), migrates and
seeds it like ``tests/mail/e2e.py`` (an Enterprise customer), starts an ``aiosmtpd``
sink in another process as the outgoing relay, then, in this process, ``--rounds``
times: stores ``--messages`` new requests with ``mail_ingest`` (the SMTP server's
share, without aiosmtpd), and runs one in-process ``sladesk worker`` (claim 8) over
every task they cause (processing, then the outbox delivery). It prints the CPU
(``time.process_time``) and the statements per message of each part, and the median
over the rounds. ``--profile FILE`` writes a cProfile (process time) of the worker part
of the last round; ``--queries`` prints the statements of one ``mail_process``.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres \\
        .venv/bin/python benchmarks/mail_process_cpu.py --messages 300 --rounds 5
"""

from __future__ import annotations

import argparse
import cProfile
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

import psycopg

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tickets_bench import StatementCounter, backend_cpu  # noqa: E402

TEMPLATE = (
    "From: Gus Grissom <gus@globex.example>\r\n"
    "To: support@sladesk.localhost\r\n"
    "Subject: Benchmark request {n}: messages arrive late\r\n"
    "Message-ID: <cpu-{n}-{run}@globex.example>\r\n"
    "Date: Wed, 25 Nov 2026 18:00:00 +0000\r\n"
    "MIME-Version: 1.0\r\n"
    "Content-Type: text/plain; charset=utf-8\r\n\r\n"
    "Since this morning messages arrive about ten minutes late for everyone.\r\n"
    "The server log shows nothing unusual. Request number {n}.\r\n"
)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=300)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--profile", default="", help="write a cProfile of the last round here")
    parser.add_argument("--queries", action="store_true", help="print one processing's SQL")
    args = parser.parse_args()
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith("postgres"):
        sys.exit("set DATABASE_URL to a PostgreSQL server (a fresh database is made)")
    name = f"sladesk_mailcpu_{uuid.uuid4().hex[:8]}"
    admin = url.rsplit("/", 1)[0] + "/postgres"
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    tmp = Path(tempfile.mkdtemp(prefix="sladesk-mailcpu-"))
    port = free_port()
    sink = subprocess.Popen(
        [sys.executable, "-m", "aiosmtpd", "-n", "-c", "aiosmtpd.handlers.Sink"]
        + ["-l", f"127.0.0.1:{port}"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    os.environ.update(
        {
            "DJANGO_SETTINGS_MODULE": "sladesk.config.settings.dev",
            "DEBUG": "0",
            "DATABASE_URL": url.rsplit("/", 1)[0] + "/" + name,
            "DB_CONN_MAX_AGE": "600",
            "SLADESK_VAR_DIR": str(tmp),
            "MEDIA_ROOT": str(tmp / "media"),
            "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "EMAIL_HOST": "127.0.0.1",
            "EMAIL_PORT": str(port),
            "SLADESK_SUPPORT_ADDRESSES": "support@sladesk.localhost",
            "SLADESK_MAIL_AUTOREPLY_LIMIT": "1000000",
            "SLADESK_MAIL_FOLLOW_SECONDS": "0",
            "LOG_LEVEL": "WARNING",
        }
    )
    try:
        run(args)
    finally:
        from django.db import connections

        connections.close_all()
        sink.terminate()
        sink.wait(timeout=10)
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        shutil.rmtree(tmp, ignore_errors=True)


def run(args: argparse.Namespace) -> None:
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.test.utils import CaptureQueriesContext
    from tests.mail.e2e import SEED

    from sladesk.core.management.commands.worker import DeskWorker
    from sladesk.mail.models import InboundMessage
    from sladesk.mail.services import mail_ingest, mail_process

    call_command("migrate", "--noinput", verbosity=0)
    exec(SEED, {})  # noqa: S102 (our own seed script)
    worker = DeskWorker(
        worker_id="cpu:1",
        queues=["*"],
        interval=0.05,
        sweep_interval=5,
        sweep_limit=1000,
        sweep=False,
        tasks=True,
    )
    worker.keep_connections()
    stamp = str(int(time.time()))

    def batch(label: str, n: int) -> list[bytes]:
        return [TEMPLATE.format(n=i, run=f"{stamp}-{label}").encode() for i in range(n)]

    # Warm up: caches, templates, the connection, the rotation row.
    for raw in batch("warm", 30):
        mail_ingest(raw=raw, via="smtp")
    while worker.run_one_task():
        pass

    if args.queries:
        raw = TEMPLATE.format(n=0, run=f"{stamp}-q").encode()
        row = mail_ingest(raw=raw, via="smtp", process=False).inbound
        with CaptureQueriesContext(connection) as ctx:
            mail_process(inbound_id=row.pk)
        for i, q in enumerate(ctx.captured_queries, 1):
            print(f"{i:2} {q['time']:>6} {q['sql'][:300]}")
        print(f"{len(ctx)} statements")

    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        (backend,) = cursor.fetchone()
    results = []
    for r in range(args.rounds):
        raws = batch(f"r{r}", args.messages)
        ingest_q = StatementCounter()
        with connection.execute_wrapper(ingest_q):
            t0, p0 = time.process_time(), backend_cpu(backend)
            for raw in raws:
                mail_ingest(raw=raw, via="smtp")
            t1, p1 = time.process_time(), backend_cpu(backend)
        profiler = cProfile.Profile(time.process_time) if args.profile else None
        work_q = StatementCounter()
        with connection.execute_wrapper(work_q):
            t2, p2 = time.process_time(), backend_cpu(backend)
            if profiler is not None:
                profiler.enable()
            while worker.run_one_task():
                pass
            worker.sweep()  # anything the batches left (none expected)
            if profiler is not None:
                profiler.disable()
            t3, p3 = time.process_time(), backend_cpu(backend)
        n = args.messages
        done = InboundMessage.objects.filter(outcome="ticket_opened").count()
        results.append(
            (
                (t1 - t0) / n * 1000,
                ingest_q.count / n,
                (t3 - t2) / n * 1000,
                work_q.count / n,
                (p1 - p0) / n * 1000,
                (p3 - p2) / n * 1000,
            )
        )
        print(
            f"round {r + 1}: ingest {results[-1][0]:.2f} ms, {results[-1][1]:.1f} q; "
            f"worker {results[-1][2]:.2f} ms, {results[-1][3]:.1f} q per message; "
            f"PostgreSQL {results[-1][4]:.2f} + {results[-1][5]:.2f} ms "
            f"({done} tickets opened so far)",
            flush=True,
        )
        if profiler is not None and r == args.rounds - 1:
            profiler.dump_stats(args.profile)
    med = [statistics.median(x[i] for x in results) for i in range(6)]
    print(
        f"median of {args.rounds} rounds of {args.messages}, per message: "
        f"ingest {med[0]:.2f} ms CPU, {med[1]:.1f} statements; "
        f"worker {med[2]:.2f} ms CPU, {med[3]:.1f} statements; "
        f"PostgreSQL backend {med[4]:.2f} ms (ingest) + {med[5]:.2f} ms (worker)"
    )


if __name__ == "__main__":
    main()
