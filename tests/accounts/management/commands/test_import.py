"""``sladesk import orgs FILE.csv``: all or nothing, with progress."""

from __future__ import annotations

import pytest

from sladesk.accounts.models import Organisation

pytestmark = pytest.mark.django_db


def test_import_shows_progress_and_creates_everything(sladesk, tmp_path):
    path = tmp_path / "orgs.csv"
    path.write_text(
        "name,domains,plan,starts_on\nAcme,acme.example,premier,2026-01-01\nGlobex,globex.example;globex.test,,\n"
    )
    out = sladesk("import", "orgs", str(path)).out
    assert "orgs.csv: 2 organisation(s) to import." in out
    assert "[1/2] line 2: Acme: ok, premier 2026-01-01..2026-12-31" in out
    assert "[2/2] line 3: Globex: ok" in out
    assert "Imported 2 organisation(s) and 1 subscription(s)." in out
    assert Organisation.objects.count() == 2


def test_a_bad_row_is_reported_with_its_line_and_nothing_is_imported(refused, tmp_path):
    path = tmp_path / "orgs.csv"
    path.write_text("name,domains\nAcme,acme.example\nFree Mail,gmail.com\n")
    assert refused("import", "orgs", str(path)) == (
        "orgs.csv: 1 bad row, nothing imported: line 3: gmail.com is a public mail provider, "
        "not a company domain (public_mail_domain) [import_failed]"
    )
    assert Organisation.objects.count() == 0


def test_dry_run(sladesk, tmp_path):
    path = tmp_path / "orgs.csv"
    path.write_text("name,domains\nAcme,acme.example\n")
    assert (
        "Dry run: all 1 rows are valid; nothing was imported."
        in sladesk("import", "orgs", str(path), "--dry-run").out
    )
    assert Organisation.objects.count() == 0


def test_an_unreadable_file(refused, tmp_path):
    assert refused("import", "orgs", str(tmp_path / "missing.csv")).startswith("cannot read")
