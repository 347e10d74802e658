"""Each health-check rule, on facts and log summaries built here."""

from __future__ import annotations

import datetime as dt

import pytest

from sladesk.packets.findings import (
    CheckContext,
    ReleaseVerdict,
    RulesError,
    findings_run,
    release_check_from_lines,
    ruleset_parse,
    shipped_ruleset,
)
from sladesk.packets.results import Burst, Fact, LogSummary

NOW = dt.datetime(2026, 5, 20, 14, 3, tzinfo=dt.UTC)


def F(key, value, source="diagnostics.yaml:1", node=""):
    return Fact(key, value, source, node)


def run(facts=(), logs=(), **context):
    context.setdefault("now", NOW)
    return findings_run(facts=list(facts), logs=list(logs), context=CheckContext(**context))


def ids(findings):
    return [f.rule_id for f in findings]


def log(*bursts, path="mattermost.log"):
    return LogSummary(path, "json", 1000, 100, {}, "", "", 0, tuple(bursts))


def burst(message, count=1, level="error", example=None, line=10):
    return Burst(
        level,
        message,
        count,
        "2026-05-20T14:00:00+00:00",
        "2026-05-20T14:05:00+00:00",
        line,
        line + count,
        example or message,
    )


def test_shipped_rules_are_valid_and_cover_the_issue():
    rules = {r.id for r in shipped_ruleset().rules}
    assert {
        "release-unsupported",
        "database-below-minimum",
        "ldap-failing",
        "saml-log-errors",
        "elasticsearch-failing",
        "jobs-failed",
        "jobs-stuck",
        "file-store-failing",
        "log-error-burst",
        "cluster-version-mismatch",
        "site-url-missing",
        "debug-file-logging",
        "site-url-no-tls",
    } <= rules


def test_release_not_supported_uses_the_given_check():
    facts = [F("server.version", "11.5.2", "diagnostics.yaml:13")]
    found = run(facts, release_check=release_check_from_lines(["11.7", "11.8"]))
    assert ids(found) == ["release-unsupported"]
    assert found[0].evidence[0].source == "diagnostics.yaml:13"
    assert "11.5.2 is not a supported release" in found[0].detail
    assert (
        run(facts, release_check=lambda v: ReleaseVerdict(supported=None, message="unknown")) == []
    )
    assert run(facts) == []  # no catalogue given: no verdict


@pytest.mark.parametrize(
    ("db", "version", "server", "expected"),
    [
        ("postgres", "13.9", "11.7.9", True),
        ("postgres", "14.1", "11.7.9", False),
        ("postgres", "12.4", "10.6.0", True),
        ("postgres", "13.0", "10.6.0", False),
        ("mysql", "8.0.36", "11.0.0", True),
        ("mysql", "5.7.44", "9.5.1", True),
        ("mysql", "8.0.36", "9.5.1", False),
    ],
)
def test_database_minimum(db, version, server, expected):
    facts = [F("database.type", db), F("database.version", version), F("server.version", server)]
    assert ("database-below-minimum" in ids(run(facts))) is expected


def test_fact_rules():
    cases = {
        "file-store-failing": [
            F("file_store.status", "FAIL"),
            F("file_store.error", "AccessDenied"),
        ],
        "ldap-failing": [F("ldap.status", "FAIL"), F("ldap.error", "LDAP Result Code 49")],
        "elasticsearch-failing": [F("elastic.error", "401 Unauthorized")],
        "site-url-missing": [F("config.site_url", "", "sanitized_config.json:3")],
        "site-url-no-tls": [F("config.site_url", "http://chat.example.com")],
        "debug-file-logging": [F("config.file_level", "DEBUG")],
        "debug-console-logging": [F("config.console_level", "trace")],
        "developer-mode": [F("config.enable_developer", True)],
        "insecure-outgoing-connections": [F("config.enable_insecure_connections", True)],
        "license-trial": [F("license.is_trial", True)],
        "legacy-sku": [F("license.sku", "E20")],
        "packet-generation-warnings": [
            F("packet.warnings", ["failed to get heap profile"], "warning.txt:1")
        ],
    }
    for rule_id, facts in cases.items():
        found = run(facts)
        assert ids(found) == [rule_id], rule_id
        assert found[0].evidence and found[0].suggestion


def test_detail_names_facts():
    found = run([F("ldap.status", "FAIL"), F("ldap.error", "LDAP Result Code 49")])
    assert found[0].detail == "LDAP status FAIL: LDAP Result Code 49"


def test_good_values_find_nothing():
    facts = [
        F("file_store.status", "OK"),
        F("ldap.status", "OK"),
        F("config.site_url", "https://x"),
        F("config.file_level", "INFO"),
        F("license.sku", "enterprise"),
        F("elastic.error", ""),
    ]
    assert run(facts) == []


