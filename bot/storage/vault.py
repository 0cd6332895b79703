"""Crypto-shredding for open intakes.

An intake's answers are what the user typed, before de-identification. They are
stored only encrypted (AES-256-GCM) under a data key of that intake's own, which
is kept in a separate small table (``intake_keys``) wrapped by a key derived from
BOUNDARY_SECRET_KEY. Closing the intake (posted, cancelled, expired, replaced)
deletes that key row in the same transaction: what copies of the ciphertext
remain (SQLite's WAL and free pages, PostgreSQL's heap pages, WAL and backups)
can then no longer be read by anyone who does not also hold a copy of the key
row from before the close *and* the secret key. On PostgreSQL ``intake_keys`` is
UNLOGGED, so the key rows never reach the WAL, WAL archives, replicas or base
backups; on SQLite ``secure_delete`` and a WAL checkpoint after each close
overwrite them (see bot/storage/db.py and the README's "Security model").
"""

from __future__ import annotations

import json
import os
from typing import Any

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

NONCE = 12


def _wrap_key(secret: str) -> bytes:
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=b"boundary-consult", info=b"intake-key-wrap").derive(
        secret.encode()
    )


def _aad(kind: bytes, intake_id: int) -> bytes:
    # Bound to the intake: a key or a ciphertext copied onto another row does not open.
    return kind + b":" + str(intake_id).encode()


class IntakeVault:
    """Makes, wraps and uses the per-intake data keys. ``secrets`` newest first,
    as BOUNDARY_SECRET_KEY lists them (old keys still unwrap after a rotation).
    Without secrets (a bare Store in tests) a random key lives in this process
    only: its intakes do not survive a restart."""

    def __init__(self, secrets_newest_first: list[str] | None = None):
        if secrets_newest_first:
            self._wrap = [AESGCM(_wrap_key(s)) for s in secrets_newest_first]
        else:
            self._wrap = [AESGCM(AESGCM.generate_key(bit_length=256))]

    @staticmethod
    def new_key() -> bytes:
        return AESGCM.generate_key(bit_length=256)

    def wrap(self, data_key: bytes, intake_id: int) -> bytes:
        nonce = os.urandom(NONCE)
        return nonce + self._wrap[0].encrypt(nonce, data_key, _aad(b"intake-key", intake_id))

    def unwrap(self, wrapped: bytes, intake_id: int) -> bytes | None:
        """The data key, or None when no configured secret opens it."""
        nonce, body = bytes(wrapped[:NONCE]), bytes(wrapped[NONCE:])
        for aead in self._wrap:
            try:
                return aead.decrypt(nonce, body, _aad(b"intake-key", intake_id))
            except InvalidTag:
                continue
        return None

    @staticmethod
    def seal(data_key: bytes, intake_id: int, state: dict[str, Any]) -> bytes:
        nonce = os.urandom(NONCE)
        plain = json.dumps(state, ensure_ascii=False, separators=(",", ":")).encode()
        return nonce + AESGCM(data_key).encrypt(nonce, plain, _aad(b"intake-state", intake_id))

    @staticmethod
    def open(data_key: bytes, intake_id: int, sealed: bytes) -> dict[str, Any] | None:
        try:
            plain = AESGCM(data_key).decrypt(
                bytes(sealed[:NONCE]), bytes(sealed[NONCE:]), _aad(b"intake-state", intake_id)
            )
        except InvalidTag:
            return None
        return json.loads(plain)
