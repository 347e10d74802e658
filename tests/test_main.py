"""The ``sladesk`` command stops quietly when the reader of its output goes away."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from sladesk.__main__ import EXIT_BROKEN_PIPE

SLADESK = [sys.executable, "-m", "sladesk"]
ROOT = Path(__file__).resolve().parent.parent


def test_closed_stdout_gives_no_traceback_and_exit_141():
    read, write = os.pipe()
    os.close(read)  # the reader is gone before the first write: every write is EPIPE
    try:
        done = subprocess.run(
            [*SLADESK, "help"],
            stdout=write,
            stderr=subprocess.PIPE,
            text=True,
            cwd=ROOT,
            check=False,
            timeout=120,
        )
    finally:
        os.close(write)
    assert "Traceback" not in done.stderr and "BrokenPipeError" not in done.stderr, done.stderr
    assert done.returncode == EXIT_BROKEN_PIPE == 141


def test_piping_into_head_is_quiet():
    head = subprocess.Popen(["head", "-1"], stdin=subprocess.PIPE, stdout=subprocess.PIPE)
    assert head.stdin is not None
    done = subprocess.run(
        [*SLADESK, "help"],
        stdout=head.stdin,
        stderr=subprocess.PIPE,
        text=True,
        cwd=ROOT,
        check=False,
        timeout=120,
    )
    head.stdin.close()
    assert head.stdout is not None
    first = head.stdout.read()
    head.stdout.close()
    assert head.wait(timeout=30) == 0 and first  # the first line (blank for help)
    assert "Traceback" not in done.stderr, done.stderr
    assert done.returncode in (0, EXIT_BROKEN_PIPE)


def test_normal_output_exits_zero():
    done = subprocess.run(
        [*SLADESK, "help"], capture_output=True, text=True, cwd=ROOT, check=False, timeout=120
    )
    assert done.returncode == 0 and done.stdout.strip(), done.stderr
