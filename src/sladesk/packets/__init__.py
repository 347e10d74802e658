"""Support packets, logs and configs: redacted, read, and checked for known problems.

The engine (``intake``, ``safezip``, ``redact``, ``logs``, ``facts``, ``findings``,
``analysis``) is plain Python with no Django import, so it can be tested, benchmarked and
reused on its own. The Django layer (``models``, ``services``, ``selectors``, the
``packet`` command) stores only redacted artefacts and writes facts onto environments.
"""
