"""Ticket creation through the REST API at 32 concurrent clients, over 1,000,000 tickets.

    .venv/bin/python benchmarks/tickets_api.py                          # create, seed, measure, drop
    .venv/bin/python benchmarks/tickets_api.py --reuse --keep --workers 3 --threads 4
    .venv/bin/python benchmarks/tickets_api.py --reuse --keep --server gunicorn  # to compare

Server: ``sladesk serve`` (granian, ``--workers`` processes x ``--threads`` threads,
by default 2 x 4 as ``sladesk serve`` itself, one process per core; production
settings, persistent database connections) on 127.0.0.1; ``--server gunicorn``
runs gunicorn's threaded worker instead, to compare. Load generator:
this script, one process with ``--clients`` threads, each holding one keep-alive
HTTP/1.1 connection (``http.client``) and sending ``POST /api/tickets`` as one of 256
contacts (their own API tokens) back to back, for ``--seconds`` after a warm-up.
Server, load generator and PostgreSQL share the machine. Targets: >= 400 tickets/s,
p99 <= 150 ms.

``--health`` sends ``GET /api/health`` instead (no authentication, no database): the
ceiling of the same server, middleware and load generator on this machine, to read the
ticket figures against.
"""

from __future__ import annotations

import argparse
import http.client
import os
import random
import socket
import statistics
import subprocess
import sys
import threading
import time

from tickets_bench import (
    REPO,
    api_callers,
    arguments,
    bench_database,
    bench_env,
    log,
    machine_index,
    opening_body,
    remove_tickets_after,
)


def pct(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


def wait_for_port(port: int, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with socket.socket() as s:
            if s.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.2)
    raise RuntimeError(f"nothing listens on {port}")


def cpu_seconds(pids: list[int]) -> float:
    """Return the CPU time (user + system) the processes ``pids`` have used so far."""
    tick = os.sysconf("SC_CLK_TCK")
    total = 0.0
    for pid in pids:
        try:
            with open(f"/proc/{pid}/stat") as f:
                fields = f.read().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += (int(fields[11]) + int(fields[12])) / tick  # utime, stime
    return total


def server_pids(master: int, db: str) -> tuple[list[int], list[int]]:
    """Return the server's worker processes under ``master`` and the PostgreSQL backends of ``db``."""
    workers = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat") as f:
                    ppid = int(f.read().rsplit(")", 1)[1].split()[1])
            except OSError:
                continue
            if ppid == master:
                workers.append(int(entry))
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pid FROM pg_stat_activity WHERE datname = %s AND pid <> pg_backend_pid()",
            [db],
        )
        backends = [row[0] for row in cursor.fetchall()]
    return workers, backends


SERVER_NAMES = {"sladesk": "granian (sladesk serve)", "gunicorn": "gunicorn gthread"}


def server_command(args: argparse.Namespace) -> list[str]:
    """Return the command line of the server under test (``--server``)."""
    if args.server == "gunicorn":
        return [
            sys.executable,
            "-m",
            "gunicorn",
            "sladesk.config.wsgi:application",
            f"--bind=127.0.0.1:{args.port}",
            f"--workers={args.workers}",
            f"--threads={args.threads}",
            "--timeout=120",
        ]
    return [
        sys.executable,
        "-m",
        "sladesk",
        "serve",
        "--port",
        str(args.port),
        "--workers",
        str(args.workers),
        "--threads",
        str(args.threads),
    ]


