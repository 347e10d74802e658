"""Support addresses, signed ticket references and the desk's own Message-IDs.

A ticket is referred to in mail by a tag in the subject, ``[#1234-5f0c9e2a7b]``, and by a
reply address, ``support+t1234-5f0c9e2a7b@desk.example``. The ten hex digits are an HMAC
of the ticket id under ``SECRET_KEY`` (40 bits): a bare ``[#1234]`` or a guessed tag
threads nothing, so nobody can append to a ticket by guessing its number. The sender must
still be allowed to write on the ticket (``services``).
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Iterable

from django.conf import settings
from django.utils.crypto import constant_time_compare, salted_hmac

SIGNATURE_LENGTH = 10
TAG = re.compile(r"\[#(\d{1,12})-([0-9a-f]{6,20})\]", re.I)
BARE_TAG = re.compile(r"\[#(\d{1,12})\]")
PLUS = re.compile(
    r"^(?P<local>[^+@]+)\+t(?P<id>\d{1,12})-(?P<sig>[0-9a-f]{6,20})@(?P<domain>.+)$", re.I
)


def support_addresses() -> list[str]:
    """Return the configured support addresses, lower-case (setting ``SLADESK_SUPPORT_ADDRESSES``)."""
    return [a.strip().lower() for a in settings.SLADESK_SUPPORT_ADDRESSES if a.strip()]


def primary_address() -> str:
    addresses = support_addresses()
    return addresses[0] if addresses else "support@sladesk.localhost"


def mail_domain() -> str:
    """Return the domain the desk's Message-IDs are made in (the first support address's)."""
    return primary_address().rsplit("@", 1)[-1]


def base_address(address: str) -> str:
    """Return ``address`` without a ``+tag`` in its local part, lower-case."""
    local, _, domain = address.strip().lower().partition("@")
    return f"{local.split('+', 1)[0]}@{domain}"


def is_support_address(address: str) -> bool:
    """Return whether ``address`` (with or without a ``+tag``) is one of the desk's."""
    return "@" in address and base_address(address) in support_addresses()


def ticket_signature(ticket_id: int) -> str:
    return salted_hmac("sladesk.mail.ticket", str(ticket_id)).hexdigest()[:SIGNATURE_LENGTH]


def _valid(ticket_id: int, signature: str) -> bool:
    return constant_time_compare(ticket_signature(ticket_id), signature.lower())


def ticket_tag(ticket_id: int) -> str:
    """Return the subject tag of a ticket, e.g. ``[#1234-5f0c9e2a7b]``."""
    return f"[#{ticket_id}-{ticket_signature(ticket_id)}]"


def reply_address(ticket_id: int) -> str:
    """Return the signed reply address of a ticket (the desk's Reply-To)."""
    local, _, domain = primary_address().partition("@")
    return f"{local}+t{ticket_id}-{ticket_signature(ticket_id)}@{domain}"


def ticket_from_subject(subject: str) -> int | None:
    """Return the ticket id of a correctly signed tag in ``subject`` (None otherwise)."""
    for match in TAG.finditer(subject):
        ticket_id = int(match.group(1))
        if _valid(ticket_id, match.group(2)):
            return ticket_id
    return None


def has_unsigned_tag(subject: str) -> bool:
    """Return whether ``subject`` carries a ``[#1234]`` tag without a valid signature."""
    return bool(BARE_TAG.search(subject)) or (
        bool(TAG.search(subject)) and ticket_from_subject(subject) is None
    )


def ticket_from_addresses(addresses: Iterable[str]) -> int | None:
    """Return the ticket id of a correctly signed reply address among ``addresses``."""
    for address in addresses:
        match = PLUS.match(address.strip().lower())
        if match is None:
            continue
        if f"{match['local']}@{match['domain']}" not in support_addresses():
            continue
        ticket_id = int(match["id"])
        if _valid(ticket_id, match["sig"]):
            return ticket_id
    return None


#: How every Message-ID the desk makes begins (``new_message_id``).
MESSAGE_ID_PREFIX = "sladesk."


def new_message_id(*, ticket_id: int | None = None) -> str:
    """Return a fresh Message-ID of the desk (without angle brackets); unguessable.

    It begins with ``MESSAGE_ID_PREFIX`` (``sladesk.`` or ``sladesk.t<ticket>.``), so
    ``may_be_ours`` can tell other Message-IDs apart without a query.
    """
    prefix = f"sladesk.t{ticket_id}" if ticket_id else "sladesk"
    return f"{prefix}.{secrets.token_hex(10)}@{mail_domain()}"


def may_be_ours(message_id: str) -> bool:
    """Return whether ``message_id`` can be one the desk made (False: certainly not ours).

    Whatever the support domain was when it was made: only the prefix is compared.
    """
    return message_id.startswith(MESSAGE_ID_PREFIX)
