"""``sladesk serve``: run the desk behind granian (a production HTTP server, WSGI interface).

Why granian and not gunicorn: on the same 2 processes x 4 threads, granian (HTTP in
Rust, outside the GIL; requests queue for a thread in turn) opened 515-658 tickets/s
through the API at 32 clients with a p99 of 78-105 ms, gunicorn's threaded worker
468-520/s with 137-150 ms; its ceiling on a do-nothing endpoint was 6,154 against
4,326 requests/s (benchmarks/RESULTS.md, "The HTTP server").
"""

from __future__ import annotations

import errno
import os
import socket
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

#: The WSGI application granian's worker processes import.
APPLICATION = "sladesk.config.wsgi:application"
#: Seconds granian keeps an idle request thread (its maximum): a quiet desk does not
#: start threads anew on every burst.
THREAD_IDLE_SECONDS = 600


def _env_flag(name: str) -> bool:
    return os.environ.get(name, "").strip().lower() in {"1", "true", "yes", "on"}


def port_free_check(host: str, port: int) -> None:
    """Raise ``CommandError`` saying so if ``host:port`` cannot be bound."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((host, port))
        except OSError as exc:
            why = "is in use" if exc.errno == errno.EADDRINUSE else f"cannot be bound ({exc})"
            raise CommandError(f"port {port} on {host} {why}; choose another with --port") from None


class Command(BaseCommand):
    help = (
        "Serve the desk over HTTP with granian (WSGI: --workers processes x --threads "
        "request threads each). Static files are served by WhiteNoise. Run several of these "
        "(or raise --workers) against one PostgreSQL database to scale out; run "
        "`sladesk worker` beside them for background work."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--host",
            default=os.environ.get("HOST", "127.0.0.1"),
            help="address to bind (default 127.0.0.1; env HOST)",
        )
        parser.add_argument(
            "--port",
            type=int,
            default=int(os.environ.get("PORT", "8000")),
            help="port (default 8000; env PORT)",
        )
        parser.add_argument(
            "--workers",
            type=int,
            default=int(os.environ.get("WEB_CONCURRENCY", "2")),
            help="worker processes (default 2; env WEB_CONCURRENCY): one per core",
        )
        parser.add_argument(
            "--threads",
            type=int,
            default=int(os.environ.get("WEB_THREADS", "4")),
            help="request threads per worker (default 4; env WEB_THREADS); each holds one "
            "database connection",
        )
        parser.add_argument(
            "--access-log",
            action="store_true",
            default=_env_flag("ACCESS_LOG"),
            help="log every request to standard error (default off: the proxy in front "
            "usually keeps the access log; env ACCESS_LOG=1)",
        )
        parser.add_argument(
            "--reload", action="store_true", help="restart workers when code changes (development)"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        from granian.constants import Interfaces
        from granian.log import LogLevels
        from granian.server import Server

        host, port = options["host"], options["port"]
        for name in ("workers", "threads"):
            if options[name] < 1:
                raise CommandError(f"--{name} must be at least 1 (got {options[name]})")
        port_free_check(host, port)
        server = Server(
            APPLICATION,
            address=host,
            port=port,
            interface=Interfaces.WSGI,
            workers=options["workers"],
            blocking_threads=options["threads"],
            blocking_threads_idle_timeout=THREAD_IDLE_SECONDS,
            log_level=LogLevels.warning,
            log_access=options["access_log"],
            respawn_failed_workers=True,
            reload=options["reload"],
            process_name="sladesk serve",
        )
        url_host = "127.0.0.1" if host in {"0.0.0.0", "::"} else host
        self.stdout.write(
            f"sladesk is serving on http://{url_host}:{port}/  "
            f"({options['workers']} processes x {options['threads']} threads; Ctrl-C to stop)"
        )
        self.stdout.flush()
        server.serve()
