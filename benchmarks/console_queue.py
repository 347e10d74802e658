"""The agent console's queue page over 1,000,000 tickets: server time of the whole page.

    .venv/bin/python benchmarks/console_queue.py                  # create, seed, measure, drop
    .venv/bin/python benchmarks/console_queue.py --reuse --keep   # on tickets_seed.py --keep's database
    .venv/bin/python benchmarks/console_queue.py --tickets 100000  # a smaller seed

Seeds with ``tickets_bench.seed`` (2,000 organisations, 1,000,000 open tickets with their
first-response clocks; see that file), in its own database (``--db``, default
``sladesk_bench_console``), on the production settings. Then, in this one process, the
HTML page ``GET /console/?queue=<q>[&filters]`` through Django's test client, signed in as
a support engineer (session authentication, the principal, the queue selector, one
prefetch of the clocks, the clock state and first warning instant of each of the 50 rows,
template rendering; no network). The desk's clock is set to the seed's instant ``T0``
so that "breaching soon" and "breached" have their seeded share.

Quoted per queue: median and p95 of ``--requests`` calls after a warm-up, and the query
count (the same for every queue and page). Target: p95 <= 150 ms.
"""

from __future__ import annotations

import statistics
import time

from tickets_bench import T0, arguments, bench_database, log

QUEUES = (
    ("mine", "queue=mine"),
    ("my teams", "queue=team"),
    ("senior team", "queue=senior"),
    ("unassigned", "queue=unassigned"),
    ("breaching soon", "queue=soon"),
    ("breached", "queue=breached"),
    ("all open", "queue=all"),
    ("all open, premier L1", "queue=all&plan=premier&severity=L1"),
    ("all open, one organisation", "queue=all&organisation=customer-00042"),
    ("all open, category bug", "queue=all&category=bug"),
)


def pct(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


def main() -> None:
    parser = arguments(__doc__ or "")
    parser.add_argument("--requests", type=int, default=200)
    parser.set_defaults(db="sladesk_bench_console")
    args = parser.parse_args()
    with bench_database(args):
        from django.core.management import call_command
        from django.db import connection
        from django.test import Client

        from sladesk.accounts.models import Agent
        from sladesk.core import time as desk_time

        desk_time.now = lambda: T0  # the seed's "now"
        # The production settings serve hashed static names from the manifest.
        call_command("collectstatic", interactive=False, verbosity=0)
        with connection.cursor() as c:
            c.execute("ANALYZE")
            c.execute("SELECT count(*) FROM tickets_ticket")
            total = c.fetchone()[0]
        agent = Agent.objects.select_related("user").get(user__email="agent0@desk.example")
        client = Client(HTTP_HOST="127.0.0.1")
        client.force_login(agent.user)
        log(f"{total:,} tickets; measuring {len(QUEUES)} queues x {args.requests} requests")

        executed: list[str] = []

        def count(execute, sql, params, many, context):  # type: ignore[no-untyped-def]
            executed.append(sql)
            return execute(sql, params, many, context)

        rows = []
        for label, query in QUEUES:
            url = f"/console/?{query}"
            for _ in range(10):  # warm-up
                assert client.get(url).status_code == 200
            executed.clear()
            with connection.execute_wrapper(count):
                response = client.get(url)
            shown = response.content.count(b"data-href=")
            samples = []
            for _ in range(args.requests):
                started = time.perf_counter()
                response = client.get(url)
                samples.append((time.perf_counter() - started) * 1000)
                assert response.status_code == 200
            rows.append((label, shown, len(executed), statistics.median(samples), pct(samples, 95)))
            log(f"{label}: {shown} rows, p50 {rows[-1][3]:.1f} ms, p95 {rows[-1][4]:.1f} ms")

        print(f"\n{total:,} tickets, {args.requests} requests per queue after 10 warm-up calls\n")
        print("| queue | rows | queries | median ms | p95 ms |")
        print("| --- | --- | --- | --- | --- |")
        for label, shown, queries, median, p95 in rows:
            print(f"| {label} | {shown} | {queries} | {median:.1f} | {p95:.1f} |")
        worst = max(r[4] for r in rows)
        print(
            f"\nworst p95: {worst:.1f} ms (target <= 150 ms): {'met' if worst <= 150 else 'NOT met'}"
        )


if __name__ == "__main__":
    main()
