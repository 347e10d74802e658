"""CPU per ticket opened through the REST API, in process, on PostgreSQL.

The same request as ``tickets_api.py`` (``POST /api/tickets`` with a contact's bearer
token, production settings, persistent connection) sent straight to Django's
``WSGIHandler`` in this process: no network, no gunicorn, no load generator. It
prints, per opening, the web CPU (``time.process_time``), the PostgreSQL backend's CPU
and the statements, for ``--rounds`` rounds of ``--requests`` and their median; this
is the figure that decides the API's rate on two cores (``tickets_api.py`` adds the
server and the load generator). It also prints a machine-speed index (µs for a fixed
pure-Python loop), so runs from different moments of a noisy machine can be compared.

    .venv/bin/python benchmarks/tickets_api_cpu.py                   # small database, dropped
    .venv/bin/python benchmarks/tickets_api_cpu.py --profile /tmp/api.prof --queries

``--profile FILE`` writes a cProfile (process time) of the last round; ``--queries``
prints the statements of one opening. The database (``--db``, default
``sladesk_apicpu``) is seeded with ``--orgs`` customers and ``--tickets`` tickets
like ``tickets_seed.py``.
"""

from __future__ import annotations

import cProfile
import io
import random
import statistics
import sys
import time

from tickets_bench import (
    StatementCounter,
    api_callers,
    arguments,
    backend_cpu,
    bench_database,
    log,
    machine_index,
    opening_body,
)


def main() -> None:
    parser = arguments(__doc__.splitlines()[0] if __doc__ else "")
    parser.set_defaults(db="sladesk_apicpu", orgs=200, tickets=20_000)
    parser.add_argument("--requests", type=int, default=300)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--profile", default="", help="write a cProfile of the last round here")
    parser.add_argument("--queries", action="store_true", help="print one opening's SQL")
    args = parser.parse_args()
    with bench_database(args):
        run(args)


def run(args) -> None:  # type: ignore[no-untyped-def]
    from django.core.handlers.wsgi import WSGIHandler
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from sladesk.tickets.models import Ticket

    callers = api_callers(64)
    last_id = Ticket.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    handler = WSGIHandler()
    rng = random.Random(1)

    def post() -> int:
        secret, env = callers[rng.randrange(len(callers))]
        body = opening_body(rng, env)
        environ = {
            "REQUEST_METHOD": "POST",
            "PATH_INFO": "/api/tickets",
            "SCRIPT_NAME": "",
            "QUERY_STRING": "",
            "SERVER_NAME": "127.0.0.1",
            "SERVER_PORT": "8000",
            "SERVER_PROTOCOL": "HTTP/1.1",
            "HTTP_HOST": "127.0.0.1:8000",
            "HTTP_AUTHORIZATION": f"Bearer {secret}",
            "CONTENT_TYPE": "application/json",
            "CONTENT_LENGTH": str(len(body)),
            "REMOTE_ADDR": "127.0.0.1",
            "wsgi.input": io.BytesIO(body),
            "wsgi.url_scheme": "http",
            "wsgi.errors": sys.stderr,
            "wsgi.version": (1, 0),
            "wsgi.multithread": True,
            "wsgi.multiprocess": True,
            "wsgi.run_once": False,
        }
        status: list[str] = []
        response = handler(environ, lambda s, h, exc_info=None: status.append(s))
        b"".join(response)
        response.close()
        return int(status[0].split()[0])

    for _ in range(30):  # warm up: caches, the connection, prepared statements
        assert post() == 201
    if args.queries:
        with CaptureQueriesContext(connection) as ctx:
            post()
        for i, q in enumerate(ctx.captured_queries, 1):
            print(f"{i:2} {q['time']:>6} {q['sql'][:240]}")
        print(f"{len(ctx)} statements")
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        (backend,) = cursor.fetchone()
    log(f"machine index {machine_index():.2f} µs (a fixed Python loop; lower is faster)")
    results = []
    try:
        for r in range(args.rounds):
            counter = StatementCounter()
            profiler = (
                cProfile.Profile(time.process_time)
                if args.profile and r == args.rounds - 1
                else None
            )
            with connection.execute_wrapper(counter):
                t0, p0 = time.process_time(), backend_cpu(backend)
                if profiler is not None:
                    profiler.enable()
                bad = sum(post() != 201 for _ in range(args.requests))
                if profiler is not None:
                    profiler.disable()
                t1, p1 = time.process_time(), backend_cpu(backend)
            n = args.requests
            web, pg, q = (t1 - t0) * 1000 / n, (p1 - p0) * 1000 / n, counter.count / n
            results.append((web, pg, q))
            log(
                f"round {r + 1}: web {web:.2f} ms, PostgreSQL {pg:.2f} ms, {q:.1f} statements "
                f"per opening{f'; {bad} not 201' if bad else ''}"
            )
            if profiler is not None:
                profiler.dump_stats(args.profile)
        web = statistics.median(x[0] for x in results)
        pg = statistics.median(x[1] for x in results)
        log(
            f"median of {args.rounds} rounds of {args.requests}: web {web:.2f} ms + "
            f"PostgreSQL {pg:.2f} ms = {web + pg:.2f} ms CPU per opening, "
            f"{results[0][2]:.1f} statements; machine index {machine_index():.2f} µs"
        )
    finally:
        Ticket.objects.filter(pk__gt=last_id).delete()


if __name__ == "__main__":
    main()
