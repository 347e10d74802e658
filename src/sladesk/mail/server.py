"""The SMTP (and LMTP) server behind ``sladesk mail serve``, on ``aiosmtpd``.

- ``RCPT TO`` is accepted only for the support addresses (``SLADESK_SUPPORT_ADDRESSES``,
  ``+tag`` reply addresses included): 550 otherwise, 452 after 100 recipients.
- ``DATA`` is streamed line by line into a spooled temporary file (memory up to 1 MB,
  then disk), never collected in memory; over ``SLADESK_MAIL_MAX_MESSAGE_BYTES`` the
  rest is read and discarded and the answer is ``552`` (a ``SIZE=`` announced at
  ``MAIL FROM`` is refused there already). An empty message (0 bytes, or only line ends) is refused with 554.
- ``250`` is answered only after ``mail_ingest`` has committed the raw message (with its
  SHA-256); a storage failure answers ``451`` so the client retries. Processing is a
  background task.
"""

from __future__ import annotations

import asyncio
import logging
import tempfile
from typing import TYPE_CHECKING, Any

from aiosmtpd.lmtp import LMTP
from aiosmtpd.smtp import SMTP, Envelope, Session
from django.conf import settings
from django.db import connections

from sladesk.mail import addressing

logger = logging.getLogger("sladesk.mail.server")

MAX_RCPT = 100
SPOOL_IN_MEMORY = 1024 * 1024
DEFAULT_MAX_MESSAGE = 75 * 1024 * 1024


def max_message_bytes() -> int:
    return int(getattr(settings, "SLADESK_MAIL_MAX_MESSAGE_BYTES", DEFAULT_MAX_MESSAGE))


class DeskHandler:
    """The aiosmtpd handler: recipient policy and durable storage."""

    def __init__(self, *, via: str = "smtp") -> None:
        self.via = via

    async def handle_RCPT(
        self,
        server: SMTP,
        session: Session,
        envelope: Envelope,
        address: str,
        rcpt_options: list[str],
    ) -> str:
        if not addressing.is_support_address(address):
            return f"550 5.1.1 <{address}>: not a support address of this desk"
        if len(envelope.rcpt_tos) >= MAX_RCPT:
            return "452 4.5.3 Too many recipients"
        envelope.rcpt_tos.append(address)
        return "250 2.1.5 OK"

    def store(self, *, spool: Any, envelope: Envelope) -> str:
        """Store the spooled message (in a worker thread); return the SMTP answer."""
        from sladesk.mail.services import mail_ingest

        try:
            spool.seek(0)
            result = mail_ingest(
                raw=spool,
                via=self.via,
                envelope_from=envelope.mail_from or "",
                envelope_to=list(envelope.rcpt_tos),
            )
        except Exception:
            logger.exception("could not store a message from %s", envelope.mail_from)
            connections.close_all()
            return "451 4.3.0 Could not store the message; try again later"
        inbound = result.inbound
        state = "queued" if result.created else "already stored"
        return f"250 2.0.0 OK {state} as {inbound.pk} sha256={inbound.sha256[:16]}"


class _StreamingData:
    """``DATA`` that streams to a temporary file instead of a list of lines in memory."""

    event_handler: DeskHandler
    envelope: Envelope | None
    _reader: asyncio.StreamReader
    transport: Any

    if TYPE_CHECKING:  # provided by aiosmtpd's SMTP, which comes after this mixin

        async def push(self, status: str) -> None: ...

        async def check_helo_needed(self, helo: str = "HELO") -> bool: ...

        def _set_post_data_state(self) -> None: ...

    async def smtp_DATA(self, arg: str) -> None:
        if await self.check_helo_needed():
            return
        assert self.envelope is not None
        if not self.envelope.rcpt_tos:
            await self.push("503 5.5.1 Error: need RCPT command")
            return
        if arg:
            await self.push("501 5.5.4 Syntax: DATA")
            return
        await self.push("354 End data with <CR><LF>.<CR><LF>")
        limit = max_message_bytes()
        size = 0
        too_much = False
        at_line_start = True
        blank = True
        spool = tempfile.SpooledTemporaryFile(max_size=SPOOL_IN_MEMORY)  # noqa: SIM115
        try:
            while self.transport is not None:
                try:
                    line = await self._reader.readuntil(b"\r\n")
                except asyncio.LimitOverrunError as exc:  # a very long line: take it in pieces
                    line = await self._reader.read(exc.consumed)
                if at_line_start and line == b".\r\n":
                    break
                if at_line_start and line.startswith(b"."):
                    line = line[1:]  # RFC 5321 s. 4.5.2 transparency
                at_line_start = line.endswith(b"\r\n")
                size += len(line)
                blank = blank and not line.strip()
                if size > limit:
                    too_much = True
                    continue  # read to the end, then refuse (RFC 5321 s. 4.2.5)
                spool.write(line)
            if too_much:
                await self.push(f"552 5.3.4 Message too big for this desk (limit {limit} bytes)")
            elif blank:  # 0 bytes, or only line ends
                await self.push("554 5.6.0 Empty message refused")
            else:
                answer = await asyncio.to_thread(
                    self.event_handler.store, spool=spool, envelope=self.envelope
                )
                rcpts = len(self.envelope.rcpt_tos) if isinstance(self, LMTP) else 1
                for _ in range(rcpts):  # LMTP answers once per recipient (RFC 2033 s. 4.2)
                    await self.push(answer)
        finally:
            spool.close()
            self._set_post_data_state()


class DeskSMTP(_StreamingData, SMTP):  # type: ignore[misc]
    pass


class DeskLMTP(_StreamingData, LMTP):  # type: ignore[misc]
    pass


def make_server(*, lmtp: bool = False) -> SMTP:
    """Return one protocol instance (aiosmtpd makes one per connection)."""
    cls = DeskLMTP if lmtp else DeskSMTP
    return cls(
        DeskHandler(via="lmtp" if lmtp else "smtp"),
        data_size_limit=max_message_bytes(),
        enable_SMTPUTF8=True,
        decode_data=False,
        hostname=addressing.mail_domain(),
        ident="sladesk",
    )


def _follow_once() -> None:
    from sladesk.core import time
    from sladesk.mail.outbound import mail_ledger_follow, mail_reminders_send

    try:
        mail_ledger_follow(now=time.now())
        mail_reminders_send(now=time.now())
    except Exception:
        logger.exception("the outbound ledger follower failed; trying again later")
        connections.close_all()


async def follow_forever(every: float) -> None:
    """Mail what the tickets' ledger says every ``every`` seconds (agent replies, SLA...)."""
    while True:
        await asyncio.to_thread(_follow_once)
        await asyncio.sleep(every)


async def serve(*, host: str, port: int, lmtp: bool = False, ready: Any = None) -> None:
    """Listen on ``host:port`` until cancelled; call ``ready(port)`` once listening.

    Every ``SLADESK_MAIL_FOLLOW_SECONDS`` (10; 0 turns it off) the server also runs the
    outbound ledger follower, so agents' replies and SLA alerts are mailed.
    """
    loop = asyncio.get_running_loop()
    server = await loop.create_server(lambda: make_server(lmtp=lmtp), host=host, port=port)
    bound = server.sockets[0].getsockname()[1]
    every = float(getattr(settings, "SLADESK_MAIL_FOLLOW_SECONDS", 10))
    follower = asyncio.create_task(follow_forever(every)) if every > 0 else None
    if ready is not None:
        ready(bound)
    try:
        async with server:
            await server.serve_forever()
    finally:
        if follower is not None:
            follower.cancel()
