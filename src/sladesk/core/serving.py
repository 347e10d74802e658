"""The WSGI application as ``sladesk serve``'s worker processes load it.

Ctrl-C in a terminal sends SIGINT to the whole process group: granian's main process
and its workers alike. Interrupted directly, a worker hung on its way out and kept the
server running; the main process alone stops them cleanly. So the workers ignore
SIGINT and leave stopping to it (SIGTERM is unchanged).
"""

from __future__ import annotations

import signal
import threading

from sladesk.config.wsgi import application

__all__ = ["application"]

if threading.current_thread() is threading.main_thread():
    signal.signal(signal.SIGINT, signal.SIG_IGN)