def test_production_only_rules_skip_non_production():
    facts = [F("config.file_level", "DEBUG")]
    assert run(facts, production=False) == []
    assert ids(run(facts, production=True)) == ["debug-file-logging"]
    assert ids(run(facts, production=None)) == ["debug-file-logging"]


def test_licence_users_exceeded():
    found = run([F("stats.active_users", 598, "stats.yaml:2"), F("license.users", 500)])
    assert ids(found) == ["license-users-exceeded"]
    assert found[0].detail == "598 active users, licensed for 500"


def test_cluster_nodes_on_different_versions():
    facts = [
        F("server.version", "11.7.9", "a/diagnostics.yaml:13", "a"),
        F("server.version", "11.6.1", "b/diagnostics.yaml:13", "b"),
    ]
    found = run(facts)
    assert ids(found) == ["cluster-version-mismatch"]
    assert [e.source for e in found[0].evidence] == [
        "a/diagnostics.yaml:13",
        "b/diagnostics.yaml:13",
    ]
    same = [F("server.version", "11.7.9", "a", "a"), F("server.version", "11.7.9", "b", "b")]
    assert run(same) == []


def job(status, last_ms, kind="ldap_sync"):
    return F(
        "jobs.recent",
        {
            "id": "j",
            "type": kind,
            "status": status,
            "create_at": last_ms,
            "last_activity_at": last_ms,
            "error": "boom",
        },
        "jobs.yaml:2",
    )


def test_failed_and_stuck_jobs():
    generated = F("packet.generated_at", NOW.isoformat(), "metadata.yaml:3")
    recent = int((NOW - dt.timedelta(minutes=5)).timestamp() * 1000)
    old = int((NOW - dt.timedelta(hours=30)).timestamp() * 1000)
    assert ids(run([generated, job("error", recent)])) == ["jobs-failed"]
    assert ids(run([generated, job("in_progress", old)])) == ["jobs-stuck"]
    assert run([generated, job("in_progress", recent)]) == []
    assert run([generated, job("success", old)]) == []


def test_log_connectivity_rules():
    cases = {
        "ldap-log-errors": burst(
            "LDAP sync failed", example="LDAP sync failed (error: LDAP Result Code 49)"
        ),
        "saml-log-errors": burst("SAML login failed"),
        "elasticsearch-log-errors": burst(
            "Failed to index post", example="Failed to index post (error: elasticsearch: 503)"
        ),
        "database-connection-errors": burst("Failed to ping DB"),
    }
    for rule_id, item in cases.items():
        found = run(logs=[log(item)])
        assert ids(found) == [rule_id], rule_id
        assert found[0].evidence[0].source == "mattermost.log:10"


def test_smtp_needs_several_lines():
    assert (
        run(logs=[log(burst("Failed to send mail", count=2, level="warn", example="smtp: 535"))])
        == []
    )
    assert ids(
        run(logs=[log(burst("Failed to send mail", count=9, level="warn", example="smtp: 535"))])
    ) == ["smtp-errors"]


def test_error_burst_and_fatal():
    found = run(logs=[log(burst("Websocket write failed", count=120))])
    assert ids(found) == ["log-error-burst"]
    assert "120 error lines" in found[0].detail
    assert "2026-05-20T14:00:00+00:00 to 2026-05-20T14:05:00+00:00" in found[0].detail
    assert run(logs=[log(burst("Websocket write failed", count=49))]) == []
    fatal = run(logs=[log(burst("runtime error: nil pointer", level="panic"))])
    assert ids(fatal) == ["log-fatal"]
    assert fatal[0].severity == "critical"


def test_findings_sorted_by_severity():
    found = run([F("config.file_level", "DEBUG"), F("file_store.status", "FAIL")])
    assert [f.severity for f in found] == ["critical", "low"]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("[[rule]]\nid='x'\n", "severity is required"),
        (
            "[[rule]]\nid='x'\nseverity='bad'\ntitle='t'\ncheck='fact'\nsuggestion='s'\n",
            "severity must be one of",
        ),
        (
            "[[rule]]\nid='x'\nseverity='low'\ntitle='t'\ncheck='nope'\nsuggestion='s'\n",
            "unknown check",
        ),
        (
            "[[rule]]\nid='x'\nseverity='low'\ntitle='t'\ncheck='log'\nsuggestion='s'\npattern='('\n",
            "not a valid regex",
        ),
        ("not toml [", "not valid TOML"),
    ],
)
def test_rules_file_errors(text, message):
    with pytest.raises(RulesError, match=message):
        ruleset_parse(text)
