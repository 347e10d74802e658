"""Read facts from a packet's (already redacted) documents, each with its file and line.

Field names follow ``../shared/facts/mattermost-formats.md``: ``metadata.yaml`` (1.3),
``diagnostics.yaml`` v1/v2 (1.4, including the misspelt ``erorr`` keys), ``stats.yaml``
(1.5), ``jobs.yaml`` (1.6), ``plugins.json`` (1.7), the pre-v10.5
``support_packet.yaml`` (1.8) and ``config.json``. Unknown keys are ignored.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import yaml

from sladesk.packets.results import Fact, JsonValue


class DocumentError(Exception):
    """A document that cannot be read (invalid YAML/JSON, aliases, too large)."""


@dataclass(frozen=True, slots=True)
class Document:
    """A parsed YAML or JSON document with the line of each key path (``a.b[0].c``)."""

    path: str
    data: Any
    lines: dict[str, int]

    def source(self, key: str) -> str:
        line = self.lines.get(key)
        return f"{self.path}:{line}" if line else self.path

    def get(self, key: str) -> Any:
        node = self.data
        for part in key.split("."):
            if not isinstance(node, dict) or part not in node:
                return None
            node = node[part]
        return node


def _yaml_lines(node: yaml.Node, prefix: str, lines: dict[str, int], budget: list[int]) -> None:
    budget[0] -= 1
    if budget[0] < 0:
        raise DocumentError("too many YAML nodes")
    if isinstance(node, yaml.MappingNode):
        for key_node, value_node in node.value:
            key = str(key_node.value)
            path = f"{prefix}.{key}" if prefix else key
            lines[path] = key_node.start_mark.line + 1
            _yaml_lines(value_node, path, lines, budget)
    elif isinstance(node, yaml.SequenceNode):
        for index, item in enumerate(node.value):
            path = f"{prefix}[{index}]"
            lines[path] = item.start_mark.line + 1
            _yaml_lines(item, path, lines, budget)


def yaml_document(text: str, *, path: str, max_nodes: int = 200_000) -> Document:
    """Parse YAML safely (no tags, no aliases) and map each key path to its line."""
    try:
        for event in yaml.parse(text, Loader=yaml.SafeLoader):
            if isinstance(event, yaml.AliasEvent):
                raise DocumentError("YAML aliases are not accepted")
        node = yaml.compose(text, Loader=yaml.SafeLoader)
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" at line {mark.line + 1}" if mark is not None else ""
        problem = getattr(exc, "problem", None) or exc.__class__.__name__
        raise DocumentError(f"invalid YAML{where}: {problem}") from None
    lines: dict[str, int] = {}
    if node is not None:
        _yaml_lines(node, "", lines, [max_nodes])
    return Document(path=path, data=data, lines=lines)


def json_document(text: str, *, path: str) -> Document:
    """Parse JSON and map key paths to lines (exact for our own ``indent=4`` output)."""
    try:
        data = json.loads(text)
    except ValueError as exc:
        raise DocumentError(f"invalid JSON: {exc}") from None
    return Document(path=path, data=data, lines=json_key_lines(text))


def json_key_lines(text: str) -> dict[str, int]:
    """Map ``A.B.C`` to the line of ``"C":`` in JSON written one key per line."""
    lines: dict[str, int] = {}
    stack: list[tuple[int, str]] = []
    for number, raw in enumerate(text.splitlines(), start=1):
        stripped = raw.lstrip()
        if not stripped.startswith('"'):
            continue
        end = stripped.find('":')
        if end == -1:
            continue
        key = stripped[1:end]
        indent = len(raw) - len(stripped)
        while stack and stack[-1][0] >= indent:
            stack.pop()
        path = ".".join([k for _, k in stack] + [key])
        lines.setdefault(path, number)
        if stripped.rstrip().endswith(("{", "[")):
            stack.append((indent, key))
    return lines


def _scalar(value: Any) -> JsonValue:
    if isinstance(value, str | int | float | bool) or value is None:
        return value
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    if isinstance(value, list):
        return [_scalar(v) for v in value]
    return str(value)


def _facts(doc: Document, mapping: dict[str, str], *, node: str = "") -> Iterator[Fact]:
    """Yield a fact for each ``fact key -> document key`` whose value is present."""
    for fact_key, doc_key in mapping.items():
        for candidate in doc_key.split("|"):
            value = doc.get(candidate)
            if value not in (None, "", [], {}):
                yield Fact(fact_key, _scalar(value), doc.source(candidate), node)
                break


_METADATA = {
    "packet.type": "type",
    "packet.metadata_version": "version",
    "server.version": "server_version",
    "server.id": "server_id",
    "license.id": "license_id",
    "customer.id": "customer_id",
}

_DIAGNOSTICS_V2 = {
    "packet.diagnostics_version": "version",
    "license.company": "license.company",
    "license.users": "license.users",
    "license.sku": "license.sku_short_name",
    "license.is_trial": "license.is_trial",
    "license.is_gov_sku": "license.is_gov_sku",
    "server.os": "server.os",
    "server.architecture": "server.architecture",
    "server.cpu_cores": "server.cpu_cores",
    "server.total_memory_mb": "server.total_memory_mb",
    "server.hostname": "server.hostname",
    "server.version": "server.version",
    "server.build_hash": "server.build_hash",
    "server.go_version": "server.go_version",
    "server.installation_type": "server.installation_type",
    "server.started_at": "server.started_at",
    "config.store_type": "config.store_type",
    "database.type": "database.type",
    "database.version": "database.version",
    "database.schema_version": "database.schema_version",
    "database.master_connections": "database.master_connections",
    "database.replica_connections": "database.replica_connections",
    "file_store.status": "file_store.file_status",
    "file_store.error": "file_store.erorr|file_store.error",
    "file_store.driver": "file_store.file_driver",
    "websocket.connections": "websocket.connections",
    "cluster.id": "cluster.id",
    "cluster.size": "cluster.number_of_nodes",
    "ldap.status": "ldap.status",
    "ldap.error": "ldap.error|ldap.erorr",
    "ldap.server_name": "ldap.server_name",
    "ldap.server_version": "ldap.server_version",
    "saml.provider_type": "saml.provider_type",
    "elastic.backend": "elastic.backend",
    "elastic.server_version": "elastic.server_version",
    "elastic.server_plugins": "elastic.server_plugins",
    "elastic.error": "elastic.error",
}

_SUPPORT_PACKET_V1 = {
    "server.os": "server_os",
    "server.architecture": "server_architecture",
    "server.version": "server_version",
    "server.build_hash": "build_hash",
    "database.type": "database_type",
    "database.version": "database_version",
    "database.schema_version": "database_schema_version",
    "websocket.connections": "websocket_connections",
    "database.master_connections": "master_db_connections",
    "database.replica_connections": "read_db_connections",
    "cluster.id": "cluster_id",
    "file_store.driver": "file_driver",
    "file_store.status": "file_status",
    "ldap.server_name": "ldap_vendor_name",
    "ldap.server_version": "ldap_vendor_version",
    "elastic.server_version": "elastic_server_version",
    "elastic.server_plugins": "elastic_server_plugins",
    "license.company": "license_to",
    "license.users": "license_supported_users",
    "license.is_trial": "license_is_trial",
    "stats.active_users": "active_users",
    "stats.daily_active_users": "daily_active_users",
    "stats.monthly_active_users": "monthly_active_users",
    "stats.deactivated_users": "inactive_user_count",
    "stats.posts": "total_posts",
    "stats.channels": "total_channels",
    "stats.teams": "total_teams",
}

_STATS = {
    f"stats.{k}": k
    for k in (
        "registered_users",
        "active_users",
        "daily_active_users",
        "monthly_active_users",
        "deactivated_users",
        "guests",
        "single_channel_guests",
        "bot_accounts",
        "posts",
        "channels",
        "teams",
        "slash_commands",
        "incoming_webhooks",
        "outgoing_webhooks",
    )
}

_CONFIG = {
    "config.site_url": "ServiceSettings.SiteURL",
    "config.enable_developer": "ServiceSettings.EnableDeveloper",
    "config.sql_driver": "SqlSettings.DriverName",
    "config.data_source": "SqlSettings.DataSource",
    "config.file_driver": "FileSettings.DriverName",
    "config.cluster_enabled": "ClusterSettings.Enable",
    "config.console_level": "LogSettings.ConsoleLevel",
    "config.file_level": "LogSettings.FileLevel",
    "config.enable_file_log": "LogSettings.EnableFile",
    "config.ldap_enabled": "LdapSettings.Enable",
    "config.ldap_sync_enabled": "LdapSettings.EnableSync",
    "config.ldap_server": "LdapSettings.LdapServer",
    "config.saml_enabled": "SamlSettings.Enable",
    "config.elasticsearch_enabled": "ElasticsearchSettings.EnableIndexing",
    "config.elasticsearch_url": "ElasticsearchSettings.ConnectionURL",
    "config.email_notifications": "EmailSettings.SendEmailNotifications",
    "config.smtp_server": "EmailSettings.SMTPServer",
    "config.enable_insecure_connections": "ServiceSettings.EnableInsecureOutgoingConnections",
    "config.tls_cert_file": "ServiceSettings.TLSCertFile",
    "config.connection_security": "ServiceSettings.ConnectionSecurity",
}

_EDITIONS = {
    "e10": "professional",
    "professional": "professional",
    "e20": "enterprise",
    "enterprise": "enterprise",
    "entry": "entry",
    "advanced": "enterprise_advanced",
    "enterprise_advanced": "enterprise_advanced",
}


def metadata_facts(doc: Document) -> list[Fact]:
    """Facts of ``metadata.yaml`` (``generated_at`` is epoch milliseconds, per the code)."""
    facts = list(_facts(doc, _METADATA))
    generated = doc.get("generated_at")
    if isinstance(generated, int) and generated > 0:
        seconds = generated / 1000 if generated > 10**11 else generated  # the docs show seconds
        at = dt.datetime.fromtimestamp(seconds, tz=dt.UTC).isoformat()
        facts.append(Fact("packet.generated_at", at, doc.source("generated_at")))
    return facts


def diagnostics_facts(doc: Document, *, node: str) -> list[Fact]:
    """Facts of a node's ``diagnostics.yaml`` (v1 and v2 share these keys)."""
    facts = list(_facts(doc, _DIAGNOSTICS_V2, node=node))
    sku = doc.get("license.sku_short_name")
    if isinstance(sku, str) and sku:
        edition = _EDITIONS.get(sku.lower(), "other")
        facts.append(Fact("server.edition", edition, doc.source("license.sku_short_name"), node))
    elif isinstance(doc.data, dict) and "server" in doc.data and not doc.get("license.users"):
        facts.append(Fact("server.edition", "unlicensed", doc.source("server"), node))
    return facts


