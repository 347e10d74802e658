"""``sladesk ticket open|show|reply|list|shift``."""

from __future__ import annotations

import io
import subprocess
import sys

import pytest
from django.core.management import CommandError, call_command

from sladesk.__main__ import main
from tests.tickets.conftest import open_ticket

pytestmark = pytest.mark.django_db


def run(*args):
    out = io.StringIO()
    call_command("ticket", *args, stdout=out)
    return out.getvalue()


class TestOpen:
    def test_open_for_contact_with_attachment(self, world, tmp_path):
        log = tmp_path / "mattermost.log"
        log.write_text("level=error msg=boom\n")
        out = run(
            "open",
            "--requester",
            world.gus.email,
            "--subject",
            "Search is slow",
            "--description",
            "Significant performance degradation since Monday.",
            "--severity",
            "L2",
            "--category",
            "performance",
            "--environment",
            str(world.globex_prod.pk),
            "--attach",
            str(log),
        )
        assert out.startswith("opened ticket #")
        assert "L2 enterprise, team support" in out

    def test_refusal_is_one_line_with_code(self, world):
        with pytest.raises(CommandError) as caught:
            run(
                "open",
                "--requester",
                "x@gmail.com",
                "--subject",
                "S",
                "--description",
                "D",
                "--severity",
                "L2",
                "--category",
                "bug",
            )
        assert "[unknown_organisation]" in str(caught.value)
        assert "\n" not in str(caught.value)


class TestShowReplyList:
    def test_show_explain(self, world):
        ticket = open_ticket(world.gus, severity="L4", environment=world.globex_prod)
        out = run("show", str(ticket.pk), "--explain")
        assert f"#{ticket.pk} Messages are delayed" in out
        assert "windows counted:" in out
        assert "next business day 17:00" in out
        assert "warning at 75%" in out

    def test_reply_and_internal_note(self, world):
        ticket = open_ticket(world.gus)
        assert "public reply" in run(
            "reply", str(ticket.pk), "--as", world.engineer.user.email, "--body", "Looking"
        )
        assert "internal note" in run(
            "reply",
            str(ticket.pk),
            "--as",
            world.engineer.user.email,
            "--body",
            "hmm",
            "--internal",
        )
        out = run("show", str(ticket.pk))
        assert "[internal]" in out and "Looking" in out

    def test_contact_cannot_note(self, world):
        ticket = open_ticket(world.gus)
        with pytest.raises(CommandError) as caught:
            run("reply", str(ticket.pk), "--as", world.gus.email, "--body", "x", "--internal")
        assert "[not_an_agent]" in str(caught.value)

    def test_list_filters(self, world):
        a = open_ticket(world.gus, severity="L4")
        b = open_ticket(world.maria, severity="L1", environment=world.acme_prod)
        out = run("list", "--team", "senior")
        assert f"{b.pk:>6}  L1" in out and f"{a.pk:>6}  L4" not in out
        assert "(no tickets)" in run("list", "--status", "solved")

    def test_shift(self, world):
        assert "off shift" in run("shift", world.engineer.user.email, "off")
        assert open_ticket(world.gus).assignee is None


class TestExitCodes:
    def test_desk_error_exits_1_with_one_line(self, world, capsys):
        with pytest.raises(SystemExit) as caught:
            main(["ticket", "show", "424242"])
        assert caught.value.code == 1
        err = capsys.readouterr().err
        assert err.strip().count("\n") == 0 and "no ticket 424242 [not_found]" in err

    def test_usage_error_exits_2_with_one_line(self):
        result = subprocess.run(
            [sys.executable, "-m", "sladesk", "ticket", "reply", "1"],
            capture_output=True,
            text=True,
            check=False,
        )
        assert result.returncode == 2
        assert result.stderr.strip().count("\n") == 0, result.stderr
        assert "--help" in result.stderr

    def test_help_explains(self):
        result = subprocess.run(
            [sys.executable, "-m", "sladesk", "ticket", "--help"],
            capture_output=True,
            text=True,
            check=False,
        )
        assert result.returncode == 0
        assert "sladesk ticket show ID [--explain]" in result.stdout


class TestCliRefusals:
    def test_unknown_author(self, world):
        ticket = open_ticket(world.gus)
        with pytest.raises(
            CommandError, match=r"no agent or contact nobody@x.example \[not_found\]"
        ):
            run("reply", str(ticket.pk), "--as", "nobody@x.example", "--body", "x")

    def test_unknown_organisation(self, world):
        with pytest.raises(CommandError, match=r"\[not_found\]"):
            run("list", "--organisation", "no-such-org")

    def test_bad_assignee(self, world):
        with pytest.raises(CommandError, match=r"\[invalid_input\]"):
            run("list", "--assignee", "bob")

    def test_unreadable_files(self, world, tmp_path):
        with pytest.raises(CommandError, match="cannot read the attachment"):
            run(
                "open",
                "--requester",
                world.gus.email,
                "--subject",
                "S",
                "--description",
                "D",
                "--severity",
                "L3",
                "--category",
                "bug",
                "--attach",
                str(tmp_path / "missing.log"),
            )
        with pytest.raises(CommandError, match="cannot read the description file"):
            run(
                "open",
                "--requester",
                world.gus.email,
                "--subject",
                "S",
                "--description-file",
                str(tmp_path / "missing.txt"),
                "--severity",
                "L3",
                "--category",
                "bug",
            )

    def test_unknown_agent_for_shift(self, world):
        with pytest.raises(CommandError, match=r"no agent x@y.example \[not_found\]"):
            run("shift", "x@y.example", "on")

    def test_json_outputs(self, world):
        import json

        ticket = open_ticket(world.gus)
        assert json.loads(run("show", str(ticket.pk), "--json"))["id"] == ticket.pk
        assert json.loads(run("list", "--json"))[0]["id"] == ticket.pk
