"""Slack's three entities: what escape makes, unescape undoes, for any text."""

from hypothesis import given
from hypothesis import strategies as st

from bot.mrkdwn import escape, unescape


@given(st.text(alphabet=st.sampled_from(list("&<>;amplgt #@!x")), max_size=40) | st.text(max_size=40))
def test_unescape_undoes_escape(text):
    assert unescape(escape(text)) == text


def test_an_entity_typed_as_text_comes_back_as_typed():
    assert unescape("A&amp;E &lt;3 &amp;lt;") == "A&E <3 &lt;"
