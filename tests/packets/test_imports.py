"""The engine is plain Python: importing it pulls in no Django module."""

from __future__ import annotations

import subprocess
import sys

ENGINE = [
    "analysis",
    "crypto",
    "facts",
    "findings",
    "intake",
    "logs",
    "redact",
    "results",
    "safezip",
]


def test_engine_imports_no_django():
    code = (
        "import sys\n"
        + "".join(f"import sladesk.packets.{m}\n" for m in ENGINE)
        + "bad = sorted(m for m in sys.modules if m.startswith('django'))\n"
        + "print(','.join(bad))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == ""
