"""The console log handler follows sys.stderr instead of keeping a closed stream."""

from __future__ import annotations

import io
import logging
import sys

from sladesk.core.logs import ConsoleHandler


def test_records_go_to_the_stderr_of_the_moment(monkeypatch):
    handler = ConsoleHandler()
    handler.setFormatter(logging.Formatter("%(message)s"))
    first = io.StringIO()
    monkeypatch.setattr(sys, "stderr", first)
    handler.emit(logging.makeLogRecord({"msg": "one"}))
    first.close()  # replaced and closed, as a test runner does between tests
    second = io.StringIO()
    monkeypatch.setattr(sys, "stderr", second)
    handler.emit(logging.makeLogRecord({"msg": "two"}))
    assert second.getvalue() == "two\n"
