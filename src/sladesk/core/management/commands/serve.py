"""``sladesk serve``: run the desk behind granian (a production HTTP server, WSGI interface).

Why granian and not gunicorn: on the same 2 processes x 4 threads, granian (HTTP in
Rust, outside the GIL; requests queue for a thread in turn) opened 515-658 tickets/s
through the API at 32 clients with a p99 of 78-105 ms, gunicorn's threaded worker
468-520/s with 137-150 ms; its ceiling on a do-nothing endpoint was 6,154 against
4,326 requests/s (benchmarks/RESULTS.md, "The HTTP server").
"""

from __future__ import annotations

import argparse
import errno
import ipaddress
import os
import socket
from pathlib import Path
from typing import Any

from django.core.exceptions import ImproperlyConfigured
from django.core.management.base import BaseCommand, CommandError, CommandParser

from sladesk.config.env import env_bool

#: The WSGI application granian's worker processes import.
APPLICATION = "sladesk.core.serving:application"
#: Seconds granian keeps an idle request thread (its maximum): a quiet desk does not
#: start threads anew on every burst.
THREAD_IDLE_SECONDS = 600
#: Seconds a worker process has to finish its requests once told to stop before it is
#: killed: a worker signalled while it was still starting sometimes never stopped.
STOP_SECONDS = 10


def address_of(host: str) -> str:
    """Return the IP address ``host`` names (granian binds addresses, not names).

    Raise ``CommandError`` if it names none.
    """
    try:
        return str(ipaddress.ip_address(host))
    except ValueError:
        pass
    try:
        found = socket.getaddrinfo(host, None, type=socket.SOCK_STREAM)
    except OSError as exc:
        raise CommandError(
            f"--host {host!r} is not an address this machine can resolve ({exc})"
        ) from None
    ipv4 = [info[4][0] for info in found if info[0] == socket.AF_INET]
    return str(ipv4[0] if ipv4 else found[0][4][0])


def port_free_check(address: str, port: int) -> None:
    """Raise ``CommandError`` saying so if ``address:port`` cannot be bound."""
    if not 1 <= port <= 65535:
        raise CommandError(f"--port must be between 1 and 65535 (got {port})")
    family = socket.AF_INET6 if ":" in address else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((address, port))
        except OSError as exc:
            why = "is in use" if exc.errno == errno.EADDRINUSE else f"cannot be bound ({exc})"
            raise CommandError(
                f"port {port} on {address} {why}; choose another with --port"
            ) from None


#: granian's log handlers, on standard error (its own default is standard output), so
#: the access log and worker messages go where the desk's other logs go.
LOG_HANDLERS = {
    "handlers": {
        "console": {
            "formatter": "generic",
            "class": "logging.StreamHandler",
            "stream": "ext://sys.stderr",
        },
        "access": {
            "formatter": "access",
            "class": "logging.StreamHandler",
            "stream": "ext://sys.stderr",
        },
    }
}


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
            action=argparse.BooleanOptionalAction,
            default=None,
            help="log every request to standard error (default off: the proxy in front "
            "usually keeps the access log; env ACCESS_LOG=1)",
        )
        parser.add_argument(
            "--reload",
            action="store_true",
            help="restart the workers when the desk's Python code changes (development)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        from granian.constants import Interfaces
        from granian.log import LogLevels
        from granian.server import Server

        host, port = options["host"], options["port"]
        for name in ("workers", "threads"):
            if options[name] < 1:
                raise CommandError(f"--{name} must be at least 1 (got {options[name]})")
        if options["access_log"] is None:
            try:
                options["access_log"] = env_bool("ACCESS_LOG", default=False)
            except ImproperlyConfigured as exc:
                raise CommandError(str(exc)) from None
        address = address_of(host)
        port_free_check(address, port)
        reload: dict[str, Any] = {}
        if options["reload"]:
            import watchfiles

            import sladesk

            # The package's Python files only: var/ (the SQLite database, uploads, logs)
            # changes on every request.
            reload = {
                "reload": True,
                "reload_paths": [Path(sladesk.__file__).parent],
                "reload_filter": watchfiles.PythonFilter,
            }
        server = Server(
            APPLICATION,
            address=address,
            port=port,
            interface=Interfaces.WSGI,
            workers=options["workers"],
            blocking_threads=options["threads"],
            blocking_threads_idle_timeout=THREAD_IDLE_SECONDS,
            log_level=LogLevels.warning,
            log_dictconfig=LOG_HANDLERS,
            log_access=options["access_log"],
            respawn_failed_workers=True,
            workers_kill_timeout=STOP_SECONDS,
            process_name=f"sladesk serve {address}:{port}",
            **reload,
        )
        url_host = "127.0.0.1" if address in {"0.0.0.0", "::"} else host
        workers, threads = options["workers"], options["threads"]
        self.stdout.write(
            f"sladesk is serving on http://{url_host}:{port}/  ({workers} "
            f"process{'es' if workers != 1 else ''} x {threads} thread{'s' if threads != 1 else ''}"
            "; Ctrl-C to stop)"
        )
        self.stdout.flush()
        server.serve()
