"""What a web process does once, before its first request.

``ready_to_serve`` loads what every request needs anyway (the URL map, the policy, the
triage language detector; a broken policy file is logged, not raised) and then freezes the garbage collector's view of everything
loaded so far (``gc.freeze``). Without the freeze, each full collection walked the
~150,000 objects Django, the policy, the holiday calendars and the API schemas leave
behind, a pause of tens of milliseconds that stopped every request thread of the
process at once: the long tail of the API's latency (benchmarks/RESULTS.md, "The HTTP
server"). Frozen objects are never collected, which is what they are anyway: they live
as long as the process.
"""

from __future__ import annotations

import gc
import logging
import time

logger = logging.getLogger(__name__)


def ready_to_serve() -> None:
    """Load what every request uses, then freeze it out of the garbage collector's walks.

    Set ``SLADESK_GC_FREEZE=0`` to skip the freeze (to measure without it).
    """
    from django.urls import get_resolver

    from sladesk.config.env import env_bool
    from sladesk.policy import PolicyError, get_policy
    from sladesk.tickets import triage

    started = time.perf_counter()
    get_resolver().reverse_dict  # noqa: B018 - imports every URL module and builds the map
    try:
        triage.warm_up(get_policy())
    except PolicyError as exc:
        # The process still starts: a policy file broken while the desk runs is reported
        # where the policy is used (docs/policy.md), not by a server that will not start
        # its workers again (granian stops when a restarted worker keeps dying).
        logger.error("policy not loaded before serving: %s", exc)
    if not env_bool("SLADESK_GC_FREEZE", default=True):
        return
    gc.collect()
    gc.freeze()
    logger.debug(
        "ready to serve in %.0f ms; %d objects frozen",
        (time.perf_counter() - started) * 1000,
        gc.get_freeze_count(),
    )
