"""An agent's queue over 1,000,000 tickets: the first 50 by due, filtered by team.

    .venv/bin/python benchmarks/tickets_queue.py                  # create, seed, measure, drop
    .venv/bin/python benchmarks/tickets_queue.py --reuse --keep   # on tickets_seed.py --keep's database

Server time, in this one process: ``GET /api/tickets?team=<slug>&open=true&sort=due&limit=50``
through Django's test client (token authentication, the ``ticket_list`` selector,
cursor pagination, the JSON rendering with organisation, plan and clock columns; no
network), and the selector alone (``ticket_list`` + ``paginate_sorted`` + one prefetch).
Quoted: median and p95 of ``--requests`` calls per team after a warm-up, and the query
count for page sizes 10, 50 and 200 (it must not grow). Target: p95 <= 30 ms.
"""

from __future__ import annotations

import statistics
import time

from tickets_bench import arguments, bench_database, log


def pct(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


def main() -> None:
    parser = arguments(__doc__ or "")
    parser.add_argument("--requests", type=int, default=300)
    args = parser.parse_args()
    with bench_database(args):
        from django.db import connection
        from django.test import Client
        from django.test.utils import CaptureQueriesContext

        from sladesk.accounts.actor import Actor
        from sladesk.accounts.models import Agent
        from sladesk.accounts.services import api_token_create
        from sladesk.core import time as desk_time
        from sladesk.tickets.api import paginate_sorted
        from sladesk.tickets.selectors import TicketFilters, ticket_list

        agent = Agent.objects.select_related("user").get(user__email="agent0@desk.example")
        _, secret = api_token_create(user=agent.user, scopes=("read",), actor=Actor.system())
        client = Client(HTTP_AUTHORIZATION=f"Bearer {secret}", HTTP_HOST="127.0.0.1")

        def call(team: str, limit: int = 50) -> dict:
            response = client.get(
                "/api/tickets", {"team": team, "open": "true", "sort": "due", "limit": limit}
            )
            assert response.status_code == 200, response.content[:300]
            return response.json()

        def selector(team: str, limit: int = 50) -> list:
            qs = ticket_list(filters=TicketFilters(team=team, open_only=True), now=desk_time.now())
            rows, _ = paginate_sorted(qs, sort="due", cursor=None, limit=limit)
            for ticket in rows:
                list(ticket.clocks.all())
            return rows

        lines = []
        for team in ("support", "senior"):
            page = call(team)
            first = page["items"][0]
            assert len(page["items"]) == 50
            log(
                f"{team}: first row #{first['id']} due {first.get('due_at')} "
                f"({len(first.get('clocks', []))} clock(s), org {first.get('organisation')}, "
                f"plan {first.get('plan_id', first.get('plan'))})"
            )
            counts = {}
            for limit in (10, 50, 200):
                with CaptureQueriesContext(connection) as ctx:
                    call(team, limit)
                counts[limit] = len(ctx.captured_queries)
            for _ in range(20):
                call(team)
            api_times, sel_times = [], []
            for _ in range(args.requests):
                started = time.perf_counter()
                call(team)
                api_times.append((time.perf_counter() - started) * 1000)
                started = time.perf_counter()
                selector(team)
                sel_times.append((time.perf_counter() - started) * 1000)
            line = (
                f"team {team}: API median {statistics.median(api_times):.1f} ms, "
                f"p95 {pct(api_times, 95):.1f} ms; selector median "
                f"{statistics.median(sel_times):.1f} ms, p95 {pct(sel_times, 95):.1f} ms; "
                f"queries for 10/50/200 rows: {counts[10]}/{counts[50]}/{counts[200]}"
            )
            log(line)
            lines.append(line)
        with connection.cursor() as c:
            c.execute(
                "EXPLAIN ANALYZE SELECT t.id FROM tickets_ticket t JOIN accounts_team s "
                "ON s.id = t.team_id WHERE s.slug = 'support' AND NOT t.status IN "
                "('solved', 'closed') ORDER BY t.due_at ASC NULLS LAST, t.id LIMIT 51"
            )
            log("plan:\n" + "\n".join(r[0] for r in c.fetchall()))
        print("\n".join(lines))


if __name__ == "__main__":
    main()
