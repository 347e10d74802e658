"""sladesk: a support desk whose SLA clock is exactly right.

Importing this package imports no Django: ``sladesk.clock`` and ``sladesk.sla`` are
library code usable from a plain Python process.
"""

from __future__ import annotations

__version__ = "0.1.0"
