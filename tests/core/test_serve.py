"""``sladesk serve``: the desk behind its HTTP server, as an operator starts it."""

from __future__ import annotations

import http.client
import json
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def desk_env(tmp_path: Path) -> dict[str, str]:
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "sladesk.config.settings.dev",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'desk.sqlite3'}",
        "SLADESK_VAR_DIR": str(tmp_path),
        "LOG_LEVEL": "WARNING",
    }
    env.pop("SLADESK_TEST_ASYNC_UNSAFE", None)
    env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    return env


def serve(tmp_path: Path, *args: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "sladesk", "serve", *args],
        env=desk_env(tmp_path),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )


def get(
    port: int, method: str, path: str, body: bytes | None = None
) -> tuple[int, bytes, http.client.HTTPMessage]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=20)
    try:
        headers = {"Content-Type": "application/json"} if body is not None else {}
        conn.request(method, path, body=body, headers=headers)
        response = conn.getresponse()
        return response.status, response.read(), response.msg
    finally:
        conn.close()


def wait_until_serving(port: int, process: subprocess.Popen[str]) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        assert process.poll() is None, f"serve stopped: {process.stderr.read()}"  # type: ignore[union-attr]
        try:
            get(port, "GET", "/api/health")
            return
        except OSError:
            time.sleep(0.1)
    raise AssertionError("serve did not answer within 30 s")


@pytest.fixture
def desk(tmp_path):
    port = free_port()
    process = serve(tmp_path, "--port", str(port), "--workers", "2", "--threads", "2")
    try:
        wait_until_serving(port, process)
        yield port, process
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(10)


def children_of(pid: int) -> list[int]:
    found = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat") as f:
                    ppid = int(f.read().rsplit(")", 1)[1].split()[1])
            except OSError:
                continue
            if ppid == pid:
                found.append(int(entry))
    return found


class TestServing:
    def test_it_prints_where_it_serves_and_answers_the_api(self, desk):
        port, process = desk
        status, body, headers = get(port, "GET", "/api/health")
        assert status == 200
        assert json.loads(body)["status"] == "ok"
        assert headers["Content-Type"].startswith("application/json")
        line = process.stdout.readline()
        assert f"serving on http://127.0.0.1:{port}/" in line
        assert "2 processes x 2 threads" in line

    def test_refusals_keep_the_api_error_shape(self, desk):
        port, _ = desk
        # A body of a few hundred kilobytes crosses many reads of the request stream.
        big = json.dumps({"subject": "x" * 300_000}).encode()
        status, body, _ = get(port, "POST", "/api/tickets", big)
        assert status == 401
        assert json.loads(body)["error"]["code"] == "unauthenticated"

    def test_static_files_are_served(self, desk):
        port, _ = desk
        status, body, headers = get(port, "GET", "/static/web/desk.css")
        assert status == 200
        assert body
        assert headers["Content-Type"].startswith("text/css")

    def test_it_runs_the_processes_asked_for_and_stops_them_on_sigterm(self, desk):
        port, process = desk
        deadline = time.monotonic() + 30  # the second process may still be starting
        while len(workers := children_of(process.pid)) < 2 and time.monotonic() < deadline:
            time.sleep(0.1)
        assert len(workers) == 2
        with open(f"/proc/{workers[0]}/cmdline", "rb") as f:  # ps tells servers apart
            assert f"sladesk serve 127.0.0.1:{port} worker-".encode() in f.read()
        process.send_signal(signal.SIGTERM)
        assert process.wait(30) == 0, process.stderr.read()
        time.sleep(0.5)
        assert all(not Path(f"/proc/{pid}").exists() for pid in workers)
        with pytest.raises(OSError):
            get(port, "GET", "/api/health")


def test_a_host_name_is_served_on_its_address_with_the_access_log_on_stderr(tmp_path):
    port = free_port()
    process = serve(
        tmp_path, "--host", "localhost", "--port", str(port), "--workers", "1", "--access-log"
    )
    try:
        wait_until_serving(port, process)
        assert get(port, "GET", "/api/health")[0] == 200
        line = process.stdout.readline()
        assert f"serving on http://localhost:{port}/  (1 process x 4 threads" in line
    finally:
        process.send_signal(signal.SIGTERM)
        out, err = process.communicate(timeout=30)
    assert '"GET /api/health HTTP/1.1" 200' in err
    assert "/api/health" not in out


def test_ctrl_c_in_a_terminal_stops_every_process(desk):
    """Ctrl-C signals the whole process group, workers included (they once hung on it)."""
    port, process = desk
    deadline = time.monotonic() + 30
    while len(workers := children_of(process.pid)) < 2 and time.monotonic() < deadline:
        time.sleep(0.1)
    for _ in range(4):  # both workers have served
        assert get(port, "GET", "/api/health")[0] == 200
    os.killpg(process.pid, signal.SIGINT)
    process.wait(20)
    time.sleep(0.5)
    assert all(not Path(f"/proc/{pid}").exists() for pid in workers)


class TestRefusals:
    def test_a_port_in_use_is_named_in_one_line(self, tmp_path):
        with socket.socket() as taken:
            taken.bind(("127.0.0.1", 0))
            taken.listen()
            port = taken.getsockname()[1]
            process = serve(tmp_path, "--port", str(port))
            out, err = process.communicate(timeout=30)
        assert process.returncode != 0
        lines = err.strip().splitlines()
        assert len(lines) == 1
        assert f"port {port} on 127.0.0.1 is in use" in lines[0]

    @pytest.mark.parametrize(
        ("args", "why"),
        [
            (["--port", "70000"], "--port must be between 1 and 65535 (got 70000)"),
            (["--host", "no-such-host.invalid"], "--host 'no-such-host.invalid' is not an address"),
        ],
    )
    def test_a_bad_address_is_refused_in_one_line(self, tmp_path, args, why):
        process = serve(tmp_path, *args)
        out, err = process.communicate(timeout=30)
        assert process.returncode != 0
        assert why in err and len(err.strip().splitlines()) == 1
        assert "serving" not in out

    def test_an_access_log_setting_that_is_not_a_boolean_is_refused(self, tmp_path):
        env = desk_env(tmp_path) | {"ACCESS_LOG": "maybe"}
        result = subprocess.run(
            [sys.executable, "-m", "sladesk", "serve", "--port", str(free_port())],
            env=env,
            capture_output=True,
            text=True,
            timeout=30,
        )
        assert result.returncode != 0
        assert "ACCESS_LOG='maybe' is not a boolean" in result.stderr
        assert "serving" not in result.stdout

    @pytest.mark.parametrize("option", ["--workers", "--threads"])
    def test_no_processes_or_threads_is_refused(self, tmp_path, option):
        process = serve(tmp_path, "--port", str(free_port()), option, "0")
        out, err = process.communicate(timeout=30)
        assert process.returncode != 0
        assert f"{option} must be at least 1 (got 0)" in err
        assert "serving" not in out

    def test_help_explains_the_options(self, tmp_path):
        result = subprocess.run(
            [sys.executable, "-m", "sladesk", "serve", "--help"],
            env=desk_env(tmp_path),
            capture_output=True,
            text=True,
            timeout=30,
        )
        assert result.returncode == 0
        for words in ("--workers", "--threads", "--access-log", "WEB_CONCURRENCY", "granian"):
            assert words in result.stdout