def support_packet_v1_facts(doc: Document) -> list[Fact]:
    """Facts of the pre-v10.5 ``support_packet.yaml``."""
    facts = list(_facts(doc, _SUPPORT_PACKET_V1))
    for key in (
        "data_retention_jobs",
        "message_export_jobs",
        "elastic_post_indexing_jobs",
        "elastic_post_aggregation_jobs",
        "bleve_post_indexin_jobs",
        "ldap_sync_jobs",
        "migration_jobs",
        "compliance_jobs",
    ):
        value = doc.get(key)
        if isinstance(value, list):
            facts.extend(_job_facts(value, source_doc=doc, key=key))
    return facts


def stats_facts(doc: Document) -> list[Fact]:
    return list(_facts(doc, _STATS))


def _job_facts(jobs: list[Any], *, source_doc: Document, key: str) -> list[Fact]:
    facts: list[Fact] = []
    for index, job in enumerate(jobs):
        if not isinstance(job, dict):
            continue
        status = str(job.get("status", ""))
        entry = {
            "id": str(job.get("id", "")),
            "type": str(job.get("type", key.removesuffix("_jobs"))),
            "status": status,
            "create_at": job.get("create_at"),
            "last_activity_at": job.get("last_activity_at"),
            "error": str((job.get("data") or {}).get("error", ""))[:300]
            if isinstance(job.get("data"), dict)
            else "",
        }
        facts.append(Fact("jobs.recent", entry, source_doc.source(f"{key}[{index}]")))
    return facts


