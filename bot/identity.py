"""Who posted what, known only through the secret key.

- `author_hash`: HMAC-SHA256 over team and user ID; finds "my posts" and enforces
  blocks without storing the user ID. Long (256 bits) and per workspace, so it
  never collides across people or teams.
- `seal`/`unseal`: the user ID encrypted (Fernet: AES-128-CBC + HMAC) so replies
  can be relayed to the poster.
Both keys are derived from BOUNDARY_SECRET_KEY with HKDF. The variable may hold
several comma-separated keys, newest first: old keys keep finding existing posts
and blocks, and old ciphertexts still decrypt, so rotating never lifts a block.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import logging
import os
import secrets
from pathlib import Path

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from bot.logs import log_event

log = logging.getLogger("bot.identity")
KEY_FILE = "secret.key"


def _derive(secret: str, purpose: bytes) -> bytes:
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=b"boundary-consult", info=purpose).derive(secret.encode())


def load_secrets(configured: str | None, data_dir: Path) -> list[str]:
    if configured:
        keys = [k.strip() for k in configured.split(",") if k.strip()]
        if keys:
            return keys
    path = data_dir / KEY_FILE
    if path.exists():
        return [path.read_text(encoding="utf-8").strip()]
    data_dir.mkdir(parents=True, exist_ok=True)
    key = secrets.token_urlsafe(48)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        fh.write(key)
    log_event(
        log,
        "BOUNDARY_SECRET_KEY is not set: generated a key into the data folder. Set the variable "
        "in production and back it up; without it, posts can no longer be linked to their authors for "
        "replies, 'mine' and blocks.",
        logging.WARNING,
        path=str(path),
    )
    return [key]


class Identity:
    def __init__(self, secrets_newest_first: list[str]):
        if not secrets_newest_first:
            raise ValueError("at least one secret key is required")
        self._hash_keys = [_derive(s, b"author-hash") for s in secrets_newest_first]
        # A separate key for flags, so a dump can't match someone's flags to their posts.
        self._flag_key = _derive(secrets_newest_first[0], b"flagger-hash")
        self._fernet = MultiFernet(
            [Fernet(base64.urlsafe_b64encode(_derive(s, b"relay-encryption"))) for s in secrets_newest_first]
        )

    @staticmethod
    def _mac(key: bytes, team_id: str, user_id: str) -> str:
        return hmac.new(key, f"{team_id}:{user_id}".encode(), hashlib.sha256).hexdigest()

    def author_hash(self, team_id: str, user_id: str) -> str:
        return self._mac(self._hash_keys[0], team_id, user_id)

    def author_hashes(self, team_id: str, user_id: str) -> list[str]:
        """Under the current and every previous key: for lookups."""
        return [self._mac(k, team_id, user_id) for k in self._hash_keys]

    def flagger_hash(self, team_id: str, user_id: str) -> str:
        return self._mac(self._flag_key, team_id, user_id)

    def seal(self, user_id: str) -> str:
        return self._fernet.encrypt(user_id.encode()).decode()

    def unseal(self, token: str | None) -> str | None:
        if not token:
            return None
        try:
            return self._fernet.decrypt(token.encode()).decode()
        except InvalidToken:
            return None
