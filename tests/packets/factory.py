"""Build synthetic support packets, configs and logs from the vendor's structures.

Every secret planted here is listed in ``SECRETS`` (values that must never survive in
anything stored or shown). The structures follow ``../shared/facts/mattermost-formats.md``
(packet layout 1.2/1.9, metadata 1.3, diagnostics 1.4, stats 1.5, jobs 1.6, v1 packet 1.8,
config sanitisation 2, log format 3) but are written out here, so the tests never read it.
"""

from __future__ import annotations

import io
import json
import stat
import zipfile
from pathlib import Path

#: Every planted secret (and the database user names, which the vendor hides as well).
SECRETS: dict[str, str] = {
    "LdapSettings.BindPassword": "PlantLdapBindPw-1a",
    "FileSettings.PublicLinkSalt": "PlantPublicLinkSalt-2b",
    "FileSettings.AmazonS3SecretAccessKey": "PlantS3Secret-3c",
    "FileSettings.ExportAmazonS3SecretAccessKey": "PlantExportS3Secret-4d",
    "EmailSettings.SMTPPassword": "PlantSmtpPw-5e",
    "GitLabSettings.Secret": "PlantGitlabSecret-6f",
    "GoogleSettings.Secret": "PlantGoogleSecret-7g",
    "Office365Settings.Secret": "PlantO365Secret-8h",
    "OpenIdSettings.Secret": "PlantOpenIdSecret-9i",
    "SqlSettings.DataSource.user": "plantdbuser10",
    "SqlSettings.DataSource.password": "PlantDbPw-10j",
    "SqlSettings.AtRestEncryptKey": "PlantAtRestKey-11k",
    "ElasticsearchSettings.Password": "PlantEsPw-12l",
    "ElasticsearchSettings.ClientKey": "PlantEsClientKey-13m",
    "SqlSettings.DataSourceReplicas.password": "PlantReplicaPw-14n",
    "SqlSettings.DataSourceSearchReplicas.password": "PlantSearchReplicaPw-15o",
    "SqlSettings.ReplicaLagSettings.password": "PlantLagPw-16p",
    "MessageExportSettings.GlobalRelaySettings.SMTPPassword": "PlantGlobalRelayPw-17q",
    "ServiceSettings.SplitKey": "PlantSplitKey-18r",
    "ServiceSettings.GoogleDeveloperKey": "PlantGoogleDevKey-19s",
    "ServiceSettings.GiphySdkKey": "PlantGiphyKey-20t",
    "CacheSettings.RedisPassword": "PlantRedisPw-21u",
    "AutoTranslationSettings.LibreTranslate.APIKey": "PlantLibreKey-22v",
    "ServiceSettings.GfycatAPISecret": "PlantGfycat-23w",
    "EmailSettings.InviteSalt": "PlantInviteSalt-24x",
    "EmailSettings.PasswordResetSalt": "PlantResetSalt-25y",
    "PluginSettings.Plugins.jira.secret": "PlantJiraSecret-26z",
    "PluginSettings.Plugins.github.webhook": "PlantGithubWebhook-27a",
    "PluginSettings.Plugins.custom.nested": "PlantNestedPluginValue-28b",
    # in logs and other text files
    "log.url_password": "PlantLogUrlPw-29c",
    "log.bearer": "PlantBearerToken30dXYZ",
    "log.aws": "AKIAPLANTEDKEY000031",
    "log.private_key_body": "PlantPrivateKeyBodyLine32e",
    "log.password_pair": "PlantPairPw-33f",
    "log.session_cookie": "PlantSessionCookie34g",
    "log.mmauthtoken": "PlantAuthTok35h",
    "log.json_secret": "PlantJsonSecret 36i",
    "log.jwt_signature": "PlantJwtSignature37jKLMN",
    "yaml.ldap_error_password": "PlantYamlPw-38k",
    "goroutines.token": "PlantGoroutineTok-39l",
    "plain.password": "PlantPlainPw-40m",
}

S = SECRETS


