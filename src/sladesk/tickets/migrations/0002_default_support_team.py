"""Create the default "support" team: non-Premier tickets route to it (SLADESK_DEFAULT_TEAM)."""

from __future__ import annotations

from django.db import migrations


def create_support_team(apps, schema_editor):
    Team = apps.get_model("accounts", "Team")
    Team.objects.get_or_create(
        slug="support",
        defaults={
            "name": "Support team",
            "description": "Tickets of plans without senior routing go to this team by default.",
        },
    )


def remove_support_team(apps, schema_editor):
    Team = apps.get_model("accounts", "Team")
    Team.objects.filter(slug="support", agents__isnull=True).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("tickets", "0001_initial"),
        ("accounts", "0002_senior_team_and_audit_guard"),
    ]

    operations = [migrations.RunPython(create_support_team, remove_support_team)]
