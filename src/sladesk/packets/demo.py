"""The demo desk's support packet, built in code when ``sladesk demo`` seeds it.

``demo_packet(generated_at=...)`` returns a small v2 support packet as the vendor's
server writes it for a standalone (non-HA) v10.11 deployment: the files sit at the zip
root (``metadata.yaml``, ``diagnostics.yaml``, ``stats.yaml``, ``jobs.yaml``,
``plugins.json``, ``sanitized_config.json``, ``mattermost.log`` in JSON lines, and a
``cpu.prof``), following ``docs/packets.md`` and the vendor's structures (metadata
version 1, diagnostics version 2, the log's default timestamp layout). Every time in it is
counted back from ``generated_at``, so the packet is as fresh as the seeded ticket.

It is Globex's legacy server (the demo's LDAP ticket), and it gives the health check
something to say: the server is on 10.11, an extended-support release whose support has
ended; last night's database outage left a burst of "Failed to ping DB" errors; the LDAP
sync fails on a group with "Size Limit Exceeded" (the log and the failed sync jobs); the
site URL has no TLS; file logging is at DEBUG in production. Its planted secrets
(``DEMO_SECRETS``: an SMTP password and a data source with user and password in the
config, a proxy password in the log) are what the redaction removes before anything is
stored; the other secret settings carry the vendor's placeholder, as a server writes them.

Plain Python (no Django), like the packet engine.
"""

from __future__ import annotations

import datetime as dt
import gzip
import io
import json
import zipfile

#: The vendor's placeholder for a secret setting it sanitised (``model.FakeSetting``).
FAKE_SETTING = "*" * 32

_SMTP_PASSWORD = "Demo-SMTP-pw-Gl0bex-7f3k"
_DB_USER = "mm_globex_svc"
_DB_PASSWORD = "Demo-DB-pw-Gl0bex-9q2x"
_PROXY_PASSWORD = "Demo-proxy-pw-4m8z"

#: Every secret planted in the demo packet: none may be stored or shown anywhere.
DEMO_SECRETS: tuple[str, ...] = (_SMTP_PASSWORD, _DB_USER, _DB_PASSWORD, _PROXY_PASSWORD)

#: The organisation whose server the packet comes from (its name is in the file name).
CUSTOMER = "Globex Corporation"
SERVER_VERSION = "10.11.4"
HOSTNAME = "c3f1a9e07b42"  # a Docker container's hostname

_SERVER_ID = "q8jx3ri1kfbz5ne7c4mtwd9a6h"
_LICENSE_ID = "w5ky1dcq8trxb3hp7mgz2ne4so"
_CUSTOMER_ID = "b7rm2tq9pzk4yxh1ca6wnd3eef"
_CALLER_PING = "sqlstore/store.go:312"


def demo_packet_name(generated_at: dt.datetime) -> str:
    """Return the vendor's file name for a packet made at ``generated_at``."""
    stamp = generated_at.astimezone(dt.UTC).strftime("%Y-%m-%dT%H-%M")
    return f"mm_support_packet_{CUSTOMER.replace(' ', '-')}_{stamp}.zip"


def demo_packet(*, generated_at: dt.datetime) -> bytes:
    """Return the demo support packet (zip bytes) as made at ``generated_at`` (aware)."""
    if generated_at.tzinfo is None:
        raise ValueError("generated_at must be an aware datetime")
    at = generated_at.astimezone(dt.UTC)
    members: tuple[tuple[str, str | bytes], ...] = (
        ("metadata.yaml", _metadata(at)),
        ("plugins.json", _plugins()),
        ("sanitized_config.json", json.dumps(_config(), indent=4)),
        ("stats.yaml", _STATS),
        ("jobs.yaml", _jobs(at)),
        ("diagnostics.yaml", _DIAGNOSTICS),
        ("mattermost.log", _log(at)),
        # A CPU profile is gzip-compressed binary: the desk does not keep it.
        ("cpu.prof", gzip.compress(b"\x0a\x04demo" * 64, mtime=0)),
    )
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        stamp = at.timetuple()[:6]
        for name, data in members:
            archive.writestr(zipfile.ZipInfo(name, date_time=stamp), data, zipfile.ZIP_DEFLATED)
    return buffer.getvalue()


def _ms(at: dt.datetime) -> int:
    return int(at.timestamp() * 1000)


def _last_sync(at: dt.datetime) -> dt.datetime:
    """The start of the last hourly LDAP sync that had finished at ``at``."""
    return (at - dt.timedelta(minutes=5)).replace(minute=0, second=0, microsecond=0)


def _metadata(at: dt.datetime) -> str:
    return (
        "version: 1\n"
        "type: support-packet\n"
        f"generated_at: {_ms(at)}\n"
        f"server_version: {SERVER_VERSION}\n"
        f"server_id: {_SERVER_ID}\n"
        f"license_id: {_LICENSE_ID}\n"
        f"customer_id: {_CUSTOMER_ID}\n"
    )


