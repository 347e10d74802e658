"""Seed 1,000,000 tickets across 2,000 organisations into a fresh PostgreSQL database.

    .venv/bin/python benchmarks/tickets_seed.py            # seed, report, drop
    .venv/bin/python benchmarks/tickets_seed.py --keep     # leave sladesk_bench for the others

See ``tickets_bench.py`` for what is seeded and how.
"""

from __future__ import annotations

import time

from tickets_bench import arguments, bench_database, log


def main() -> None:
    args = arguments(__doc__ or "").parse_args()
    args.reuse = False
    started = time.perf_counter()
    with bench_database(args) as info:
        from django.db import connection

        total = time.perf_counter() - started
        with connection.cursor() as c:
            c.execute("SELECT pg_size_pretty(pg_database_size(current_database()))")
            size = c.fetchone()[0]
            c.execute("SELECT count(*) FROM tickets_ticketclock WHERE next_check_at IS NOT NULL")
            indexed = c.fetchone()[0]
        log(
            f"seeded {info['tickets']:,} tickets / {info['orgs']:,} organisations in "
            f"{total:.0f} s total (COPY {info['copy_seconds']:.0f} s); database {size}; "
            f"first-response clocks: {info['met']:,} met, {info['running']:,} running "
            f"({info['breached']:,} breached), {indexed:,} in the next-check index"
        )


if __name__ == "__main__":
    main()
