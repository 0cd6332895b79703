"""The tries the engine loads hold exactly the words of their .txt.gz lists."""

import gzip

import pytest

from bot.deid.wordset import DATA, TRIE_LISTS, load_words, with_folded


@pytest.mark.parametrize("name", TRIE_LISTS)
def test_each_trie_matches_its_list(name):
    with gzip.open(DATA / f"{name}.txt.gz", "rt", encoding="utf-8") as fh:
        words = with_folded(line for line in fh.read().split("\n") if line)
    trie = load_words(name)
    assert set(trie.keys()) == words, "run: python scripts/build_word_tries.py"


def test_membership_is_exact_not_prefix():
    names = load_words("first_names")
    listed = set(names.keys())
    unlisted_prefixes = {w[:-1] for w in listed if len(w) > 2} - listed
    assert "maria" in names and unlisted_prefixes
    assert not [p for p in unlisted_prefixes if p in names]
    assert "" not in names
