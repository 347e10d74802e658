"""Benchmark the packet engine on a big server log: throughput and peak memory.

Usage (from the repository root)::

    .venv/bin/python benchmarks/packet_log.py                  # 1 GiB log, 3 runs
    .venv/bin/python benchmarks/packet_log.py --size 200M --runs 1

It writes a synthetic ``mattermost.log`` (JSON lines as the vendor's logr formatter
writes them: a realistic mix of info/debug/warn/error lines, both timestamp layouts,
repeated error bursts, a sprinkling of secrets in URLs, headers and ``password=`` pairs)
into a temporary folder, then analyses it through the real path, in a fresh
interpreter per run: ``sladesk.packets.analysis.upload_analyse`` (what the
``packet_analyze`` service calls), i.e. the residual-secret scan and redaction of every
byte, the log reader (levels, bursts), the findings, and the redacted copy written to
disk. Throughput is input MB (10^6 bytes) per second of wall time; memory is the
child's peak RSS (``resource.getrusage(RUSAGE_SELF).ru_maxrss``), next to the RSS of an
interpreter that only imported the engine. The folder is deleted afterwards.
Targets (issue 8): at least 50 MB/s, peak under 200 MB.
"""

from __future__ import annotations

import argparse
import json
import platform
import random
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

TARGET_MBPS = 50.0
TARGET_PEAK_MB = 200.0

_INFO = [
    ("app/server.go:1012", "Server is listening on [::]:8065"),
    ("app/web_hub.go:120", "Websocket connection established"),
    ("app/post.go:310", "Post created"),
    ("app/notification.go:80", "Sent push notification"),
    ("jobs/server.go:54", "Checking job status"),
    ("app/session.go:201", "Refreshed session token for user"),
    ("web/handlers.go:180", "Processing request"),
    ("app/plugin.go:77", "Plugin activated"),
]
_WARN = [
    (
        "app/user.go:165",
        "Failed to send welcome email on create user with inviteId",
        "authentication failed: 535 Authentication Credentials Invalid",
    ),
    ("app/web_conn.go:800", "websocket.slow: dropping message", "send buffer full"),
    ("app/login.go:90", "login failed", "invalid credentials"),
]
_ERROR = [
    (
        "sqlstore/store.go:312",
        "Failed to ping DB",
        "dial tcp 10.0.1.5:5432: connect: connection refused",
    ),
    ("ldap/sync.go:140", "LDAP sync failed", 'LDAP Result Code 49 "Invalid Credentials"'),
    ("searchengine/es.go:77", "Failed to index post", "elasticsearch: 503 Service Unavailable"),
    ("app/file.go:420", "Unable to upload file", "AccessDenied: Access Denied"),
]


def _dumps(fields: dict[str, object]) -> str:
    return json.dumps(fields, separators=(",", ":"))  # as logr writes: no spaces


