"""Who posted what, known only through the secret key.

- `author_hash`: HMAC-SHA256 over team and user ID; finds "my posts" and enforces
  blocks without storing the user ID. Long (256 bits) and per workspace, so it
  never collides across people or teams.
- `seal`/`unseal`: the user ID encrypted (Fernet: AES-128-CBC + HMAC) so replies
  can be relayed to the poster.
Both keys are derived from BOUNDARY_SECRET_KEY with HKDF. The variable may hold
several comma-separated keys, newest first: old keys keep finding existing posts
and blocks, and old ciphertexts still decrypt, so rotating never lifts a block.

Keys cannot silently change: outside the sandbox there is no generated fallback,
short keys are refused, and the database records a fingerprint of every key it
was written with (``fingerprint``: derived, never the key), so that the app
refuses to start with keys that match none of them (``bot.services``).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
import secrets
from pathlib import Path

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from bot.config import ConfigError
from bot.values import ValueTags

KEY_FILE = "secret.key"


def _derive(secret: str, purpose: bytes) -> bytes:
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=b"boundary-consult", info=purpose).derive(secret.encode())


MIN_KEY_BYTES = 32
MAKE_ONE = (
    "make one once with `python -m bot keygen` "
    "(or: python3 -c 'import secrets; print(secrets.token_urlsafe(48))'), keep it where it cannot be lost "
    "(a secret store, a backup) and set BOUNDARY_SECRET_KEY to it"
)


class KeyProblem(ConfigError):
    """A missing, weak or unknown key: the app must not start with it."""


def new_key() -> str:
    return secrets.token_urlsafe(48)  # 64 characters, 384 bits


def check_key(key: str, where: str) -> str:
    if not key:
        raise KeyProblem(f"{where} is empty; {MAKE_ONE}")
    if len(key.encode()) < MIN_KEY_BYTES:
        raise KeyProblem(f"{where} is too short ({len(key.encode())} bytes, at least {MIN_KEY_BYTES}); {MAKE_ONE}")
    return key


def load_secrets(configured: str | None, data_dir: Path, *, sandbox: bool = False) -> list[str]:
    """The keys, newest first. Outside the sandbox they come from BOUNDARY_SECRET_KEY
    only: a key generated on the spot would silently change on an ephemeral disk or a
    second host. The sandbox makes its own, quietly, in its data folder."""
    if configured is not None and configured.strip():
        parts = [k.strip() for k in configured.split(",")]
        if not any(parts):
            raise KeyProblem(f"BOUNDARY_SECRET_KEY holds no key; {MAKE_ONE}")
        label = "BOUNDARY_SECRET_KEY" if len(parts) == 1 else "a key in BOUNDARY_SECRET_KEY"
        return [check_key(k, label) for k in parts]
    path = data_dir / KEY_FILE
    if not sandbox:
        earlier = f" (a key generated earlier is in {path}: set BOUNDARY_SECRET_KEY to its content)"
        raise KeyProblem("BOUNDARY_SECRET_KEY is not set; " + MAKE_ONE + (earlier if path.exists() else "") + ".")
    if path.exists():
        return [check_key(path.read_text(encoding="utf-8").strip(), f"the key file {path}")]
    data_dir.mkdir(parents=True, exist_ok=True)
    key = new_key()
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        fh.write(key)
    return [key]


def fingerprint(secret: str) -> str:
    """Names a key without revealing it (a keyed hash: HKDF of the key for this purpose only)."""
    return _derive(secret, b"key-fingerprint").hex()


class Identity:
    def __init__(self, secrets_newest_first: list[str]):
        if not secrets_newest_first:
            raise ValueError("at least one secret key is required")
        self._secrets = list(secrets_newest_first)
        self._hash_keys = [_derive(s, b"author-hash") for s in secrets_newest_first]
        # Separate keys for flags, so a dump can't match someone's flags to their posts.
        self._flag_keys = [_derive(s, b"flagger-hash") for s in secrets_newest_first]
        self._fingerprints = [fingerprint(s) for s in secrets_newest_first]
        # The tag on every button value and form naming a post (bot/values.py).
        self.value_tags = ValueTags([_derive(s, b"value-tags") for s in secrets_newest_first])
        self._fernet = MultiFernet(
            [Fernet(base64.urlsafe_b64encode(_derive(s, b"relay-encryption"))) for s in secrets_newest_first]
        )

    def fernet_for(self, purpose: bytes) -> MultiFernet:
        """Encryption under the current key, decryption under any, for another purpose
        (its own derived keys): the installations' bot tokens (bot/slack/installs.py)."""
        return MultiFernet([Fernet(base64.urlsafe_b64encode(_derive(s, purpose))) for s in self._secrets])

    @staticmethod
    def _mac(key: bytes, team_id: str, user_id: str) -> str:
        return hmac.new(key, f"{team_id}:{user_id}".encode(), hashlib.sha256).hexdigest()

    def author_hash(self, team_id: str, user_id: str) -> str:
        return self._mac(self._hash_keys[0], team_id, user_id)

    def author_hashes(self, team_id: str, user_id: str) -> list[str]:
        """Under the current and every previous key: for lookups."""
        return [self._mac(k, team_id, user_id) for k in self._hash_keys]

    def flagger_hash(self, team_id: str, user_id: str) -> str:
        return self._mac(self._flag_keys[0], team_id, user_id)

    def flagger_hashes(self, team_id: str, user_id: str) -> list[str]:
        """Under the current and every previous key: one flag per person across a rotation."""
        return [self._mac(k, team_id, user_id) for k in self._flag_keys]

    def fingerprints(self) -> list[str]:
        return list(self._fingerprints)

    def seal(self, user_id: str) -> str:
        return self._fernet.encrypt(user_id.encode()).decode()

    def unseal(self, token: str | None) -> str | None:
        if not token:
            return None
        try:
            return self._fernet.decrypt(token.encode()).decode()
        except InvalidToken:
            return None