def config(
    *,
    site_url: str = "https://chat.example.com",
    file_level: str = "INFO",
    driver: str = "postgres",
    cluster: bool = False,
) -> dict:
    """Return a config.json with a planted secret in every sensitive setting."""
    dsn = f"postgres://{S['SqlSettings.DataSource.user']}:{S['SqlSettings.DataSource.password']}@db.internal:5432/mattermost?sslmode=require&connect_timeout=10"
    return {
        "ServiceSettings": {
            "SiteURL": site_url,
            "ListenAddress": ":8065",
            "EnableDeveloper": False,
            "SplitKey": S["ServiceSettings.SplitKey"],
            "GoogleDeveloperKey": S["ServiceSettings.GoogleDeveloperKey"],
            "GiphySdkKey": S["ServiceSettings.GiphySdkKey"],
            "GfycatAPISecret": S["ServiceSettings.GfycatAPISecret"],
            "EnableInsecureOutgoingConnections": False,
        },
        "SqlSettings": {
            "DriverName": driver,
            "DataSource": dsn,
            "DataSourceReplicas": [
                f"postgres://replica:{S['SqlSettings.DataSourceReplicas.password']}@replica1:5432/mattermost"
            ],
            "DataSourceSearchReplicas": [
                f"postgres://search:{S['SqlSettings.DataSourceSearchReplicas.password']}@search1:5432/mattermost"
            ],
            "ReplicaLagSettings": [
                {
                    "DataSource": f"postgres://lag:{S['SqlSettings.ReplicaLagSettings.password']}@replica1:5432/mattermost",
                    "QueryAbsoluteLag": "select 1",
                }
            ],
            "AtRestEncryptKey": S["SqlSettings.AtRestEncryptKey"],
            "MaxOpenConns": 300,
        },
        "LogSettings": {
            "EnableConsole": True,
            "ConsoleLevel": "INFO",
            "EnableFile": True,
            "FileLevel": file_level,
        },
        "FileSettings": {
            "DriverName": "amazons3",
            "PublicLinkSalt": S["FileSettings.PublicLinkSalt"],
            "AmazonS3AccessKeyId": "AKIAEXAMPLEACCESSID",
            "AmazonS3SecretAccessKey": S["FileSettings.AmazonS3SecretAccessKey"],
            "ExportAmazonS3SecretAccessKey": S["FileSettings.ExportAmazonS3SecretAccessKey"],
        },
        "EmailSettings": {
            "SendEmailNotifications": True,
            "SMTPServer": "smtp.example.com",
            "SMTPPassword": S["EmailSettings.SMTPPassword"],
            "InviteSalt": S["EmailSettings.InviteSalt"],
            "PasswordResetSalt": S["EmailSettings.PasswordResetSalt"],
        },
        "GitLabSettings": {
            "Enable": True,
            "Secret": S["GitLabSettings.Secret"],
            "TokenEndpoint": "https://gitlab.example.com/oauth/token",
        },
        "GoogleSettings": {"Secret": S["GoogleSettings.Secret"]},
        "Office365Settings": {"Secret": S["Office365Settings.Secret"]},
        "OpenIdSettings": {"Secret": S["OpenIdSettings.Secret"]},
        "LdapSettings": {
            "Enable": True,
            "EnableSync": True,
            "LdapServer": "ldap.example.com",
            "BindPassword": S["LdapSettings.BindPassword"],
        },
        "SamlSettings": {"Enable": True},
        "ElasticsearchSettings": {
            "ConnectionURL": "https://es.example.com:9200",
            "EnableIndexing": True,
            "Password": S["ElasticsearchSettings.Password"],
            "ClientKey": S["ElasticsearchSettings.ClientKey"],
        },
        "MessageExportSettings": {
            "GlobalRelaySettings": {
                "SMTPUsername": "relay",
                "SMTPPassword": S["MessageExportSettings.GlobalRelaySettings.SMTPPassword"],
            }
        },
        "CacheSettings": {
            "CacheType": "redis",
            "RedisAddress": "redis:6379",
            "RedisPassword": S["CacheSettings.RedisPassword"],
        },
        "AutoTranslationSettings": {
            "LibreTranslate": {
                "URL": "https://translate.example.com",
                "APIKey": S["AutoTranslationSettings.LibreTranslate.APIKey"],
            }
        },
        "ClusterSettings": {"Enable": cluster, "ClusterName": "prod"},
        "PluginSettings": {
            "Enable": True,
            "Plugins": {
                "jira": {
                    "secret": S["PluginSettings.Plugins.jira.secret"],
                    "enabled": True,
                    "maxattachments": 5,
                },
                "github": {"webhooksecret": S["PluginSettings.Plugins.github.webhook"]},
                "custom": {"nested": {"deep": [S["PluginSettings.Plugins.custom.nested"]]}},
            },
        },
        "FeatureFlags": {"TestFeature": "off"},
    }


