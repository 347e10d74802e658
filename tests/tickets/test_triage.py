from __future__ import annotations

import pytest

from sladesk.policy import get_policy
from sladesk.tickets import triage


def flags(
    subject="Issue",
    description="Something is not working as expected in our deployment.",
    category="troubleshooting",
    **kw,
):
    return {
        f.code: f
        for f in triage.scope_flags(
            get_policy(), subject=subject, description=description, category=category, **kw
        )
    }


class TestLanguage:
    @pytest.mark.parametrize(
        ("text", "language"),
        [
            (
                "Unser Produktionsserver stürzt seit dem Update jede Stunde ab, die Benutzer sind blockiert",
                "GERMAN",
            ),
            (
                "Notre serveur de production plante toutes les heures depuis la mise à jour",
                "FRENCH",
            ),
            ("El servidor de producción se cae cada hora desde la actualización", "SPANISH"),
            (
                "Our production server crashes every hour since the upgrade, users are blocked",
                "ENGLISH",
            ),
        ],
    )
    def test_detects(self, text, language):
        assert triage.detect_language(text) == language

    def test_too_short_is_not_judged(self):
        assert triage.detect_language("Hilfe!") is None

    def test_code_and_logs_are_ignored(self):
        text = "Error after upgrade:\n```\nfehler: verbindung abgelehnt /var/log/x.log\n```\nPlease help us fix this quickly."
        assert triage.detect_language(text) == "ENGLISH"

    def test_flag_with_reason(self):
        found = flags(
            description="Der Server startet nach dem Update nicht mehr, bitte helfen Sie uns schnell."
        )
        assert found["language"].message.startswith("the request seems to be written in German")
        assert "English only" in found["language"].message


class TestScopeFlags:
    def test_plain_request_has_none(self):
        assert flags() == {}

    def test_third_party(self):
        found = flags(description="The Bitnami image fails to start after we added a plugin.")
        assert found["third_party"].evidence == ("bitnami", "plugin")

    def test_development_question_points_to_forum(self):
        found = flags(
            description="How do we write a plugin that posts to a channel? Which SDK should we use?"
        )
        assert found["development_question"].pointer == "https://forum.mattermost.com/"

    def test_api_defect_without_sample(self):
        found = flags(
            category="api_defect", description="The posts endpoint returns the wrong order."
        )
        assert "api_defect_without_sample" in found

    def test_api_defect_with_sample_code(self):
        description = "The posts endpoint returns the wrong order:\n```\ncurl -H 'Authorization: Bearer x' https://mm/api/v4/posts\n```"
        assert "api_defect_without_sample" not in flags(
            category="api_defect", description=description
        )

    def test_api_defect_with_code_attachment(self):
        found = flags(
            category="api_defect",
            description="Wrong order from the API.",
            attachment_names=["repro.py"],
        )
        assert "api_defect_without_sample" not in found

    def test_bug_about_the_api_counts(self):
        assert "api_defect_without_sample" in flags(
            category="bug", description="The REST API returns an error for posts."
        )

    def test_professional_services(self):
        found = flags(
            description="We would like training for our admins and capacity planning for 50k users."
        )
        assert found["professional_services"].evidence == ("training", "capacity planning")

    def test_remote_administration(self):
        assert "remote_administration" in flags(
            description="Can you ssh into our server and fix it?"
        )

    def test_unsupported_release_from_the_door(self):
        found = flags(door_flags=[("unsupported_release", "9.5.2 is not supported")])
        assert found["unsupported_release"].message.startswith("9.5.2 is not supported")


class TestSuggestion:
    def test_explains_what_matched(self):
        s = triage.suggest_severity(
            get_policy(),
            text="Significant performance degradation, a small number of users blocked",
        )
        assert s.severity == "L2"
        assert "significant performance degradation" in s.matched

    def test_none(self):
        assert triage.suggest_severity(get_policy(), text="Thanks!") is None
