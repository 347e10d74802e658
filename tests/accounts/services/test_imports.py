"""Importing organisations from CSV: all or nothing, every bad row with its line number."""

from __future__ import annotations

import pytest

from sladesk.accounts.models import AuditLog, Organisation, Subscription
from sladesk.accounts.services import organisations_csv_parse, organisations_import
from sladesk.accounts.services.imports import ImportFailed
from tests.accounts.factories import CLI, make_org

pytestmark = pytest.mark.django_db

GOOD = """name,domains,time_zone,plan,starts_on,ends_on,notes
Acme Corporation,acme.example;acme-eu.example,America/New_York,premier,2026-01-01,2026-12-31,key account
Globex,globex.example,,enterprise,2026-03-01,,
Initech,initech.example,,,,,prospect
"""


def test_a_good_file_creates_every_organisation_and_subscription():
    result = organisations_import(rows=organisations_csv_parse(GOOD), actor=CLI, source="orgs.csv")
    assert result.created == ["Acme Corporation", "Globex", "Initech"]
    assert result.subscriptions == 2
    acme = Organisation.objects.get(slug="acme-corporation")
    assert sorted(acme.domains.values_list("domain", flat=True)) == [
        "acme-eu.example",
        "acme.example",
    ]
    assert Subscription.objects.get(organisation__slug="globex").ends_on.isoformat() == "2027-02-28"


def test_a_bad_row_changes_nothing_and_every_bad_row_is_reported_with_its_line():
    make_org("Umbrella", domains=["umbrella.example"])
    before = (Organisation.objects.count(), AuditLog.objects.count())
    text = (
        GOOD
        + "Bad Domain,gmail.com,,,,,\nUmbrella Two,umbrella.example,,,,,\nGold,gold.example,,gold,2026-01-01,,\n"
    )
    with pytest.raises(ImportFailed) as failed:
        organisations_import(rows=organisations_csv_parse(text), actor=CLI, source="orgs.csv")
    assert [(e.line, e.code) for e in failed.value.errors] == [
        (5, "public_mail_domain"),
        (6, "domain_taken"),
        (7, "unknown_plan"),
    ]
    assert failed.value.message.startswith(
        "orgs.csv: 3 bad rows, nothing imported: line 5: gmail.com is a public mail provider, not a company domain (public_mail_domain); "
        "line 6: umbrella.example already belongs to Umbrella (domain_taken); line 7: unknown plan 'gold'"
    )
    assert (Organisation.objects.count(), AuditLog.objects.count()) == before


def test_shape_errors_are_found_before_anything_is_written():
    text = 'name,domains,starts_on\nAcme,acme.example,tomorrow\n"Multi\nline",x.example,,\nGlobex,globex.example,2026-01-01\n'
    with pytest.raises(ImportFailed) as failed:
        organisations_csv_parse(text, source="f.csv")
    assert [(e.line, e.code) for e in failed.value.errors] == [
        (2, "invalid_date"),
        (3, "invalid_row"),
        (5, "incomplete_subscription"),
    ]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            "",
            "f.csv: 1 bad row, nothing imported: line 1: the file is empty (expected a header row) (empty_file)",
        ),
        (
            "name,colour\nAcme,red\n",
            "f.csv: 1 bad row, nothing imported: line 1: missing column(s) domains; unknown column(s) colour",
        ),
        (
            "name,domains\n",
            "f.csv: 1 bad row, nothing imported: line 2: no organisations in the file (no_rows)",
        ),
    ],
)
def test_bad_files(text, message):
    with pytest.raises(ImportFailed) as failed:
        organisations_csv_parse(text, source="f.csv")
    assert failed.value.message.startswith(message)


def test_a_dry_run_checks_everything_and_writes_nothing():
    result = organisations_import(rows=organisations_csv_parse(GOOD), actor=CLI, dry_run=True)
    assert len(result.created) == 3
    assert Organisation.objects.count() == 0


def test_a_byte_order_mark_and_header_case_are_accepted():
    rows = organisations_csv_parse("\ufeffName,Domains\nAcme,acme.example\n")
    assert rows[0].name == "Acme" and rows[0].line == 2


def test_progress_is_reported_per_row():
    seen = []
    organisations_import(
        rows=organisations_csv_parse(GOOD),
        actor=CLI,
        progress=lambda n, total, row, note: seen.append((n, total, row.line, note)),
    )
    assert seen[0] == (1, 3, 2, "ok, premier 2026-01-01..2026-12-31")
    assert seen[2] == (3, 3, 4, "ok")
