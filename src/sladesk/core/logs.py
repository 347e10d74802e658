"""Logging handlers of the desk."""

from __future__ import annotations

import logging
import sys
from typing import TextIO


class ConsoleHandler(logging.StreamHandler):  # type: ignore[type-arg]
    """Write each record to whatever ``sys.stderr`` is when it is written.

    ``logging.StreamHandler`` keeps the stream it was created with; when something
    replaces ``sys.stderr`` later (a test runner capturing output, a daemon redirecting
    it) and closes the old one, every record then fails with "I/O operation on closed
    file" instead of being written.
    """

    def __init__(self) -> None:
        super().__init__()

    @property
    def stream(self) -> TextIO:
        return sys.stderr

    @stream.setter
    def stream(self, value: TextIO) -> None:
        """Ignored: the current ``sys.stderr`` is always used."""
