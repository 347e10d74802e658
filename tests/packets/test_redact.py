"""Redaction: every secret setting of the vendor's config, data sources, residual patterns."""

from __future__ import annotations

import json

import pytest

from sladesk.packets.redact import (
    StreamScrubber,
    config_redact,
    config_text_redact,
    data_source_redact,
    redaction_rules,
    scrub_text,
)
from sladesk.packets.results import PLACEHOLDER, FileRedaction
from tests.packets import factory
from tests.packets.factory import SECRETS


def test_placeholder_is_the_vendors_fake_setting():
    assert PLACEHOLDER == "*" * 32
    assert redaction_rules().placeholder == PLACEHOLDER


def test_every_secret_setting_is_redacted_and_named():
    report = FileRedaction("config.json")
    redacted = config_redact(factory.config(), report=report)
    text = json.dumps(redacted)
    leaked = [k for k, v in SECRETS.items() if v in text]
    assert leaked == []
    for setting in redaction_rules().settings:
        shown = setting.path.replace("[]", "[0]")
        assert shown in report.settings, shown
    assert "PluginSettings.Plugins.jira.secret" in report.settings
    assert "PluginSettings.Plugins.custom.nested.deep[0]" in report.settings
    # Booleans and numbers of plugins stay; the report never holds a value.
    assert redacted["PluginSettings"]["Plugins"]["jira"]["enabled"] is True
    assert redacted["PluginSettings"]["Plugins"]["jira"]["maxattachments"] == 5
    assert not any(v in json.dumps(report.as_dict()) for v in SECRETS.values())


def test_non_secret_settings_are_kept():
    redacted = config_redact(factory.config(), report=FileRedaction("c"))
    assert redacted["ServiceSettings"]["SiteURL"] == "https://chat.example.com"
    assert redacted["GitLabSettings"]["TokenEndpoint"] == "https://gitlab.example.com/oauth/token"
    assert redacted["LdapSettings"]["LdapServer"] == "ldap.example.com"


def test_data_sources_keep_host_port_database():
    redacted = config_redact(factory.config(), report=FileRedaction("c"))
    assert redacted["SqlSettings"]["DataSource"] == (
        "postgres://****:****@db.internal:5432/mattermost?sslmode=require&connect_timeout=10"
    )
    assert redacted["SqlSettings"]["DataSourceReplicas"] == [
        "postgres://****:****@replica1:5432/mattermost"
    ]
    assert redacted["SqlSettings"]["ReplicaLagSettings"][0]["DataSource"].startswith(
        "postgres://****:****@replica1"
    )
    assert redacted["SqlSettings"]["ReplicaLagSettings"][0]["QueryAbsoluteLag"] == "select 1"


@pytest.mark.parametrize(
    ("dsn", "expected"),
    [
        (
            "postgres://u:p@db:5432/mm?sslmode=disable&password=x&user=y",
            "postgres://****:****@db:5432/mm?sslmode=disable",
        ),
        ("postgres://db/mm", "postgres://db/mm"),
        (
            "mmuser:secret@tcp(db:3306)/mm?charset=utf8mb4",
            "****:****@tcp(db:3306)/mm?charset=utf8mb4",
        ),
        (
            "host=db port=5432 user=mm password=secret dbname=mm",
            "host=db port=5432 user=**** password=**** dbname=mm",
        ),
        ("garbage-with-secret", PLACEHOLDER),
    ],
)
def test_data_source_redact(dsn, expected):
    assert data_source_redact(dsn) == expected


def test_values_already_redacted_by_the_server_are_counted_not_renamed():
    config = factory.config()
    config["LdapSettings"]["BindPassword"] = PLACEHOLDER
    report = FileRedaction("c")
    config_redact(config, report=report)
    assert "LdapSettings.BindPassword" not in report.settings
    assert report.already_redacted >= 1


def test_a_cut_config_counts_the_servers_placeholders_too():
    config = factory.config()
    config["LdapSettings"]["BindPassword"] = PLACEHOLDER
    report = FileRedaction("c")
    config_text_redact(json.dumps(config, indent=4)[:-20], report=report)
    assert report.already_redacted == 1


def test_invalid_json_config_is_redacted_by_setting_name():
    text = json.dumps(factory.config(), indent=4)[:-20]  # cut: not valid JSON
    report = FileRedaction("c")
    out = config_text_redact(text, report=report)
    assert SECRETS["LdapSettings.BindPassword"] not in out
    assert SECRETS["SqlSettings.DataSource.password"] not in out
    assert "BindPassword" in report.settings