def log_text(*, errors: int = 3, layout_iso: bool = False) -> str:
    """Return a mattermost.log (JSON lines, both timestamp layouts) with planted secrets."""
    lines = [
        {
            "timestamp": "2026-05-20 13:58:05.118 Z",
            "level": "info",
            "msg": "Server is listening on [::]:8065",
            "caller": "app/server.go:1012",
            "address": "[::]:8065",
        },
        {
            "timestamp": "2024-04-01 04:18:32.410 +09:00",
            "level": "warn",
            "msg": "Failed to send welcome email on create user with inviteId",
            "caller": "app/user.go:165",
            "error": "authentication failed: 535 Authentication Credentials Invalid",
        },
        {
            "timestamp": "2026-05-20 13:59:00.000 Z",
            "level": "debug",
            "msg": "Outgoing request",
            "caller": "app/http.go:12",
            "header": f"Authorization: Bearer {S['log.bearer']}",
        },
        {
            "timestamp": "2026-05-20 13:59:01.000 Z",
            "level": "error",
            "msg": "Unable to connect",
            "caller": "app/x.go:1",
            "error": f"dial postgres://mm:{S['log.url_password']}@db:5432/mm failed",
        },
        {
            "timestamp": "2026-05-20 13:59:02.000 Z",
            "level": "info",
            "msg": "S3 config",
            "caller": "filestore/s3.go:9",
            "access_key": S["log.aws"],
        },
        {
            "timestamp": "2026-05-20 13:59:03.000 Z",
            "level": "info",
            "msg": "Loaded key",
            "caller": "app/key.go:9",
            "pem": f"-----BEGIN RSA PRIVATE KEY-----\nMIIEow{S['log.private_key_body']}\n-----END RSA PRIVATE KEY-----",
        },
        {
            "timestamp": "2026-05-20 13:59:04.000 Z",
            "level": "warn",
            "msg": "login failed",
            "caller": "app/login.go:9",
            "detail": f"password={S['log.password_pair']} user=alice",
        },
        {
            "timestamp": "2026-05-20 13:59:05.000 Z",
            "level": "debug",
            "msg": "request",
            "caller": "web/handlers.go:9",
            "cookie": f"Cookie: MMAUTHTOKEN={S['log.mmauthtoken']}; sessionid={S['log.session_cookie']}",
        },
        {
            "timestamp": "2026-05-20 13:59:06.000 Z",
            "level": "debug",
            "msg": "payload",
            "caller": "web/h.go:9",
            "body": json.dumps({"client_secret": S["log.json_secret"]}),
        },
        {
            "timestamp": "2026-05-20 13:59:07.000 Z",
            "level": "debug",
            "msg": "jwt",
            "caller": "web/h.go:10",
            "token_value": f"eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.{S['log.jwt_signature']}",
        },
    ]
    for n in range(errors):
        ts = (
            f"2026-05-20T14:01:{n % 60:02d}.902Z"
            if layout_iso or n % 2
            else f"2026-05-20 14:01:{n % 60:02d}.902 Z"
        )
        lines.append(
            {
                "timestamp": ts,
                "level": "error",
                "msg": "Failed to ping DB",
                "caller": "sqlstore/store.go:312",
                "error": f"dial tcp 10.0.1.5:5432: connect: connection refused (attempt {n})",
                "retrying in seconds": 10,
            }
        )
    lines.append(
        {
            "timestamp": "2026-05-20 14:02:00.000 Z",
            "level": "error",
            "msg": "LDAP sync failed",
            "caller": "ldap/sync.go:1",
            "error": 'LDAP Result Code 49 "Invalid Credentials"',
        }
    )
    return "".join(json.dumps(line) + "\n" for line in lines)


def plain_log_text() -> str:
    return (
        'ERRO[2020-04-12T23:41:46.351171+10:00] Failed to ping DB                             caller="sqlstore/supplier.go:236" error="dial tcp 127.0.0.1:3306: connect: connection refused" retrying in seconds=10\n'
        'INFO[2020-04-12T23:41:47.000000+10:00] Server is listening on :8065                  caller="app/server.go:1"\n'
        f'WARN[2020-04-12T23:41:48.000000+10:00] login failed                                   caller="app/login.go:9" password={S["plain.password"]}\n'
        'ERRO[2020-04-12T23:41:56.351171+10:00] Failed to ping DB                             caller="sqlstore/supplier.go:236" error="dial tcp 127.0.0.1:3306: connect: connection refused" retrying in seconds=10\n'
    )


