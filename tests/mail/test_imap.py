"""``mail_poll`` against a real IMAP server: Debian's dovecot, configured in a temporary dir.

The test writes messages straight into the server's Maildir, polls, and checks that each
message was stored before it was deleted (or moved). Skips with the reason when dovecot
is not installed (``.ci/run`` installs ``dovecot-imapd``) or cannot start here.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import tempfile
import time
from pathlib import Path

import pytest

from sladesk.mail.imap import mail_poll
from sladesk.mail.models import InboundMessage
from tests.mail.conftest import eml

DOVECOT = shutil.which("dovecot") or "/usr/sbin/dovecot"
USER, PASSWORD = "desk", "s3cret-imap"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def imap():
    if not os.path.exists(DOVECOT):
        if os.environ.get("CI"):
            pytest.fail("dovecot is missing (.ci/run installs dovecot-imapd)")
        pytest.skip("dovecot is not installed (apt-get install dovecot-imapd)")
    if os.geteuid() != 0:
        pytest.skip("the throwaway dovecot needs root here (it drops to nobody for the mailbox)")
    # Not pytest's tmp_path: its parents are 0700 and dovecot's users must traverse them.
    base = Path(tempfile.mkdtemp(prefix="sladesk-dovecot-"))
    os.chmod(base, 0o755)
    root = base / "dovecot"
    for sub in ("run", "state", "mail", "home"):
        (root / sub).mkdir(parents=True)
    port = _free_port()
    (root / "passwd").write_text(f"{USER}:{{PLAIN}}{PASSWORD}\n")
    conf = root / "dovecot.conf"
    conf.write_text(
        f"""
base_dir = {root}/run
state_dir = {root}/state
log_path = {root}/dovecot.log
protocols = imap
listen = 127.0.0.1
ssl = no
disable_plaintext_auth = no
auth_mechanisms = plain login
first_valid_uid = 1
mail_location = maildir:{root}/mail/%u
default_login_user = dovenull
default_internal_user = dovecot
passdb {{
  driver = passwd-file
  args = scheme=PLAIN username_format=%u {root}/passwd
}}
userdb {{
  driver = static
  args = uid=nobody gid=nogroup home={root}/home/%u
}}
service imap-login {{
  inet_listener imap {{
    address = 127.0.0.1
    port = {port}
  }}
  inet_listener imaps {{
    port = 0
  }}
}}
service stats {{
  unix_listener stats-writer {{
    mode = 0666
  }}
}}
"""
    )
    for sub in ("mail", "home"):
        shutil.chown(root / sub, "nobody", "nogroup")
    os.chmod(root, 0o755)
    proc = subprocess.Popen(
        [DOVECOT, "-F", "-c", str(conf)], stdout=subprocess.PIPE, stderr=subprocess.STDOUT
    )
    for _ in range(100):
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            break
        except OSError:
            if proc.poll() is not None:
                break
            time.sleep(0.1)
    else:
        proc.kill()
        pytest.skip("dovecot did not start")
    if proc.poll() is not None:
        pytest.skip(f"dovecot could not start: {proc.stdout.read().decode()[-500:]}")
    yield root, port
    proc.terminate()
    proc.wait(timeout=10)
    shutil.rmtree(base, ignore_errors=True)


def deliver(root: Path, name: str, raw: bytes) -> None:
    """Put a message in the user's Maildir as an MTA would (tmp/ then new/)."""
    box = root / "mail" / USER
    for sub in ("tmp", "new", "cur"):
        (box / sub).mkdir(parents=True, exist_ok=True)
        shutil.chown(box / sub, "nobody", "nogroup")
    shutil.chown(box, "nobody", "nogroup")
    (box / "tmp" / name).write_bytes(raw)
    os.rename(box / "tmp" / name, box / "new" / name)
    shutil.chown(box / "new" / name, "nobody", "nogroup")


def remaining(root: Path, folder: str = "") -> int:
    box = root / "mail" / USER / (f".{folder}" if folder else "")
    return sum(len(list((box / s).glob("*"))) for s in ("new", "cur") if (box / s).exists())


def test_poll_stores_then_deletes(db, imap):
    root, port = imap
    first, second = eml("mailinglist-bulk.eml"), eml("charset-koi8r.eml")
    deliver(root, "1.desk", first)
    deliver(root, "2.desk", second)
    result = mail_poll(host="127.0.0.1", port=port, user=USER, password=PASSWORD, tls=False)
    assert (result.fetched, result.stored, result.failed) == (2, 2, 0)
    stored = {bytes(m.raw) for m in InboundMessage.objects.all()}
    # Byte for byte as IMAP gives them: the protocol's line ends are CRLF.
    assert stored == {first.replace(b"\n", b"\r\n"), second.replace(b"\n", b"\r\n")}
    assert all(m.via == "imap" for m in InboundMessage.objects.all())
    assert remaining(root) == 0


def test_poll_moves_and_a_second_delivery_is_a_duplicate(db, imap):
    root, port = imap
    raw = eml("mailinglist-bulk.eml")
    deliver(root, "1.desk", raw)
    from imap_tools import MailBoxUnencrypted

    with MailBoxUnencrypted("127.0.0.1", port).login(USER, PASSWORD) as box:
        box.folder.create("Stored")
    result = mail_poll(
        host="127.0.0.1", port=port, user=USER, password=PASSWORD, tls=False, move_to="Stored"
    )
    assert result.stored == 1 and remaining(root) == 0 and remaining(root, "Stored") == 1
    deliver(root, "2.desk", raw)
    again = mail_poll(host="127.0.0.1", port=port, user=USER, password=PASSWORD, tls=False)
    assert (again.stored, again.duplicates) == (0, 1)
    assert InboundMessage.objects.count() == 1


def test_a_message_that_cannot_be_stored_stays_in_the_mailbox(db, imap, monkeypatch):
    from sladesk.mail import imap as imap_module

    root, port = imap
    deliver(root, "1.desk", eml("mailinglist-bulk.eml"))

    def broken(**kwargs):
        raise RuntimeError("database down")

    monkeypatch.setattr(imap_module, "mail_ingest", broken)
    result = mail_poll(host="127.0.0.1", port=port, user=USER, password=PASSWORD, tls=False)
    assert (result.fetched, result.failed) == (1, 1)
    assert remaining(root) == 1
