"""``sladesk serve``: run the desk behind gunicorn (production-grade WSGI server)."""

from __future__ import annotations

import os
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser


class Command(BaseCommand):
    help = (
        "Serve the desk over HTTP with gunicorn. Static files are served by WhiteNoise. "
        "Run several of these (or raise --workers) against one PostgreSQL database to scale out; "
        "run `sladesk worker` beside them for background work."
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
            help="worker processes (default 2; env WEB_CONCURRENCY)",
        )
        parser.add_argument("--threads", type=int, default=4, help="threads per worker (default 4)")
        parser.add_argument(
            "--reload", action="store_true", help="restart workers when code changes (development)"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        from gunicorn.app.base import BaseApplication

        from sladesk.config.wsgi import application

        bind = f"{options['host']}:{options['port']}"
        config = {
            "bind": bind,
            "workers": options["workers"],
            "threads": options["threads"],
            "reload": options["reload"],
            "accesslog": "-",
            "errorlog": "-",
            "timeout": 120,
        }

        class DeskApplication(BaseApplication):  # type: ignore[misc]
            def load_config(self) -> None:
                for key, value in config.items():
                    self.cfg.set(key, value)

            def load(self) -> Any:
                return application

        url_host = "127.0.0.1" if options["host"] in {"0.0.0.0", "::"} else options["host"]
        self.stdout.write(
            f"sladesk is serving on http://{url_host}:{options['port']}/  (Ctrl-C to stop)"
        )
        try:
            DeskApplication().run()
        except SystemExit as exc:
            if exc.code not in (0, None):
                raise CommandError(
                    f"the web server stopped (exit {exc.code}); is port {options['port']} free?"
                ) from None
