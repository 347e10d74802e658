#!/usr/bin/env python
"""Django's command-line utility for sladesk (same as the ``sladesk`` command)."""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent / "src"))

from sladesk.__main__ import main  # noqa: E402

if __name__ == "__main__":
    main()