def metadata_yaml(version: str = "11.7.9") -> str:
    return (
        "version: 1\ntype: support-packet\ngenerated_at: 1779285780123\n"
        f"server_version: {version}\nserver_id: 8fqk9rti13fmpxdd5934a3xsxh\n"
        "license_id: 3g3pqn8in3brzjkozcn1kdidgr\ncustomer_id: 74cmws7gf3ykpj31car7zahsny\n"
    )


def diagnostics_yaml(
    *,
    hostname: str = "ip-10-0-1-12",
    version: str = "11.7.9",
    nodes: int = 1,
    db_version: str = "16.4",
    file_status: str = "OK",
    ldap_status: str = "FAIL",
    v1: bool = False,
    sku: str = "enterprise",
) -> str:
    error_key = "erorr" if v1 else "error"
    return f"""version: {1 if v1 else 2}
license:
  company: Acme Corp
  users: 500
  sku_short_name: {sku}
server:
  os: linux
  architecture: amd64
  cpu_cores: 8
  total_memory_mb: 32000
  hostname: {hostname}
  process_id: 4242
  version: {version}
  build_hash: 0a1b2c3d4e5f
  go_version: go1.24.6
  installation_type: docker
  started_at: 2026-05-20T13:58:02Z
config:
  store_type: /opt/mattermost/config/config.json
database:
  type: postgres
  version: "{db_version}"
  schema_version: "148"
  master_connections: 20
  replica_connections: 0
  search_connections: 0
file_store:
  file_status: {file_status}
  erorr: "{"" if file_status == "OK" else "AccessDenied: Access Denied"}"
  file_driver: amazons3
websocket:
  connections: 312
cluster:
  id: kx3d1b8mkpbnjfo3t5w7k6m9xa
  number_of_nodes: {nodes}
ldap:
  status: {ldap_status}
  {error_key}: "LDAP Result Code 49 \\"Invalid Credentials\\" password={S["yaml.ldap_error_password"]}"
  server_name: unknown
  server_version: unknown
saml:
  provider_type: Okta
elastic:
  backend: elasticsearch
  server_version: 8.15.0
  error: "unable to connect: 401 Unauthorized"
"""


STATS_YAML = """registered_users: 540
active_users: 598
daily_active_users: 210
monthly_active_users: 455
deactivated_users: 42
guests: 12
single_channel_guests: 3
bot_accounts: 9
posts: 1830042
channels: 1204
teams: 6
slash_commands: 4
incoming_webhooks: 17
outgoing_webhooks: 2
"""

JOBS_YAML = """ldap_sync_jobs:
- id: 4cc8g1fp1bdjuq3xyz8f9d5k6e
  type: ldap_sync
  priority: 0
  create_at: 1779282000000
  start_at: 1779282001000
  last_activity_at: 1779282015000
  status: error
  progress: -1
  data:
    error: "LDAP Result Code 49 ..."
data_retention_jobs: []
message_export_jobs: []
elastic_post_indexing_jobs:
- id: 9dd8g1fp1bdjuq3xyz8f9d5k6e
  type: elasticsearch_post_indexing
  priority: 0
  create_at: 1779200000000
  start_at: 1779200001000
  last_activity_at: 1779200015000
  status: in_progress
  progress: 40
  data: {}
elastic_post_aggregation_jobs: []
migration_jobs: []
"""

PLUGINS_JSON = json.dumps(
    {
        "enabled": [
            {"id": "com.mattermost.calls", "version": "1.5.0"},
            {"id": "playbooks", "version": "2.1.0"},
        ],
        "disabled": [{"id": "jira", "version": "4.2.0"}],
    },
    indent=4,
)

SUPPORT_PACKET_V1_YAML = """server_os: linux
server_architecture: amd64
server_version: 9.11.2
build_hash: abc123
database_type: postgres
database_version: "12.4"
database_schema_version: "120"
websocket_connections: 30
master_db_connections: 10
read_db_connections: 0
cluster_id: ""
file_driver: local
file_status: OK
ldap_vendor_name: OpenLDAP
ldap_vendor_version: "2.4"
license_to: Acme Corp
license_supported_users: 100
license_is_trial: false
active_users: 90
daily_active_users: 40
monthly_active_users: 85
inactive_user_count: 3
total_posts: 12000
total_channels: 40
total_teams: 2
ldap_sync_jobs:
- id: 4cc8g1fp1bdjuq3xyz8f9d5k6e
  type: ldap_sync
  status: error
  create_at: 1700000000000
  last_activity_at: 1700000001000
  data:
    error: "LDAP Result Code 49"
"""

