"""The support policy: the contract as data, loaded from a TOML file and validated.

``get_policy()`` returns the policy the desk runs on, cached per file path and
modification time. The path comes from the Django setting ``SLADESK_POLICY`` when
Django settings are configured, else the environment variable ``SLADESK_POLICY``,
else the shipped default (``data/mattermost.toml``).

This package imports no Django at module level, so ``sladesk.sla`` works in a plain
Python process; the Django app config (``apps.py``) and system check (``checks.py``)
are imported only by Django.
"""

from __future__ import annotations

import os
import sys
import threading
from typing import Final

from sladesk.policy.loader import (
    PolicyError,
    Problem,
    default_policy_path,
    load_policy,
    load_policy_text,
)
from sladesk.policy.schema import (
    CalendarSpec,
    ContactRules,
    Entitlements,
    HolidayRule,
    Plan,
    Policy,
    ProductionRule,
    ReleaseRule,
    ScopeExclusion,
    Severity,
    Target,
)

__all__ = [
    "CalendarSpec",
    "ContactRules",
    "Entitlements",
    "HolidayRule",
    "Plan",
    "Policy",
    "PolicyError",
    "Problem",
    "ProductionRule",
    "ReleaseRule",
    "ScopeExclusion",
    "Severity",
    "Target",
    "clear_policy_cache",
    "default_policy_path",
    "get_policy",
    "load_policy",
    "load_policy_text",
    "policy_path",
]

_DEFAULT: Final = str(default_policy_path())
# path -> (mtime_ns, size, the policy or the error it raised)
_cache: dict[str, tuple[int, int, Policy | PolicyError]] = {}
_lock = threading.Lock()


def policy_path() -> str:
    """Return the path of the policy file in force, read at call time (never at import).

    Django's setting wins when Django is in use and configured; a process that never
    imported Django (a script calling ``sladesk.sla``) reads the environment.
    """
    conf = sys.modules.get("django.conf")
    if conf is not None:
        settings = conf.settings
        if settings.configured:
            configured: str | os.PathLike[str] | None = getattr(settings, "SLADESK_POLICY", None)
            if configured:
                return os.fspath(configured)
            return _DEFAULT
    return os.environ.get("SLADESK_POLICY") or _DEFAULT


def get_policy() -> Policy:
    """Return the policy in force, loading it again only when its file changes.

    Raise ``PolicyError`` if the file is invalid (the error is cached too, so a bad
    file is not parsed again on every call until it changes).
    """
    path = policy_path()
    try:
        stat = os.stat(path)
        key = (stat.st_mtime_ns, stat.st_size)
    except OSError:
        key = (-1, -1)
    cached = _cache.get(path)
    if cached is not None and cached[:2] == key:
        found = cached[2]
    else:
        with _lock:
            try:
                found = load_policy(path)
            except PolicyError as exc:
                found = exc
            _cache[path] = (*key, found)
    if isinstance(found, PolicyError):
        raise found
    return found


def clear_policy_cache() -> None:
    """Forget every cached policy (tests that rewrite a file within one mtime tick)."""
    with _lock:
        _cache.clear()
