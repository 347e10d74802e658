from __future__ import annotations

from django.apps import AppConfig

#: Statements up to this long, with up to this many parameters, have their conversion
#: (``%s`` -> ``$1``) remembered by psycopg. Its defaults (4,096 characters, 50
#: parameters) leave out the desk's one-statement ticket opening (``core.rows.
#: insert_linked``: about 7,000 characters and up to ~115 parameters, room left for new
#: columns), whose conversion then
#: cost about 0.25 ms of CPU per opening. The cache holds 128 statements either way; a
#: psycopg without these names is left as it is.
PSYCOPG_CACHED_STATEMENT_LENGTH = 16_384
PSYCOPG_CACHED_STATEMENT_PARAMS = 256


class CoreConfig(AppConfig):
    name = "sladesk.core"
    label = "core"
    verbose_name = "sladesk core"

    def ready(self) -> None:
        try:
            from psycopg import _queries
        except ImportError:  # pragma: no cover - SQLite-only installs
            return
        if hasattr(_queries, "MAX_CACHED_STATEMENT_LENGTH") and hasattr(
            _queries, "MAX_CACHED_STATEMENT_PARAMS"
        ):
            _queries.MAX_CACHED_STATEMENT_LENGTH = max(
                _queries.MAX_CACHED_STATEMENT_LENGTH, PSYCOPG_CACHED_STATEMENT_LENGTH
            )
            _queries.MAX_CACHED_STATEMENT_PARAMS = max(
                _queries.MAX_CACHED_STATEMENT_PARAMS, PSYCOPG_CACHED_STATEMENT_PARAMS
            )
