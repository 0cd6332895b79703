"""The words a writer checks and removes: parsing and counting."""

import pytest

from bot.consult.words import CHOSEN, MAX_CHOSEN, chosen_words, merge_words, removed_counts, review_words, word_key
from bot.deid import get_engine


@pytest.mark.parametrize(
    ("checked", "typed", "expected"),
    [
        (["rusty"], "", ["rusty"]),
        ([], "decline, honesty ; Lincoln\nkindly", ["decline", "honesty", "Lincoln", "kindly"]),
        (["Rusty"], "rusty, RUSTY", ["Rusty"]),  # the same word once, whatever its case
        ([], " ,, ; \n -- ", []),  # nothing with a letter or a digit
        ([], "New   York", ["New York"]),
        (["ro\u200bsa"], "rosa", ["ro\u200bsa"]),  # invisible characters aside
        (None, None, []),
    ],
)
def test_chosen_words(checked, typed, expected):
    assert chosen_words(checked, typed) == expected


def test_chosen_words_are_bounded():
    many = ",".join(f"w{i}" for i in range(200))
    assert len(chosen_words([], many)) == MAX_CHOSEN
    assert len(chosen_words([], "x" * 5000)[0]) == 100


def test_merge_keeps_each_word_once():
    assert merge_words(["Rusty", "J"], ["rusty", "kindly"]) == ["Rusty", "J", "kindly"]
    assert word_key(" Ro\u200bSA ") == "rosa"


def test_review_words_and_chosen_counts():
    texts = ["Her ex rusty texted. J came in late.", "Saying no kindly to rusty."]
    results = get_engine().redact_many(texts)
    words = review_words(texts, results)
    assert len(words) == len({w.casefold() for w in words})
    chosen = ["kindly", "texted"]
    results = get_engine().redact_many(texts, terms=tuple(chosen))
    counts = removed_counts(texts, results, chosen)
    assert counts[CHOSEN] == 2
    assert "kindly" not in results[1].text and "[redacted]" in results[1].text
