"""``sladesk agent add|list``."""

from __future__ import annotations

import io
import sys

import pytest

from sladesk.accounts.models import Agent

pytestmark = pytest.mark.django_db


def test_agent_add_with_a_password_from_stdin(sladesk, monkeypatch):
    monkeypatch.setattr(sys, "stdin", io.StringIO("a long passphrase 42\n"))
    out = sladesk(
        "agent",
        "add",
        "--email",
        "sasha@sladesk.example",
        "--name",
        "Sasha Novak",
        "--role",
        "senior_support_engineer",
        "--password-stdin",
    ).out
    assert (
        out.strip()
        == "Added agent Sasha Novak <sasha@sladesk.example> as senior support engineer (senior)."
    )
    assert Agent.objects.get().user.check_password("a long passphrase 42")
    assert (
        "Sasha Novak <sasha@sladesk.example> senior support engineer"
        in sladesk("agent", "list").out
    )


def test_agent_add_without_a_password_says_how_to_set_one(sladesk):
    out = sladesk(
        "agent",
        "add",
        "--email",
        "sam@sladesk.example",
        "--name",
        "Sam",
        "--role",
        "support_engineer",
    ).out
    assert "Set a password with: sladesk changepassword sam@sladesk.example" in out
