"""``sladesk mail process`` and ``sladesk mail follow`` (serve and poll: end-to-end tests)."""

from __future__ import annotations

import io

import pytest
from django.core.management import CommandError, call_command

from sladesk.mail.models import InboundMessage
from sladesk.mail.services import mail_ingest
from tests.mail.conftest import eml


def test_process_runs_what_is_waiting(world):
    stored = mail_ingest(raw=eml("outlook-new-request-cp1252.eml"), via="smtp", process=False)
    out = io.StringIO()
    call_command("mail", "process", stdout=out)
    assert f"{stored.inbound.pk}: processed ticket_opened" in out.getvalue()
    assert InboundMessage.objects.get().ticket is not None


def test_follow_reads_the_ledger(world):
    out = io.StringIO()
    call_command("mail", "follow", stdout=out)
    assert "ledger event(s) read" in out.getvalue()


def test_poll_needs_a_secret(db, monkeypatch):
    monkeypatch.delenv("SLADESK_IMAP_PASSWORD", raising=False)
    with pytest.raises(CommandError, match="SLADESK_IMAP_PASSWORD"):
        call_command("mail", "poll", "--host", "127.0.0.1", "--user", "u")