_DIAGNOSTICS = f"""version: 2
license:
  company: {CUSTOMER}
  users: 2000
  sku_short_name: enterprise
server:
  os: linux
  architecture: amd64
  hostname: {HOSTNAME}
  version: {SERVER_VERSION}
  build_hash: 5e1a5b4c2d9f8e7a6b3c0d1e2f4a5b6c7d8e9f01
  installation_type: docker
config:
  store_type: /mattermost/config/config.json
database:
  type: postgres
  version: "13.14"
  schema_version: "139"
  master_connections: 38
  replica_connections: 0
  search_connections: 0
file_store:
  file_status: OK
  file_driver: local
websocket:
  connections: 412
cluster:
  id: ""
  number_of_nodes: 0
ldap:
  status: OK
  server_name: unknown
  server_version: unknown
elastic: {{}}
"""

_STATS = """registered_users: 1968
active_users: 1902
daily_active_users: 1314
monthly_active_users: 1851
deactivated_users: 66
guests: 24
single_channel_guests: 0
bot_accounts: 11
posts: 8417302
channels: 3120
teams: 14
slash_commands: 6
incoming_webhooks: 38
outgoing_webhooks: 4
"""


def _plugins() -> str:
    def manifest(plugin_id: str, name: str, version: str) -> dict[str, str]:
        return {"id": plugin_id, "name": name, "version": version, "min_server_version": "9.5.0"}

    return json.dumps(
        {
            "enabled": [
                manifest("playbooks", "Playbooks", "1.41.1"),
                manifest("com.mattermost.calls", "Calls", "1.7.1"),
            ],
            "disabled": [manifest("jira", "Jira", "4.2.0")],
        },
        indent=4,
    )


def _jobs(at: dt.datetime) -> str:
    """The last LDAP syncs (hourly: the latest failed) and the last migration job."""

    def job(job_id: str, kind: str, started: dt.datetime, status: str, error: str = "") -> str:
        data = f'\n    error: "{error}"' if error else " {}"
        return (
            f"- id: {job_id}\n"
            f"  type: {kind}\n"
            "  priority: 0\n"
            f"  create_at: {_ms(started)}\n"
            f"  start_at: {_ms(started + dt.timedelta(seconds=1))}\n"
            f"  last_activity_at: {_ms(started + dt.timedelta(seconds=47))}\n"
            f"  status: {status}\n"
            f"  progress: {-1 if status == 'error' else 100}\n"
            f"  data:{data}\n"
        )

    sync = _last_sync(at)
    failed = 'LDAP Result Code 4 \\"Size Limit Exceeded\\": group cn=eng-all'
    return (
        "ldap_sync_jobs:\n"
        + job("k3w8tq1nd5fzbxm6yr2pc9hv4e", "ldap_sync", sync, "error", failed)
        + job(
            "j2v7sp0mc4eyawl5xq1ob8gu3d", "ldap_sync", sync - dt.timedelta(hours=1), "error", failed
        )
        + job("h1u6ro9lb3dxzvk4wp0na7ft2c", "ldap_sync", sync - dt.timedelta(hours=2), "success")
        + "data_retention_jobs: []\n"
        + "message_export_jobs: []\n"
        + "elastic_post_indexing_jobs: []\n"
        + "elastic_post_aggregation_jobs: []\n"
        + "migration_jobs:\n"
        + job("g0t5qn8ka2cwyuj3vo9mz6es1b", "migrations", at - dt.timedelta(days=9), "success")
    )


def _config() -> dict[str, object]:
    """The node's ``sanitized_config.json``: the vendor's placeholders, and three slips."""
    return {
        "ServiceSettings": {
            "SiteURL": "http://chat.globex.example",
            "ListenAddress": ":8065",
            "ConnectionSecurity": "",
            "TLSCertFile": "",
            "EnableDeveloper": False,
            "EnableInsecureOutgoingConnections": False,
            "SplitKey": FAKE_SETTING,
            "GoogleDeveloperKey": "",
        },
        "TeamSettings": {"SiteName": "Globex Chat", "MaxUsersPerTeam": 5000},
        "SqlSettings": {
            "DriverName": "postgres",
            "DataSource": (
                f"postgres://{_DB_USER}:{_DB_PASSWORD}@db-legacy.globex.internal:5432/"
                "mattermost?sslmode=disable&connect_timeout=10"
            ),
            "DataSourceReplicas": [],
            "DataSourceSearchReplicas": [],
            "MaxIdleConns": 20,
            "MaxOpenConns": 300,
            "QueryTimeout": 30,
            "AtRestEncryptKey": FAKE_SETTING,
        },
        "LogSettings": {
            "EnableConsole": True,
            "ConsoleLevel": "INFO",
            "ConsoleJson": True,
            "EnableFile": True,
            "FileLevel": "DEBUG",
            "FileJson": True,
            "FileLocation": "",
        },
        "FileSettings": {
            "DriverName": "local",
            "Directory": "./data/",
            "PublicLinkSalt": FAKE_SETTING,
            "AmazonS3SecretAccessKey": "",
        },
        "EmailSettings": {
            "SendEmailNotifications": True,
            "SMTPServer": "smtp.globex.example",
            "SMTPPort": "587",
            "EnableSMTPAuth": True,
            "SMTPUsername": "chat-noreply@globex.example",
            "SMTPPassword": _SMTP_PASSWORD,
            "ConnectionSecurity": "STARTTLS",
        },
        "LdapSettings": {
            "Enable": True,
            "EnableSync": True,
            "LdapServer": "dc01.globex.example",
            "LdapPort": 636,
            "ConnectionSecurity": "TLS",
            "BaseDN": "dc=globex,dc=example",
            "BindUsername": "cn=svc-mattermost,ou=services,dc=globex,dc=example",
            "BindPassword": FAKE_SETTING,
            "GroupFilter": "(objectClass=group)",
            "GroupIdAttribute": "objectGUID",
            "MaxPageSize": 0,
            "SyncIntervalMinutes": 60,
        },
        "SamlSettings": {"Enable": False},
        "ElasticsearchSettings": {"EnableIndexing": False, "Password": FAKE_SETTING},
        "CacheSettings": {"CacheType": "lru", "RedisPassword": FAKE_SETTING},
        "ClusterSettings": {"Enable": False},
        "PluginSettings": {
            "Enable": True,
            "Plugins": {"playbooks": {"enableteamsidebar": True}},
        },
        "FeatureFlags": {},
    }


