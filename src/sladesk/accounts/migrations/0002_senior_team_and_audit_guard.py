"""Create the default "senior" team and make the audit log refuse UPDATEs in the database."""

from __future__ import annotations

from django.db import migrations

SQLITE_TRIGGER = """
CREATE TRIGGER accounts_auditlog_append_only
BEFORE UPDATE ON accounts_auditlog
BEGIN
    SELECT RAISE(ABORT, 'the audit log is append-only');
END;
"""
POSTGRES_TRIGGER = """
CREATE OR REPLACE FUNCTION accounts_auditlog_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'the audit log is append-only';
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER accounts_auditlog_append_only
BEFORE UPDATE ON accounts_auditlog
FOR EACH ROW EXECUTE FUNCTION accounts_auditlog_append_only();
"""
DROP = {
    "sqlite": "DROP TRIGGER IF EXISTS accounts_auditlog_append_only;",
    "postgresql": (
        "DROP TRIGGER IF EXISTS accounts_auditlog_append_only ON accounts_auditlog;"
        "DROP FUNCTION IF EXISTS accounts_auditlog_append_only();"
    ),
}


def create_senior_team(apps, schema_editor):
    Team = apps.get_model("accounts", "Team")
    Team.objects.get_or_create(
        slug="senior",
        defaults={
            "name": "Senior support team",
            "description": "Premier customers have direct access to this team (policy: senior routing).",
        },
    )


def remove_senior_team(apps, schema_editor):
    Team = apps.get_model("accounts", "Team")
    Team.objects.filter(slug="senior", agents__isnull=True).delete()


def add_audit_guard(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "sqlite":
        schema_editor.execute(SQLITE_TRIGGER)
    elif vendor == "postgresql":
        schema_editor.execute(POSTGRES_TRIGGER)


def remove_audit_guard(apps, schema_editor):
    sql = DROP.get(schema_editor.connection.vendor)
    if sql:
        schema_editor.execute(sql)


class Migration(migrations.Migration):
    dependencies = [("accounts", "0001_initial")]

    operations = [
        migrations.RunPython(create_senior_team, remove_senior_team),
        migrations.RunPython(add_audit_guard, remove_audit_guard),
    ]
