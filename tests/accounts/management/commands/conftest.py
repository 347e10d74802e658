"""Run management commands in-process and capture what they print."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError


class Ran:
    def __init__(self, out: str, err: str) -> None:
        self.out, self.err = out, err


@pytest.fixture
def sladesk():
    """Return ``sladesk(*args)`` -> printed output; a refusal raises ``CommandError``."""

    def run(*args: str, stdin: str | None = None) -> Ran:
        out, err = io.StringIO(), io.StringIO()
        call_command(*args, stdout=out, stderr=err)
        return Ran(out.getvalue(), err.getvalue())

    return run


@pytest.fixture
def refused(sladesk):
    """Return ``refused(*args)`` -> the one-line error of a refused command."""

    def run(*args: str) -> str:
        with pytest.raises(CommandError) as caught:
            sladesk(*args)
        message = str(caught.value)
        assert "\n" not in message
        return message

    return run