def _log(at: dt.datetime) -> str:
    """A day of ``mattermost.log`` (JSON lines, the vendor's default timestamp layout)."""
    lines: list[tuple[dt.datetime, dict[str, object]]] = []

    def log(when: dt.datetime, level: str, msg: str, caller: str, **fields: object) -> None:
        lines.append((when, {"level": level, "msg": msg, "caller": caller, **fields}))

    started = at - dt.timedelta(days=9, hours=3)
    log(started, "info", "Server is initializing...", "app/server.go:283", go_version="go1.22.12")
    log(
        started + dt.timedelta(seconds=2),
        "info",
        "Pinging SQL",
        "sqlstore/store.go:246",
        database="master",
    )
    log(started + dt.timedelta(seconds=4), "info", "Starting up plugins", "app/plugin.go:235")
    log(
        started + dt.timedelta(seconds=6),
        "info",
        "Server is listening on [::]:8065",
        "app/server.go:1012",
        address="[::]:8065",
    )
    # Last night the database went away for ten minutes: the server retries every 10 s.
    outage = (at - dt.timedelta(hours=9)).replace(minute=12, second=40, microsecond=118000)
    for n in range(60):
        log(
            outage + dt.timedelta(seconds=10 * n),
            "error",
            "Failed to ping DB",
            _CALLER_PING,
            error="dial tcp 10.20.0.15:5432: connect: connection refused",
            **{"retrying in seconds": 10},
        )
    log(
        outage + dt.timedelta(minutes=10, seconds=3),
        "info",
        "Database connection restored",
        "sqlstore/store.go:330",
    )
    # Push notifications go out through the company proxy, which timed out this morning.
    for n in range(3):
        log(
            at - dt.timedelta(hours=5, minutes=41 - 7 * n),
            "error",
            "Failed to send push notification",
            "app/notification_push.go:221",
            error=(
                'Post "https://push.mattermost.com/api/v1/send_push": proxyconnect tcp: '
                "dial tcp 10.20.0.9:3128: i/o timeout"
            ),
            proxy=f"http://svc-chat:{_PROXY_PASSWORD}@proxy.globex.internal:3128",
        )
    # The hourly LDAP sync: a nested group is too big to expand since the last sync.
    sync = _last_sync(at)
    for hours in (2, 1, 0):
        begun = sync - dt.timedelta(hours=hours) + dt.timedelta(seconds=2)
        log(begun, "debug", "LDAP sync job started", "ldap/sync.go:88", worker="LdapSync")
        if hours == 2:
            log(begun + dt.timedelta(seconds=40), "info", "LDAP sync completed", "ldap/sync.go:412")
            continue
        for group in ("cn=eng-all", "cn=eng-platform"):
            log(
                begun + dt.timedelta(seconds=31),
                "error",
                "Failed to get the members of an LDAP group",
                "ldap/groups.go:219",
                group=f"{group},ou=groups,dc=globex,dc=example",
                error='LDAP Result Code 4 "Size Limit Exceeded": ',
            )
        log(
            begun + dt.timedelta(seconds=45),
            "warn",
            "LDAP sync finished with errors",
            "ldap/sync.go:431",
            groups_skipped=2,
        )
    lines.sort(key=lambda line: line[0])
    return "".join(
        json.dumps({"timestamp": _timestamp(when), **record}) + "\n" for when, record in lines
    )


def _timestamp(when: dt.datetime) -> str:
    """The logger's default layout, ``2006-01-02 15:04:05.000 Z07:00``, in UTC."""
    return when.strftime("%Y-%m-%d %H:%M:%S.") + f"{when.microsecond // 1000:03d} Z"