@pytest.mark.parametrize(
    ("text", "secret", "pattern"),
    [
        ("dial postgres://mm:Pw-123@db:5432/mm", "Pw-123", "url_credentials"),
        ("Authorization: Bearer abcDEF123456789", "abcDEF123456789", "bearer_token"),
        ("Authorization: Token abcDEF123456789", "abcDEF123456789", "authorization_header"),
        ("key AKIAIOSFODNN7EXAMPLE in use", "AKIAIOSFODNN7EXAMPLE", "aws_access_key"),
        (
            "-----BEGIN PRIVATE KEY-----\nMIIsecretbody\n-----END PRIVATE KEY-----",
            "MIIsecretbody",
            "private_key",
        ),
        ("login password=hunter2 ok", "hunter2", "secret_pair"),
        ('{"client_secret": "two words"}', "two words", "secret_pair"),
        ('{\\"password\\":\\"esc\\"}', "esc", "secret_pair"),
        ("Cookie: MMAUTHTOKEN=abc123; MMCSRF=def456", "abc123", "session_cookie"),
        ("MMAUTHTOKEN=abc123xyz", "abc123xyz", "session_cookie"),
        ("jsessionid=abc123xyz", "abc123xyz", "session_cookie"),
        (
            "t eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.SflKxwRJSMeKKF2QT4fwpMeJf36 x",
            "SflKxwRJSMeKKF2QT4fwpMeJf36",
            "jwt",
        ),
        ("pwd=abc123&db=x", "abc123", "secret_pair"),
    ],
)
def test_residual_patterns(text, secret, pattern):
    report = FileRedaction("f")
    out = scrub_text(text, report=report)
    assert secret not in out
    assert report.patterns.get(pattern, 0) >= 1, report.patterns


@pytest.mark.parametrize(
    "text",
    [
        "pq: password authentication failed for user",
        "Invalid or expired session token for user",
        "https://chat.example.com:8065/api/v4/users",
        '"token": null',
        "the keycloak key rotation",
    ],
)
def test_prose_is_left_alone(text):
    report = FileRedaction("f")
    assert scrub_text(text, report=report) == text
    assert report.count == 0


def test_line_count_is_kept_so_evidence_lines_stay_true():
    text = (
        "a\n-----BEGIN RSA PRIVATE KEY-----\nx\ny\nz\n-----END RSA PRIVATE KEY-----\nb password=1\n"
    )
    out = scrub_text(text, report=FileRedaction("f"))
    assert out.count("\n") == text.count("\n")
    assert out.splitlines()[-1] == "b password=" + PLACEHOLDER


def test_stream_never_splits_a_secret_across_chunks():
    report = FileRedaction("f")
    stream = StreamScrubber(report)
    data = b"line one\nconnect postgres://u:SplitSecret9@db/mm\n" + b"x" * 10 + b"\n"
    out = b""
    for i in range(0, len(data), 7):  # tiny chunks cut through the secret
        out += stream.feed(data[i : i + 7])
    out += stream.close()
    assert b"SplitSecret9" not in out
    assert out.count(b"\n") == data.count(b"\n")


def test_stream_holds_a_private_key_until_its_end():
    report = FileRedaction("f")
    stream = StreamScrubber(report)
    parts = [
        b"a\n-----BEGIN EC PRIVATE KEY-----\nAAAsecret\n",
        b"BBBsecret\n-----END EC PRIVATE KEY-----\nb\n",
    ]
    out = b"".join(stream.feed(p) for p in parts) + stream.close()
    assert b"AAAsecret" not in out and b"BBBsecret" not in out
    assert report.patterns == {"private_key": 1}


def test_only_values_the_server_had_redacted_are_counted_as_already_redacted():
    """The second scan of a config sees the vendor's placeholder and every placeholder
    the setting pass just wrote; the customer is told only about the vendor's."""
    import io

    from sladesk.packets.analysis import upload_analyse

    config = factory.config()
    config["LdapSettings"]["BindPassword"] = PLACEHOLDER
    text = json.dumps(config, indent=4)
    analysis = upload_analyse(
        source=io.BytesIO(text.encode()), name="config.json", output=io.BytesIO()
    )
    (report,) = analysis.redaction
    already = [p for p in json.dumps(config).split('"') if p == PLACEHOLDER]
    assert report.already_redacted == len(already) >= 1