def jobs_facts(doc: Document) -> list[Fact]:
    """One ``jobs.recent`` fact per job listed in ``jobs.yaml`` (the last 5 of each type)."""
    facts: list[Fact] = []
    if isinstance(doc.data, dict):
        for key, jobs in doc.data.items():
            if isinstance(jobs, list):
                facts.extend(_job_facts(jobs, source_doc=doc, key=str(key)))
    return facts


def plugins_facts(doc: Document) -> list[Fact]:
    """``plugins.enabled`` / ``plugins.disabled``: ``id version`` strings from the manifests."""
    facts: list[Fact] = []
    if not isinstance(doc.data, dict):
        return facts
    for state in ("enabled", "disabled"):
        manifests = doc.data.get(state)
        if not isinstance(manifests, list):
            continue
        items = [
            f"{m.get('id', '?')} {m.get('version', '?')}".strip()
            for m in manifests
            if isinstance(m, dict)
        ]
        facts.append(Fact(f"plugins.{state}", items, doc.source(state)))
    return facts


def config_facts(doc: Document, *, node: str = "") -> list[Fact]:
    """Facts of a (redacted) config: site URL, drivers, log levels, integrations."""
    facts = list(_facts(doc, _CONFIG, node=node))
    if not doc.get("ServiceSettings.SiteURL") and isinstance(doc.get("ServiceSettings"), dict):
        facts.append(Fact("config.site_url", "", doc.source("ServiceSettings.SiteURL"), node))
    return facts


def warnings_facts(text: str, *, path: str) -> list[Fact]:
    """``packet.warnings``: the non-empty lines of ``warning.txt`` (generation errors)."""
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    return [Fact("packet.warnings", lines[:50], f"{path}:1")] if lines else []