def main() -> None:
    parser = arguments(__doc__ or "")
    parser.add_argument("--clients", type=int, default=32)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--threads", type=int, default=4)
    parser.add_argument("--seconds", type=float, default=30)
    parser.add_argument("--warmup", type=float, default=5)
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument(
        "--server",
        choices=("sladesk", "gunicorn"),
        default="sladesk",
        help="sladesk: `sladesk serve` (granian); gunicorn: gunicorn's threaded worker on the "
        "same WSGI application and shape, access log off too (`pip install gunicorn` first), "
        "to compare the two in one sitting",
    )
    parser.add_argument(
        "--health", action="store_true", help="GET /api/health instead: the server's ceiling"
    )
    args = parser.parse_args()
    with bench_database(args):
        from sladesk.tickets.models import Ticket

        callers = api_callers(256)
        before = Ticket.objects.count()
        last_id = Ticket.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
        from django.db import connections

        connections.close_all()

        cmd = server_command(args)
        server = subprocess.Popen(
            cmd,
            env=bench_env(args.db) | {"WEB_CONCURRENCY": str(args.workers)},
            cwd=REPO,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
        try:
            wait_for_port(args.port)
            time.sleep(2)
            probes: dict[str, float] = {}

            def probe(label: str) -> None:
                workers, backends = server_pids(server.pid, args.db)
                probes[f"{label}_web"] = cpu_seconds(workers)
                probes[f"{label}_db"] = cpu_seconds(backends)
                probes[f"{label}_me"] = cpu_seconds([os.getpid()])
                probes[f"{label}_n"] = Ticket.objects.count()

            results = load(args, callers, probe)
        finally:
            os.killpg(server.pid, 15)
            server.wait(30)
        after = Ticket.objects.count()
        ok = [ms for ms, status in results if status == 201]
        errors = len(results) - len(ok)
        rate = len(ok) / args.seconds
        line = (
            f"{'GET /api/health' if args.health else 'POST /api/tickets'}, {args.clients} "
            f"clients (1 load-generator process, {args.clients} threads), server "
            f"{args.workers} {SERVER_NAMES[args.server]} workers x {args.threads} threads: {rate:.0f} "
            f"{'requests' if args.health else 'tickets'}/s over {args.seconds:.0f} s; "
            f"latency median {statistics.median(ok):.0f} ms, p95 {pct(ok, 95):.0f} ms, "
            f"p99 {pct(ok, 99):.0f} ms, max {max(ok):.0f} ms; {errors} errors; "
            f"tickets {before:,} -> {after:,}; machine index {machine_index():.1f} µs"
        )
        made = probes["end_n"] - probes["start_n"]
        if made and not args.health:
            per = {
                k: (probes[f"end_{k}"] - probes[f"start_{k}"]) * 1000 / made
                for k in ("web", "db", "me")
            }
            line += (
                f"; CPU per ticket while measuring: web {per['web']:.1f} ms, PostgreSQL "
                f"{per['db']:.1f} ms, load generator {per['me']:.1f} ms"
            )
        log(line)
        print(line)
        if args.keep:
            log(f"removed the {remove_tickets_after(last_id):,} rows this run created")


def load(args, callers, probe) -> list[tuple[float, int]]:
    stop_at = [0.0]
    measuring = threading.Event()
    results: list[tuple[float, int]] = []
    lock = threading.Lock()
    statuses: dict[int, int] = {}
    samples: list[str] = []
    connection_means: list[float] = []

    def client(n: int) -> None:
        rng = random.Random(n)
        conn = http.client.HTTPConnection("127.0.0.1", args.port, timeout=60)
        mine: list[tuple[float, int]] = []
        while time.monotonic() < stop_at[0]:
            secret, env = callers[rng.randrange(len(callers))]
            body = opening_body(rng, env)
            started = time.perf_counter()
            try:
                if args.health:
                    conn.request("GET", "/api/health")
                else:
                    conn.request(
                        "POST",
                        "/api/tickets",
                        body=body,
                        headers={
                            "Authorization": f"Bearer {secret}",
                            "Content-Type": "application/json",
                        },
                    )
                response = conn.getresponse()
                data = response.read()
                status = response.status
            except (OSError, http.client.HTTPException):
                conn.close()
                conn = http.client.HTTPConnection("127.0.0.1", args.port, timeout=60)
                status = 0
                data = b""
            elapsed = (time.perf_counter() - started) * 1000
            if args.health and status == 200:
                status = 201  # counted as a success below
            if measuring.is_set():
                mine.append((elapsed, status))
                if status != 201:
                    with lock:
                        statuses[status] = statuses.get(status, 0) + 1
                        if len(samples) < 3:
                            samples.append(data[:300].decode(errors="replace"))
        with lock:
            results.extend(mine)
            if mine:
                connection_means.append(statistics.fmean(ms for ms, _ in mine))

    stop_at[0] = time.monotonic() + args.warmup + args.seconds
    threads = [threading.Thread(target=client, args=(n,)) for n in range(args.clients)]
    for t in threads:
        t.start()
    time.sleep(args.warmup)
    probe("start")
    measuring.set()
    log(f"warm-up done; measuring {args.seconds:.0f} s")
    for t in threads:
        t.join()
    probe("end")
    if statuses:
        log(f"non-201 answers: {statuses}; e.g. {samples}")
    # Each client keeps one connection, served by one server process: a spread here is
    # connections waiting on a busier process than others.
    means = sorted(connection_means)
    log(
        f"mean latency per connection: lowest {means[0]:.0f} ms, median "
        f"{statistics.median(means):.0f} ms, highest {means[-1]:.0f} ms"
    )
    return results


if __name__ == "__main__":
    main()
