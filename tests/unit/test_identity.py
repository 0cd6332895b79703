"""Keyed hashes and encryption of poster identities, including key rotation."""

import logging
import os

from bot.identity import Identity, load_secrets


def test_hash_is_long_keyed_and_per_workspace():
    ident = Identity(["key-one"])
    h = ident.author_hash("T1", "U1")
    assert len(h) == 64 and "U1" not in h
    assert h == ident.author_hash("T1", "U1")
    assert h != ident.author_hash("T2", "U1") != ident.author_hash("T1", "U2")
    assert h != Identity(["key-two"]).author_hash("T1", "U1")


def test_seal_and_unseal():
    ident = Identity(["k"])
    token = ident.seal("U123")
    assert "U123" not in token and ident.unseal(token) == "U123"
    assert Identity(["other"]).unseal(token) is None
    assert ident.unseal(None) is None and ident.unseal("garbage") is None


def test_rotation_keeps_old_hashes_and_ciphertexts_working():
    old = Identity(["old"])
    token, h = old.seal("U9"), old.author_hash("T1", "U9")
    rotated = Identity(["new", "old"])
    assert h in rotated.author_hashes("T1", "U9")
    assert rotated.author_hash("T1", "U9") != h
    assert rotated.unseal(token) == "U9"


def test_the_sandbox_generates_its_key_once_and_quietly(tmp_path, caplog):
    first = load_secrets(None, tmp_path, sandbox=True)
    assert (tmp_path / "secret.key").exists() and oct(os.stat(tmp_path / "secret.key").st_mode)[-3:] == "600"
    assert len(first[0]) >= 32
    assert not [r for r in caplog.records if r.levelno >= logging.WARNING]
    assert load_secrets(None, tmp_path, sandbox=True) == first
    assert load_secrets("a" * 32 + ", " + "b" * 32, tmp_path) == ["a" * 32, "b" * 32]


def test_flagger_hash_is_not_the_author_hash():
    ident = Identity(["k"])
    assert ident.flagger_hash("T1", "U1") != ident.author_hash("T1", "U1")
    assert len(ident.flagger_hash("T1", "U1")) == 64
