"""Facts read from packets (flat, per node, v1 and v2), each with its source file and line."""

from __future__ import annotations

import io

from sladesk.packets.analysis import upload_analyse
from sladesk.packets.facts import json_key_lines, yaml_document
from tests.packets import factory


def analyse(data: bytes, name: str = "mm_support_packet_Acme_2026-05-20T14-03.zip"):
    return upload_analyse(source=io.BytesIO(data), name=name, output=io.BytesIO())


def fact(analysis, key, node=None):
    for f in analysis.facts:
        if f.key == key and (node is None or f.node == node):
            return f
    raise AssertionError(f"no fact {key}")


def test_v2_flat_packet_facts_with_sources():
    analysis = analyse(factory.packet_bytes(layout="flat"))
    assert (analysis.kind, analysis.packet_format, analysis.layout) == (
        "support_packet",
        "v2",
        "flat",
    )
    expected = {
        "server.version": ("11.7.9", "diagnostics.yaml:13"),
        "server.edition": ("enterprise", "diagnostics.yaml:5"),
        "license.sku": ("enterprise", "diagnostics.yaml:5"),
        "license.users": (500, "diagnostics.yaml:4"),
        "database.type": ("postgres", "diagnostics.yaml:21"),
        "database.version": ("16.4", "diagnostics.yaml:22"),
        "file_store.driver": ("amazons3", "diagnostics.yaml:30"),
        "server.os": ("linux", "diagnostics.yaml:7"),
        "server.architecture": ("amd64", "diagnostics.yaml:8"),
        "server.installation_type": ("docker", "diagnostics.yaml:16"),
        "stats.active_users": (598, "stats.yaml:2"),
        "stats.posts": (1830042, "stats.yaml:9"),
        "plugins.enabled": (["com.mattermost.calls 1.5.0", "playbooks 2.1.0"], "plugins.json:2"),
        "config.site_url": ("https://chat.example.com", "sanitized_config.json:3"),
        "packet.generated_at": ("2026-05-20T14:03:00.123000+00:00", "metadata.yaml:3"),
    }
    for key, (value, source) in expected.items():
        got = fact(analysis, key)
        assert (got.value, got.source) == (value, source), key
    failed = [
        f.value for f in analysis.facts if f.key == "jobs.recent" and f.value["status"] == "error"
    ]
    assert failed[0]["type"] == "ldap_sync"


def test_per_node_packet_has_node_facts_and_cluster():
    analysis = analyse(factory.packet_bytes(layout="per_node", node_versions=("11.7.9", "11.7.8")))
    assert analysis.layout == "per_node"
    assert analysis.nodes == ["ip-10-0-1-12", "ip-10-0-1-13"]
    assert fact(analysis, "server.version", "ip-10-0-1-13").value == "11.7.8"
    assert (
        fact(analysis, "server.version", "ip-10-0-1-13").source
        == "ip-10-0-1-13/diagnostics.yaml:13"
    )
    assert fact(analysis, "cluster.nodes").value == ["ip-10-0-1-12", "ip-10-0-1-13"]
    assert fact(analysis, "cluster.size").value == 2
    assert {log.path for log in analysis.logs} >= {
        "ip-10-0-1-12/mattermost.log",
        "ip-10-0-1-13/mattermost.log",
    }
    # plugin folders are not nodes
    assert "com.mattermost.calls" not in analysis.nodes


def test_v1_packet_facts():
    analysis = analyse(factory.packet_bytes(version="v1", layout="flat"))
    assert analysis.packet_format == "v1"
    assert fact(analysis, "database.version").value == "12.4"
    assert fact(analysis, "database.version").source == "support_packet.yaml:6"
    assert fact(analysis, "license.users").value == 100
    assert fact(analysis, "stats.posts").value == 12000


def test_wrapped_packet_is_read_as_if_unwrapped():
    analysis = analyse(factory.packet_bytes(layout="flat", wrap="mm_support_packet_Acme"))
    assert fact(analysis, "server.version").source == "diagnostics.yaml:13"


def test_v1_diagnostics_misspelt_error_key():
    doc = yaml_document(factory.diagnostics_yaml(v1=True, file_status="FAIL"), path="d.yaml")
    from sladesk.packets.facts import diagnostics_facts

    facts = {f.key: f for f in diagnostics_facts(doc, node="")}
    assert facts["file_store.error"].value == "AccessDenied: Access Denied"
    assert facts["ldap.error"].value.startswith("LDAP Result Code 49")


def test_single_config_and_log_uploads():
    import json

    config = analyse(json.dumps(factory.config()).encode(), name="config.json")
    assert config.kind == "config"
    assert fact(config, "config.sql_driver").value == "postgres"
    log = analyse(factory.log_text().encode(), name="mattermost.log")
    assert log.kind == "log_json"
    plain = analyse(factory.plain_log_text().encode(), name="mattermost.log")
    assert plain.kind == "log_plain"


def test_json_key_lines():
    text = (
        '{\n    "A": {\n        "B": 1,\n        "C": {\n            "B": 2\n        }\n    }\n}\n'
    )
    assert json_key_lines(text) == {"A": 2, "A.B": 3, "A.C": 4, "A.C.B": 5}