GOROUTINES = f"goroutine 1 [running]:\nmain.main()\n\t/src/main.go:10 +0x1d\nauth_token={S['goroutines.token']}\n"


def packet_bytes(
    *,
    layout: str = "per_node",
    version: str = "v2",
    nodes: tuple[str, ...] = ("ip-10-0-1-12", "ip-10-0-1-13"),
    node_versions: tuple[str, ...] | None = None,
    extra: dict[str, bytes] | None = None,
    wrap: str = "",
    include_logs: bool = True,
    site_url: str = "https://chat.example.com",
    file_level: str = "INFO",
) -> bytes:
    """Return a support packet zip (per-node or flat layout; v1 = pre-v10.5)."""
    buf = io.BytesIO()
    prefix = f"{wrap}/" if wrap else ""
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:

        def put(name: str, data: str | bytes) -> None:
            zf.writestr(prefix + name, data)

        cfg = json.dumps(
            config(site_url=site_url, file_level=file_level, cluster=layout == "per_node"), indent=4
        )
        if version == "v1":
            put("support_packet.yaml", SUPPORT_PACKET_V1_YAML)
            put("metadata.yaml", metadata_yaml("9.11.2"))
            put("sanitized_config.json", cfg)
            put("plugins.json", PLUGINS_JSON)
            if include_logs:
                put("mattermost.log", log_text())
            put("goroutines", GOROUTINES)
            put("cpu.prof", b"\x1f\x8b\x08\x00" + bytes(range(256)))
        else:
            put("metadata.yaml", metadata_yaml(node_versions[0] if node_versions else "11.7.9"))
            put("stats.yaml", STATS_YAML)
            put("jobs.yaml", JOBS_YAML)
            put("permissions.yaml", "roles: []\nschemes: []\n")
            put("plugins.json", PLUGINS_JSON)
            put("warning.txt", "failed to get heap profile: timeout\n")
            put("com.mattermost.calls/diagnostics.yaml", "version: 1\ncalls: {active: 0}\n")
            targets = [("", nodes[0])] if layout == "flat" else [(f"{n}/", n) for n in nodes]
            for index, (folder, host) in enumerate(targets):
                v = node_versions[index] if node_versions else "11.7.9"
                put(
                    f"{folder}diagnostics.yaml",
                    diagnostics_yaml(hostname=host, version=v, nodes=len(targets)),
                )
                put(f"{folder}sanitized_config.json", cfg)
                if include_logs:
                    put(f"{folder}mattermost.log", log_text(errors=3 + index))
                    put(f"{folder}notifications.log", log_text(errors=0))
                put(f"{folder}goroutines", GOROUTINES)
                put(f"{folder}cpu.prof", b"\x1f\x8b\x08\x00" + bytes(range(256)))
        for name, data in (extra or {}).items():
            zf.writestr(name, data)
    return buf.getvalue()


def write(path: Path, data: bytes | str) -> Path:
    path.write_bytes(data.encode() if isinstance(data, str) else data)
    return path


def zip_with(entries: list[tuple[zipfile.ZipInfo | str, bytes]]) -> bytes:
    """Return a zip with these raw entries (for hostile archives)."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        for info, data in entries:
            zf.writestr(info, data)
    return buf.getvalue()


def symlink_info(name: str) -> zipfile.ZipInfo:
    info = zipfile.ZipInfo(name)
    info.create_system = 3
    info.external_attr = (stat.S_IFLNK | 0o777) << 16
    return info


def mark_encrypted(data: bytes, name: str) -> bytes:
    """Return ``data`` with the member ``name`` flagged as encrypted (zipfile cannot write it)."""
    raw = bytearray(data)
    info = zipfile.ZipFile(io.BytesIO(data)).getinfo(name)
    raw[info.header_offset + 6] |= 0x1
    encoded = name.encode()
    pos = raw.find(b"PK\x01\x02")
    while pos != -1:
        name_len = int.from_bytes(raw[pos + 28 : pos + 30], "little")
        if raw[pos + 46 : pos + 46 + name_len] == encoded:
            raw[pos + 8] |= 0x1
        pos = raw.find(b"PK\x01\x02", pos + 4)
    return bytes(raw)
