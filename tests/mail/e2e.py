"""A desk running out of process for the end-to-end tests and the benchmarks.

``Desk`` gives ``sladesk mail serve`` and ``sladesk worker`` their own database (a SQLite
file, or a fresh PostgreSQL database when ``DATABASE_URL`` is PostgreSQL), a real SMTP
sink (``aiosmtpd`` on loopback) as their outgoing relay, and seeds an Enterprise customer.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

from aiosmtpd.controller import Controller

REPO = Path(__file__).resolve().parents[2]
SEED = """
import datetime as dt
from sladesk.accounts.actor import Actor
from sladesk.accounts.services import contact_add, organisation_create, subscription_add
from sladesk.accounts.services import release_catalogue_load, release_file_parse
from sladesk.accounts.services.releases import shipped_catalogue_path
cli = Actor.cli()
release_catalogue_load(specs=release_file_parse(shipped_catalogue_path()), actor=Actor.system())
today = dt.date.today()
org = organisation_create(name="Globex Inc", domains=["globex.example"], actor=cli)
subscription_add(organisation=org, plan_id="enterprise", starts_on=today - dt.timedelta(days=30), ends_on=today + dt.timedelta(days=300), actor=cli)
contact_add(organisation=org, email="gus@globex.example", name="Gus Grissom", named=None, actor=cli, now=dt.datetime.now(dt.UTC))
print("seeded")
"""


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Sink:
    """A real SMTP server on loopback that keeps what the desk sends."""

    def __init__(self) -> None:
        self.messages: list[tuple[str, list[str], bytes]] = []
        self.controller = Controller(self, hostname="127.0.0.1", port=free_port())

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 (aiosmtpd hook)
        self.messages.append(
            (envelope.mail_from, list(envelope.rcpt_tos), envelope.original_content)
        )
        return "250 OK"

    def start(self) -> int:
        self.controller.start()
        return self.controller.port

    def stop(self) -> None:
        self.controller.stop()


class Desk:
    def __init__(
        self, *, workers: int = 1, interval: float = 0.05, worker_args: tuple[str, ...] = ()
    ) -> None:
        self.tmp = Path(tempfile.mkdtemp(prefix="sladesk-mail-e2e-"))
        self.sink = Sink()
        self.sink_port = self.sink.start()
        self.pg_name = ""
        url = os.environ.get("DATABASE_URL", "")
        if url.startswith("postgres"):
            self.pg_name = f"sladesk_mail_e2e_{uuid.uuid4().hex[:8]}"
            self._pg(f'CREATE DATABASE "{self.pg_name}"')
            url = url.rsplit("/", 1)[0] + "/" + self.pg_name
        else:
            url = f"sqlite:///{self.tmp / 'desk.sqlite3'}"
        self.env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "sladesk.config.settings.dev",
            "DATABASE_URL": url,
            "SLADESK_VAR_DIR": str(self.tmp),
            "MEDIA_ROOT": str(self.tmp / "media"),
            "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "EMAIL_HOST": "127.0.0.1",
            "EMAIL_PORT": str(self.sink_port),
            "SLADESK_SUPPORT_ADDRESSES": "support@sladesk.localhost",
            "SLADESK_MAIL_MAX_MESSAGE_BYTES": os.environ.get(
                "SLADESK_MAIL_MAX_MESSAGE_BYTES", str(5 * 1024 * 1024)
            ),
            "LOG_LEVEL": "WARNING",
        }
        self.env.pop("SLADESK_TEST_ASYNC_UNSAFE", None)
        self.env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        self.run("migrate", "--noinput", "-v", "0")
        assert "seeded" in self.run("shell", "-c", SEED)
        self.server = subprocess.Popen(
            [*self.cmd(), "mail", "serve", "--host", "127.0.0.1", "--port", "0"],
            env=self.env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        line = self.server.stdout.readline()
        match = re.search(r"listening on 127\.0\.0\.1:(\d+)", line)
        assert match, f"mail serve did not start: {line}"
        self.port = int(match.group(1))
        self.workers = [
            subprocess.Popen(
                [*self.cmd(), "worker", "--interval", str(interval), *worker_args],
                env=self.env,
                stdout=subprocess.DEVNULL,
                stderr=open(self.tmp / f"worker{i}.log", "w"),  # noqa: SIM115
            )
            for i in range(workers)
        ]

    @staticmethod
    def cmd() -> list[str]:
        return [sys.executable, "-m", "sladesk"]

    def _pg(self, sql: str) -> None:
        import psycopg

        base = os.environ["DATABASE_URL"].rsplit("/", 1)[0] + "/postgres"
        with psycopg.connect(base, autocommit=True) as conn:
            conn.execute(sql)

    def run(self, *args: str) -> str:
        done = subprocess.run(
            [*self.cmd(), *args], env=self.env, capture_output=True, text=True, timeout=300
        )
        assert done.returncode == 0, done.stderr[-3000:]
        return done.stdout

    def query(self, code: str):
        """Run ``code`` (which sets ``result``) in the desk's database; return it as JSON data."""
        out = self.run(
            "shell", "-c", code + "\nimport json; print('JSON' + json.dumps(result, default=str))"
        )
        return json.loads(out.split("JSON", 1)[1])

    def wait_for(self, predicate, *, timeout: float = 30.0, every: float = 0.2):
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            value = predicate()
            if value:
                return value
            time.sleep(every)
        inbound = self.query(
            "from sladesk.mail.models import InboundMessage\n"
            "result = list(InboundMessage.objects.values_list('id', 'status', 'outcome', 'reason', 'error'))"
        )
        raise AssertionError(f"timed out waiting; inbound messages: {inbound}")

    def stop(self) -> None:
        for proc in [self.server, *self.workers]:
            proc.terminate()
        for proc in [self.server, *self.workers]:
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()
        self.sink.stop()
        if self.pg_name:
            self._pg(f'DROP DATABASE IF EXISTS "{self.pg_name}" WITH (FORCE)')
        shutil.rmtree(self.tmp, ignore_errors=True)  # media, logs, the SQLite file