def _timestamp(n: int, *, iso: bool) -> str:
    seconds = n // 40
    h, m, s = (seconds // 3600) % 24, (seconds // 60) % 60, seconds % 60
    ms = (n * 7) % 1000
    if iso:
        return f"2026-05-20T{h:02d}:{m:02d}:{s:02d}.{ms:03d}Z"
    return f"2026-05-20 {h:02d}:{m:02d}:{s:02d}.{ms:03d} Z"


def _line(n: int, rnd: random.Random) -> str:
    ts = _timestamp(n, iso=n % 5 == 0)
    r = rnd.random()
    rid = f"{n:026x}"[-26:]
    if r < 0.06:
        caller, msg, err = _ERROR[n % len(_ERROR)]
        return _dumps(
            {
                "timestamp": ts,
                "level": "error",
                "msg": msg,
                "caller": caller,
                "request_id": rid,
                "error": err,
            }
        )
    if r < 0.14:
        caller, msg, err = _WARN[n % len(_WARN)]
        return _dumps(
            {
                "timestamp": ts,
                "level": "warn",
                "msg": msg,
                "caller": caller,
                "path": "/api/v4/users",
                "request_id": rid,
                "ip_addr": "172.20.0.1",
                "method": "POST",
                "error": err,
            }
        )
    if r < 0.145:
        # secrets that must be redacted
        return _dumps(
            {
                "timestamp": ts,
                "level": "debug",
                "msg": "Outgoing request",
                "caller": "app/http.go:12",
                "header": "Authorization: Bearer abcd1234efgh5678ijkl",
                "url": "https://hook:pw123@hooks.example.com/x",
                "detail": "password=hunter2",
            }
        )
    if r < 0.2945:
        caller, msg = _INFO[n % len(_INFO)]
        return _dumps(
            {
                "timestamp": ts,
                "level": "debug",
                "msg": msg,
                "caller": caller,
                "request_id": rid,
                "user_id": "k3x9a8b7c6d5e4f3g2h1j0k9l8",
            }
        )
    if r < 0.29451:
        return _dumps(
            {
                "timestamp": ts,
                "level": "fatal",
                "msg": "runtime error: invalid memory address",
                "caller": "app/app.go:1",
            }
        )
    caller, msg = _INFO[n % len(_INFO)]
    return _dumps(
        {
            "timestamp": ts,
            "level": "info",
            "msg": msg,
            "caller": caller,
            "path": "/api/v4/channels/members/me/view",
            "request_id": rid,
            "user_id": "k3x9a8b7c6d5e4f3g2h1j0k9l8",
            "method": "POST",
            "status_code": 200,
        }
    )


def generate(path: Path, size: int, *, seed: int = 8) -> int:
    """Write about ``size`` bytes of log lines to ``path``; return the exact size."""
    rnd = random.Random(seed)
    written = 0
    n = 0
    with open(path, "w", encoding="utf-8") as out:
        while written < size:
            block = []
            for _ in range(20_000):
                block.append(_line(n, rnd))
                n += 1
            text = "\n".join(block) + "\n"
            out.write(text)
            written += len(text.encode())
    return written


def child(path: str, out_dir: str) -> None:
    """Analyse ``path`` once; print JSON with seconds and peak RSS (run in a fresh process)."""
    from sladesk.packets.analysis import upload_analyse

    baseline = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    start = time.perf_counter()
    with open(path, "rb") as source, open(Path(out_dir) / "redacted.log", "wb") as output:
        analysis = upload_analyse(source=source, name="mattermost.log", output=output)
    seconds = time.perf_counter() - start
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    log = analysis.logs[0]
    print(
        json.dumps(
            {
                "seconds": seconds,
                "bytes": analysis.bytes_in,
                "peak_mb": peak,
                "baseline_mb": baseline,
                "lines": log.lines,
                "levels": log.levels,
                "bursts": len(log.bursts),
                "redacted": analysis.redacted_count,
                "findings": [f.rule_id for f in analysis.findings],
            }
        )
    )


def _size(text: str) -> int:
    units = {"K": 1 << 10, "M": 1 << 20, "G": 1 << 30}
    text = text.strip().upper().removesuffix("B").removesuffix("I")
    if text and text[-1] in units:
        return int(float(text[:-1]) * units[text[-1]])
    return int(text)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--size", default="1G", help="log size (e.g. 1G, 200M); default 1G")
    parser.add_argument("--runs", type=int, default=3, help="runs (median reported); default 3")
    parser.add_argument("--child", nargs=2, metavar=("LOG", "OUT_DIR"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(*args.child)
        return
    size = _size(args.size)
    with tempfile.TemporaryDirectory(prefix="sladesk-bench-") as work:
        log = Path(work) / "mattermost.log"
        started = time.perf_counter()
        actual = generate(log, size)
        print(
            f"generated {actual / 1e6:,.0f} MB in {time.perf_counter() - started:.0f} s",
            file=sys.stderr,
        )
        results = []
        for run in range(args.runs):
            proc = subprocess.run(
                [sys.executable, __file__, "--child", str(log), work],
                capture_output=True,
                text=True,
                check=True,
            )
            result = json.loads(proc.stdout)
            results.append(result)
            mbps = result["bytes"] / 1e6 / result["seconds"]
            print(
                f"run {run + 1}: {mbps:.1f} MB/s, {result['seconds']:.1f} s, peak RSS {result['peak_mb']:.0f} MB",
                file=sys.stderr,
            )
    speeds = [r["bytes"] / 1e6 / r["seconds"] for r in results]
    peak = max(r["peak_mb"] for r in results)
    first = results[0]
    print(f"python {platform.python_version()} on {platform.machine()}, {platform.system()}")
    print(
        f"input: {first['bytes'] / 1e6:,.0f} MB, {first['lines']:,} lines, levels {first['levels']}"
    )
    print(
        f"redacted values: {first['redacted']:,}; bursts: {first['bursts']}; findings: {', '.join(first['findings'])}"
    )
    print(
        f"throughput: median {statistics.median(speeds):.1f} MB/s (runs: {', '.join(f'{s:.1f}' for s in speeds)}); target >= {TARGET_MBPS:.0f}"
    )
    print(
        f"peak RSS: {peak:.0f} MB (interpreter + engine imported: {first['baseline_mb']:.0f} MB); target < {TARGET_PEAK_MB:.0f}"
    )
    ok = statistics.median(speeds) >= TARGET_MBPS and peak < TARGET_PEAK_MB
    print("targets met" if ok else "TARGETS NOT MET")


if __name__ == "__main__":
    main()
