"""Encrypt a kept original upload in chunks (Fernet), so memory stays bounded.

Format: for each chunk of plaintext (at most 4 MiB), a 4-byte big-endian length followed by
that many bytes of Fernet token. Each token is authenticated; a truncated or altered file
fails to decrypt. The key is given by the caller (the Django layer derives it).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import struct
from collections.abc import Iterable, Iterator
from typing import IO

from cryptography.fernet import Fernet

CHUNK = 4 * 1024 * 1024


def fernet_key(secret: str, *, purpose: str = "sladesk.packets.original") -> bytes:
    """Derive a Fernet key from a secret (HMAC-SHA256 of the purpose, url-safe base64)."""
    digest = hmac.new(secret.encode(), purpose.encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest)


def encrypt_chunks(chunks: Iterable[bytes], *, key: bytes) -> Iterator[bytes]:
    """Yield the encrypted records for ``chunks``."""
    fernet = Fernet(key)
    for chunk in chunks:
        for start in range(0, len(chunk), CHUNK):
            token = fernet.encrypt(chunk[start : start + CHUNK])
            yield struct.pack(">I", len(token)) + token


def decrypt_stream(stream: IO[bytes], *, key: bytes) -> Iterator[bytes]:
    """Yield the plaintext chunks of a file written by ``encrypt_chunks``."""
    fernet = Fernet(key)
    while True:
        header = stream.read(4)
        if not header:
            return
        if len(header) != 4:
            raise ValueError("truncated encrypted file")
        (size,) = struct.unpack(">I", header)
        token = stream.read(size)
        if len(token) != size:
            raise ValueError("truncated encrypted file")
        yield fernet.decrypt(token)
