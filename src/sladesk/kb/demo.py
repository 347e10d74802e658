"""Demo articles for ``sladesk demo``: ``seed_kb_demo()`` is idempotent."""

from __future__ import annotations

from dataclasses import dataclass

from sladesk.accounts.actor import Actor
from sladesk.kb.models import Article
from sladesk.kb.services import ArticleInput, article_create, category_ensure

CATEGORIES = (
    ("installation", "Installation and upgrades", "Installing, upgrading and migrating servers."),
    ("troubleshooting", "Troubleshooting", "When something does not work as it should."),
    ("support", "Working with support", "Severity levels, response times, support packets."),
)


@dataclass(frozen=True, slots=True)
class _Demo:
    category: str
    title: str
    summary: str
    body: str
    visibility: str = Article.Visibility.PUBLIC


ARTICLES = (
    _Demo(
        "troubleshooting",
        "Messages are delayed or arrive late",
        "Check the WebSocket connection, the proxy and the job server.",
        """Messages that arrive late for **everyone** usually mean the WebSocket connection is
being dropped by a proxy.

1. Open *System Console > Environment > Web Server* and check the *Site URL*.
2. Make sure your proxy forwards `Upgrade` and `Connection` headers:

```nginx
proxy_set_header Upgrade $http_upgrade;
proxy_set_header Connection "upgrade";
```

3. Look for `websocket` errors in `mattermost.log`.

If messages are delayed for a single user only, ask them to clear the desktop app's cache.
""",
    ),
    _Demo(
        "troubleshooting",
        "Users cannot log in after enabling SAML",
        "Certificate, clock skew and attribute mapping checks.",
        """After enabling SAML, a login loop is most often caused by:

- a certificate mismatch between the identity provider and the server;
- clock skew over a few minutes between servers (check NTP);
- the *Email* attribute not mapped.

Collect a support packet and attach it to your ticket if the problem persists.
""",
    ),
    _Demo(
        "installation",
        "Upgrading to a new Extended Support Release",
        "Plan the upgrade, back up the database, read the changelog.",
        """Before upgrading:

| step | why |
| --- | --- |
| Back up the database and the data directory | a rollback needs both |
| Read the important-upgrade-notes | migrations can take long on big databases |
| Upgrade a staging server first | staging tickets are L4, production ones keep their level |
""",
    ),
    _Demo(
        "support",
        "Choosing a severity level",
        "L1 is an outage of production; non-production tickets are L4.",
        """- **L1 (urgent)**: production is down or unusable for most users.
- **L2 (high)**: a major function is impaired; a workaround may exist.
- **L3 (normal)**: a minor function is impaired.
- **L4 (low)**: questions, documentation, non-production environments.

The portal shows the response time each level gets before you submit.
""",
    ),
    _Demo(
        "support",
        "Generating a support packet",
        "What a support packet contains and how to send it.",
        """Generate a support packet from *System Console > Reporting > Server Logs* and attach
the `.zip` to your ticket. Secrets are redacted before agents read it.
""",
    ),
    _Demo(
        "troubleshooting",
        "Internal: reading the job server's queue depth",
        "Agents only: the SQL to check stuck jobs.",
        """```sql
SELECT type, status, count(*) FROM jobs GROUP BY 1, 2 ORDER BY 3 DESC;
```

Stuck `pending` jobs older than an hour point at a job server that is not running.
""",
        Article.Visibility.INTERNAL,
    ),
)


def seed_kb_demo() -> int:
    """Create the demo categories and articles that are missing; return how many were created."""
    actor = Actor.demo()
    categories = {
        slug: category_ensure(slug=slug, name=name, description=desc, position=i)
        for i, (slug, name, desc) in enumerate(CATEGORIES)
    }
    created = 0
    for demo in ARTICLES:
        if Article.objects.filter(title=demo.title).exists():
            continue
        article_create(
            data=ArticleInput(
                title=demo.title,
                body=demo.body,
                summary=demo.summary,
                category=categories[demo.category],
                visibility=demo.visibility,
            ),
            actor=actor,
        )
        created += 1
    return created
