"""``sladesk mail poll``: fetch messages from an IMAP mailbox, store them, then remove them.

Each message is fetched raw (``BODY.PEEK[]``, exactly as the server stores it, without
setting \\Seen), stored with ``mail_ingest`` (committed), and only then deleted, or moved
to ``--move-to`` when given. A message that cannot be stored stays in the mailbox for
the next poll. Login by password or by OAuth2 access token (XOAUTH2); TLS by default.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from imap_tools import MailBox, MailBoxUnencrypted

from sladesk.mail.services import mail_ingest

logger = logging.getLogger("sladesk.mail.imap")


@dataclass(frozen=True, slots=True)
class PollResult:
    fetched: int = 0
    stored: int = 0
    duplicates: int = 0
    failed: int = 0


def mail_poll(
    *,
    host: str,
    user: str,
    password: str = "",
    oauth2_token: str = "",
    port: int | None = None,
    tls: bool = True,
    folder: str = "INBOX",
    move_to: str = "",
    limit: int = 500,
) -> PollResult:
    """Poll one mailbox once; see the module docstring."""
    box = MailBox(host, port or 993) if tls else MailBoxUnencrypted(host, port or 143)
    if oauth2_token:
        box.xoauth2(user, oauth2_token, initial_folder=folder)
    else:
        box.login(user, password, initial_folder=folder)
    fetched = stored = duplicates = failed = 0
    done: list[str] = []
    try:
        for uid in box.uids("ALL")[:limit]:
            fetched += 1
            typ, data = box.client.uid("FETCH", uid, "(BODY.PEEK[])")
            raw = next(
                (part[1] for part in data or [] if isinstance(part, tuple) and len(part) > 1),
                None,
            )
            if typ != "OK" or raw is None:
                failed += 1
                continue
            try:
                result = mail_ingest(raw=bytes(raw), via="imap")
            except Exception:
                logger.exception("could not store IMAP message uid %s; left in the mailbox", uid)
                failed += 1
                continue
            stored += result.created
            duplicates += not result.created
            done.append(uid)
        if done:  # only messages durably stored
            if move_to:
                box.move(done, move_to)
            else:
                box.delete(done)
    finally:
        box.logout()
    return PollResult(fetched=fetched, stored=stored, duplicates=duplicates, failed=failed)
