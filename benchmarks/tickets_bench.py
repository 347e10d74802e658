"""Shared helpers of the tickets benchmarks: a throwaway PostgreSQL database and the seed.

Every ``benchmarks/tickets_*.py`` script creates its own database (``sladesk_bench``
unless ``--db`` says otherwise), migrates it, seeds it and drops it at the end, so
anyone can run it with a PostgreSQL server at ``PGHOST``/``PGPORT``/``PGUSER``
(default ``127.0.0.1:5432``, ``postgres``). ``--keep`` leaves the database for the next
script and ``--reuse`` takes an already seeded one (``tickets_seed.py --keep`` makes it).

The seed (``seed``): 2,000 organisations (15 % premier, 50 % enterprise, 35 %
professional) with a subscription, a contact and a production environment each,
created through the accounts services; 40 agents (10 senior, 30 on the support team);
then 1,000,000 open tickets and their first-response clocks written with ``COPY``.
Each clock comes from ``sladesk.tickets.sla.plan_clock`` (policy target, calendar,
due), and its state at the seed's instant ``T0`` from the same functions the services
and the sweep use: 65 % of the tickets had a first reply before their due (clock met),
the others still run, with the warnings and breach a sweep would have recorded by
``T0`` and ``next_check_at`` from ``sla.clock_next_check``. The ledger (events,
messages) is not seeded: no benchmark reads it.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import os
import random
import secrets
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
#: The seed's "now": Tuesday 1 December 2026, 10:00 in Los Angeles.
T0 = dt.datetime(2026, 12, 1, 18, 0, tzinfo=dt.UTC)
OPENED_SPREAD = dt.timedelta(days=14)
PLANS = (("premier", 0.15), ("enterprise", 0.50), ("professional", 0.35))
SEVERITIES = (("L1", 0.05), ("L2", 0.20), ("L3", 0.45), ("L4", 0.30))
CATEGORIES = ("troubleshooting", "configuration", "performance", "bug", "question", "upgrade")


def log(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def machine_index() -> float:
    """Return µs for one pass of a fixed pure-Python loop (lower is a faster machine)."""
    best = float("inf")
    for _ in range(5):
        started = time.perf_counter()
        total = 0
        for i in range(200_000):
            total += i % 7
        best = min(best, time.perf_counter() - started)
    return best * 1e6 / 200


def opening_body(rng: random.Random, environment_id: int | None) -> bytes:
    """Return the JSON body of one ``POST /api/tickets`` as the API benchmarks send it."""
    import json

    return json.dumps(
        {
            "subject": f"Push notifications are late ({rng.randrange(10**6)})",
            "description": "Since the upgrade, push notifications arrive minutes late "
            "for every user on the mobile apps.",
            "severity": rng.choice(["L2", "L3", "L3", "L4"]),
            "category": "troubleshooting",
            "environment_id": environment_id,
        }
    ).encode()


def api_callers(n: int) -> list[tuple[str, int | None]]:
    """Return (a new read-write API token, its environment's id) for the first ``n`` contacts."""
    from sladesk.accounts.actor import Actor
    from sladesk.accounts.models import Contact
    from sladesk.accounts.services import api_token_create

    callers = []
    for contact in Contact.objects.select_related("user", "organisation").order_by("pk")[:n]:
        env = contact.organisation.environments.values_list("pk", flat=True).first()
        _, secret = api_token_create(
            user=contact.user, scopes=("read", "write"), actor=Actor.system()
        )
        callers.append((secret, env))
    return callers


class StatementCounter:
    """A database execute wrapper that counts statements (cheaper than a query log)."""

    def __init__(self) -> None:
        self.count = 0

    def __call__(self, execute, sql, params, many, context):  # type: ignore[no-untyped-def]
        self.count += 1
        return execute(sql, params, many, context)


def backend_cpu(pid: int) -> float:
    """Return the user + system CPU seconds of process ``pid`` (a PostgreSQL backend) so far."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def pg_url(db: str) -> str:
    host = os.environ.get("PGHOST", "127.0.0.1")
    port = os.environ.get("PGPORT", "5432")
    user = os.environ.get("PGUSER", "postgres")
    password = os.environ.get("PGPASSWORD", "")
    auth = f"{user}:{password}@" if password else f"{user}@"
    return f"postgres://{auth}{host}:{port}/{db}"


def _admin(sql: str) -> None:
    import psycopg

    with psycopg.connect(pg_url("postgres"), autocommit=True) as conn:
        conn.execute(sql)


def database_exists(db: str) -> bool:
    import psycopg

    with psycopg.connect(pg_url("postgres"), autocommit=True) as conn:
        row = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [db]).fetchone()
    return row is not None


def create_database(db: str) -> None:
    _admin(f'DROP DATABASE IF EXISTS "{db}" WITH (FORCE)')
    _admin(f'CREATE DATABASE "{db}"')


def drop_database(db: str) -> None:
    _admin(f'DROP DATABASE IF EXISTS "{db}" WITH (FORCE)')


def bench_env(db: str) -> dict[str, str]:
    """Return the environment of a production-like desk on ``db`` (for Django and servers)."""
    env = dict(os.environ)
    env.update(
        DATABASE_URL=pg_url(db),
        DJANGO_SETTINGS_MODULE="sladesk.config.settings.prod",
        SECRET_KEY=env.get("SECRET_KEY") or secrets.token_urlsafe(64),
        SECURE_SSL_REDIRECT="0",
        SECURE_HSTS_SECONDS="0",
        DB_CONN_MAX_AGE="600",
        LOG_LEVEL="WARNING",
        SLADESK_VAR_DIR=str(REPO / "var" / "bench"),
    )
    return env


def django_setup(db: str) -> None:
    os.environ.update(bench_env(db))
    import django

    django.setup()


def arguments(description: str) -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument(
        "--db", default="sladesk_bench", help="database name (default sladesk_bench)"
    )
    parser.add_argument("--tickets", type=int, default=1_000_000)
    parser.add_argument("--orgs", type=int, default=2_000)
    parser.add_argument(
        "--reuse", action="store_true", help="use the seeded database left by a --keep run"
    )
    parser.add_argument("--keep", action="store_true", help="do not drop the database at the end")
    return parser


@contextlib.contextmanager
def bench_database(args: argparse.Namespace) -> Iterator[dict[str, Any]]:
    """Create, migrate and seed the database (or reuse it), set Django up; drop it after."""
    reused = args.reuse and database_exists(args.db)
    if not reused:
        create_database(args.db)
    django_setup(args.db)
    from django.core.management import call_command

    info: dict[str, Any] = {}
    try:
        if not reused:
            started = time.perf_counter()
            call_command("migrate", verbosity=0)
            log(f"migrated in {time.perf_counter() - started:.1f} s")
            info = seed(tickets=args.tickets, orgs=args.orgs)
        else:
            call_command("migrate", verbosity=0)  # apps added since the seed
            log(f"reusing the seeded database {args.db}")
        yield info
    finally:
        from django.db import connections

        connections.close_all()
        if not args.keep:
            drop_database(args.db)
            log(f"dropped {args.db}")


def _weighted(rng: random.Random, table: tuple[tuple[str, float], ...]) -> str:
    x = rng.random()
    for value, weight in table:
        if x < weight:
            return value
        x -= weight
    return table[-1][0]


def seed_accounts(*, orgs: int, rng: random.Random) -> dict[str, Any]:
    """Create the organisations, contacts, environments and agents through the services."""
    from django.db import transaction

    from sladesk.accounts.actor import Actor
    from sladesk.accounts.services import (
        EnvironmentInput,
        agent_add,
        contact_add,
        environment_add,
        organisation_create,
        release_catalogue_load,
        release_file_parse,
        subscription_add,
    )
    from sladesk.accounts.services.releases import shipped_catalogue_path

    actor = Actor.system(label="benchmark seed")
    release_catalogue_load(specs=release_file_parse(shipped_catalogue_path()), actor=actor)
    started = time.perf_counter()
    customers = []
    with transaction.atomic():
        for i in range(orgs):
            plan = _weighted(rng, PLANS)
            org = organisation_create(
                name=f"Customer {i:05d}", domains=[f"customer{i:05d}.example"], actor=actor
            )
            sub = subscription_add(
                organisation=org,
                plan_id=plan,
                starts_on=(T0 - dt.timedelta(days=180)).date(),
                ends_on=(T0 + dt.timedelta(days=720)).date(),
                actor=actor,
            )
            contact = contact_add(
                organisation=org,
                email=f"jane.doe@customer{i:05d}.example",
                name=f"Jane Doe {i:05d}",
                named=True,
                actor=actor,
                now=T0 - dt.timedelta(days=170),
            )
            env = environment_add(
                organisation=org,
                data=EnvironmentInput(name="production", is_production=True, version="10.11.8"),
                actor=actor,
                now=T0 - dt.timedelta(days=170),
            )
            customers.append((org.pk, plan, sub.pk, contact.pk, env.pk, sub.policy_version))
            if (i + 1) % 500 == 0:
                log(f"  {i + 1:,} organisations ({time.perf_counter() - started:.0f} s)")
        senior = [
            agent_add(
                email=f"senior{i}@desk.example",
                name=f"Senior {i}",
                role="senior_support_engineer",
                actor=actor,
            )
            for i in range(10)
        ]
        support = [
            agent_add(
                email=f"agent{i}@desk.example",
                name=f"Agent {i}",
                role="support_engineer",
                teams=["support"],
                actor=actor,
            )
            for i in range(30)
        ]
        # Every agent is on shift, so new tickets are assigned round robin as on a real desk.
        from sladesk.tickets.services import agent_availability_set

        for agent in (*senior, *support):
            agent_availability_set(
                agent=agent, on_shift=True, actor=actor, now=T0 - dt.timedelta(days=1)
            )
    log(f"{orgs:,} organisations and 40 agents on shift in {time.perf_counter() - started:.1f} s")
    return {"customers": customers, "senior": senior, "support": support}


def _copy(cursor: Any, table: str, columns: list[str], rows: list[tuple[Any, ...]]) -> None:
    with cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
        for row in rows:
            copy.write_row(row)


def seed(*, tickets: int, orgs: int, batch: int = 50_000) -> dict[str, Any]:
    """Seed ``orgs`` customers and ``tickets`` open tickets with their clocks; return figures."""
    from django.db import connection, transaction

    from sladesk.accounts.models import Team
    from sladesk.policy import get_policy
    from sladesk.tickets import sla
    from sladesk.tickets.models import Ticket, TicketClock

    rng = random.Random(20261201)
    policy = get_policy()
    accounts = seed_accounts(orgs=orgs, rng=rng)
    customers = accounts["customers"]
    teams = {t.slug: t.pk for t in Team.objects.filter(slug__in=["senior", "support"])}
    senior_ids = [a.pk for a in accounts["senior"]]
    support_ids = [a.pk for a in accounts["support"]]

    ticket_cols = [f.column for f in Ticket._meta.concrete_fields]
    clock_cols = [f.column for f in TicketClock._meta.concrete_fields]
    started = time.perf_counter()
    spread = int(OPENED_SPREAD.total_seconds())
    stats = {"met": 0, "running": 0, "breached": 0, "checks": 0}
    ticket_id = clock_id = 0
    with connection.cursor() as c:
        c.execute("SELECT COALESCE(MAX(id), 0) FROM tickets_ticket")
        ticket_id = c.fetchone()[0]
        c.execute("SELECT COALESCE(MAX(id), 0) FROM tickets_ticketclock")
        clock_id = c.fetchone()[0]
    done = 0
    while done < tickets:
        n = min(batch, tickets - done)
        ticket_rows: list[tuple[Any, ...]] = []
        clock_rows: list[tuple[Any, ...]] = []
        for _ in range(n):
            ticket_id += 1
            clock_id += 1
            org_id, plan, sub_id, contact_id, env_id, policy_version = customers[
                rng.randrange(len(customers))
            ]
            severity = _weighted(rng, SEVERITIES)
            opened = T0 - dt.timedelta(seconds=rng.randrange(spread))
            planned = sla.plan_clock(
                policy, plan_id=plan, kind="first_response", severity=severity, start=opened
            )
            assert planned is not None
            clock = TicketClock(
                id=clock_id,
                ticket_id=ticket_id,
                kind="first_response",
                seq=1,
                severity=severity,
                plan_id=plan,
                calendar=planned.calendar,
                target_label=planned.target_label,
                target_seconds=planned.target_seconds,
                started_at=planned.started_at,
                due_at=planned.due_at,
            )
            first_reply = None
            if rng.random() < 0.65:
                reply = opened + (planned.due_at - opened) * rng.uniform(0.05, 0.95)
                if reply <= T0:
                    first_reply = reply.replace(microsecond=0)
            if first_reply is not None:
                clock.met_at = first_reply
                clock.warned = sla.crossed_count(clock, now=first_reply, policy=policy)
                clock.next_check_at = None
                stats["met"] += 1
            else:
                clock.warned = sla.crossed_count(clock, now=T0, policy=policy)
                clock.breached = planned.due_at <= T0
                clock.next_check_at = sla.clock_next_check(clock, policy=policy)
                stats["running"] += 1
                stats["breached"] += clock.breached
                stats["checks"] += clock.next_check_at is not None
            senior = plan == "premier"
            team = teams["senior" if senior else "support"]
            pool = senior_ids if senior else support_ids
            values = {
                "id": ticket_id,
                "organisation_id": org_id,
                "environment_id": env_id,
                "requester_id": contact_id,
                "subscription_id": sub_id,
                "subject": f"Benchmark ticket {ticket_id}",
                "description": "Messages are delayed for every user since this morning.",
                "category": CATEGORIES[ticket_id % len(CATEGORIES)],
                "severity": severity,
                "severity_rank": policy.severities[severity].rank,
                "requested_severity": severity,
                "severity_reason": "as requested",
                "suggested_severity": "",
                "suggestion_reason": "",
                "status": "open" if first_reply else "new",
                "channel": "api",
                "team_id": team,
                "assignee_id": pool[ticket_id % len(pool)],
                "plan_id": plan,
                "policy_version": policy_version,
                "is_production": True,
                "server_version": "10.11.8",
                "flags": "[]",
                "opened_at": opened,
                "updated_at": first_reply or opened,
                "first_responded_at": first_reply,
                "solved_at": None,
                "closed_at": None,
                "due_at": None if first_reply else planned.due_at,
            }
            ticket_rows.append(tuple(values[col] for col in ticket_cols))
            clock_values = {
                f.column: getattr(clock, f.attname) for f in TicketClock._meta.concrete_fields
            }
            clock_values["pauses"] = "[]"
            clock_rows.append(tuple(clock_values[col] for col in clock_cols))
        with transaction.atomic(), connection.cursor() as c:
            _copy(c.cursor, "tickets_ticket", ticket_cols, ticket_rows)
            _copy(c.cursor, "tickets_ticketclock", clock_cols, clock_rows)
        done += n
        elapsed = time.perf_counter() - started
        log(f"  {done:,} tickets ({elapsed:.0f} s, {done / elapsed:,.0f} tickets/s)")
    with connection.cursor() as c:
        c.execute("SELECT setval(pg_get_serial_sequence('tickets_ticket', 'id'), %s)", [ticket_id])
        c.execute(
            "SELECT setval(pg_get_serial_sequence('tickets_ticketclock', 'id'), %s)", [clock_id]
        )
    seconds = time.perf_counter() - started
    log(f"{tickets:,} tickets and clocks copied in {seconds:.1f} s; VACUUM ANALYZE ...")
    vacuum_started = time.perf_counter()
    with connection.cursor() as c:
        c.execute("VACUUM ANALYZE")
    log(f"VACUUM ANALYZE in {time.perf_counter() - vacuum_started:.1f} s")
    return {"tickets": tickets, "orgs": orgs, "copy_seconds": seconds, **stats}


def remove_tickets_after(last_id: int) -> int:
    """Delete the tickets a benchmark created (ids above ``last_id``) and the queues it filled.

    Keeps a ``--keep`` database as the seed left it, for the next benchmark.
    """
    from django.db import connection
    from django_tasks_db.models import DBTaskResult

    from sladesk.notifications.models import Notification
    from sladesk.tickets.models import Ticket, TicketClock, TicketEvent, TicketMessage

    removed, _ = Ticket.objects.filter(pk__gt=last_id).delete()
    Notification.objects.all().delete()
    with connection.cursor() as c:
        c.execute(f"DELETE FROM {DBTaskResult._meta.db_table}")
        # Every table an opening writes, so that dead rows do not pile up from run to run
        # (they did on a server with autovacuum off: the API's CPU per ticket crept up).
        for model in (Ticket, TicketClock, TicketEvent, TicketMessage, Notification, DBTaskResult):
            c.execute(f"VACUUM ANALYZE {model._meta.db_table}")
    return removed


def run(cmd: list[str], **kwargs: Any) -> subprocess.CompletedProcess[str]:
    return subprocess.run(cmd, check=True, text=True, **kwargs)
