"""The SLA sweep over 1,000,000 open tickets: none crossing, then 1,000 crossing a threshold.

    .venv/bin/python benchmarks/tickets_sweep.py                  # create, seed, measure, drop
    .venv/bin/python benchmarks/tickets_sweep.py --reuse --keep   # on tickets_seed.py --keep's database

Each figure is the median of ``--repeat`` runs of ``sla_sweep(now=...)`` in this one
process (its own transaction and COMMIT included). For the crossing case the instant
is the 1,000th smallest ``next_check_at`` after the seed's ``T0``; after each run the
events and notifications it wrote are deleted and the clocks restored, so every run
does the same work. Targets: <= 10 ms when none cross, <= 1 s for 1,000.
"""

from __future__ import annotations

import statistics
import time

from tickets_bench import T0, arguments, bench_database, log


def main() -> None:
    parser = arguments(__doc__ or "")
    parser.add_argument("--crossing", type=int, default=1000)
    parser.add_argument("--repeat", type=int, default=7)
    args = parser.parse_args()
    with bench_database(args):
        from django.db import connection

        from sladesk.notifications.models import Notification
        from sladesk.notifications.services import notifications_deliver_due
        from sladesk.policy import get_policy
        from sladesk.tickets.models import EventKind, Ticket, TicketClock, TicketEvent
        from sladesk.tickets.sweep import sla_sweep, sla_sweep_all

        policy = get_policy()
        open_tickets = Ticket.objects.exclude(status__in=["solved", "closed"]).count()
        indexed = TicketClock.objects.filter(next_check_at__isnull=False).count()
        log(f"{open_tickets:,} open tickets, {indexed:,} clocks in the next-check index")

        # None crossing: the sweep at T0 (the seed left every next check after T0; a
        # reused database may hold tickets other runs opened: catch up on those first).
        caught_up = sla_sweep_all(now=T0, policy=policy)
        if caught_up.clocks:
            log(f"catch-up before measuring: {caught_up}")
            Notification.objects.all().delete()
        idle = []
        for _ in range(max(args.repeat, 21)):
            started = time.perf_counter()
            result = sla_sweep(now=T0, policy=policy)
            idle.append(time.perf_counter() - started)
            assert result.clocks == 0, result
        log(
            f"none crossing: median {statistics.median(idle) * 1000:.2f} ms "
            f"(min {min(idle) * 1000:.2f}, max {max(idle) * 1000:.2f}) over {len(idle)} runs"
        )

        instant = (
            TicketClock.objects.filter(next_check_at__isnull=False)
            .order_by("next_check_at")
            .values_list("next_check_at", flat=True)[args.crossing - 1]
        )
        due = list(TicketClock.objects.filter(next_check_at__lte=instant))
        ids = [c.pk for c in due]
        log(f"sweep instant {instant.isoformat()}: {len(due):,} clocks cross")
        with connection.cursor() as c:
            c.execute(
                "EXPLAIN SELECT id FROM tickets_ticketclock WHERE next_check_at <= %s "
                "ORDER BY next_check_at, id LIMIT 2000",
                [instant],
            )
            plan = "\n".join(row[0] for row in c.fetchall())
        log("plan of the selection:\n" + plan)

        def restore() -> None:
            TicketEvent.objects.filter(
                clock_id__in=ids, kind__in=[EventKind.CLOCK_WARNING, EventKind.CLOCK_BREACHED]
            ).delete()
            Notification.objects.all().delete()
            TicketClock.objects.bulk_update(due, ["warned", "breached", "next_check_at"])

        busy = []
        outcome = None
        for _ in range(args.repeat):
            started = time.perf_counter()
            outcome = sla_sweep(now=instant, limit=max(2 * len(due), 1000), policy=policy)
            busy.append(time.perf_counter() - started)
            assert outcome.clocks == len(due) and not outcome.more, outcome
            restore()
        assert outcome is not None
        log(
            f"{len(due):,} crossing: median {statistics.median(busy) * 1000:.0f} ms "
            f"(min {min(busy) * 1000:.0f}, max {max(busy) * 1000:.0f}) over {len(busy)} runs; "
            f"{outcome.warnings} warnings, {outcome.breaches} breaches, "
            f"{outcome.notifications} notifications"
        )

        # For the record: delivering what one such sweep enqueued (in-app + log lines).
        sla_sweep(now=instant, limit=2 * len(due), policy=policy)
        import logging

        logging.getLogger("sladesk.notifications").setLevel(logging.WARNING)
        started = time.perf_counter()
        sent = 0
        while True:
            delivered = notifications_deliver_due(now=instant)
            sent += delivered.sent
            if not delivered.total:
                break
        delivery = time.perf_counter() - started
        log(f"outbox: {sent:,} notifications delivered in {delivery * 1000:.0f} ms")
        restore()
        print(
            f"sweep over {open_tickets:,} open tickets ({indexed:,} indexed clocks): "
            f"none crossing {statistics.median(idle) * 1000:.2f} ms median; "
            f"{len(due):,} crossing {statistics.median(busy) * 1000:.0f} ms median "
            f"[min {min(busy) * 1000:.0f}, max {max(busy) * 1000:.0f}]; "
            f"outbox delivery of {sent:,} in {delivery * 1000:.0f} ms"
        )


if __name__ == "__main__":
    main()
