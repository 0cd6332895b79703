"""Parsing `/boundary-admin …` text as Slack sends it (channels and users escaped)."""

import pytest

from bot.moderation.commands import AdminCommand, channel_ref, parse, post_number, user_ref


@pytest.mark.parametrize(
    "text, expected",
    [
        ("", AdminCommand("help")),
        ("   ", AdminCommand("help")),
        ("status", AdminCommand("status")),
        ("STATUS", AdminCommand("status")),
        ("channels", AdminCommand("channel", "list")),
        ("channels whatever", AdminCommand("channel", "list")),
        ("channel list", AdminCommand("channel", "list")),
        ("channel add <#C0GENERAL|general>", AdminCommand("channel", "add", "<#C0GENERAL|general>")),
        ("channel ADD   <#C0GENERAL|general>  ", AdminCommand("channel", "add", "<#C0GENERAL|general>")),
        ("channel rm <#C0GENERAL>", AdminCommand("channel", "remove", "<#C0GENERAL>")),
        ("channel delete <#C0GENERAL>", AdminCommand("channel", "remove", "<#C0GENERAL>")),
        ("channel", AdminCommand("channel")),
        ("channel frob x", AdminCommand("channel", "", "frob x")),
        ("moderator add <@U0COLL1>", AdminCommand("moderators", "add", "<@U0COLL1>")),
        ("moderators", AdminCommand("moderators")),
        ("moderators remove <@U0COLL1|sam>", AdminCommand("moderators", "remove", "<@U0COLL1|sam>")),
        ("approval on", AdminCommand("approval", "", "on")),
        ("review-channel <#G0REVIEW|consult-review>", AdminCommand("review-channel", "", "<#G0REVIEW|consult-review>")),
        ("review_channel <#G0REVIEW>", AdminCommand("review-channel", "", "<#G0REVIEW>")),
        ("term add Sunflower  House", AdminCommand("terms", "add", "Sunflower  House")),
        ("terms", AdminCommand("terms")),
        ("terms list", AdminCommand("terms", "list")),
        ("retention 30", AdminCommand("retention", "", "30")),
        ("block 17", AdminCommand("block", "", "17")),
        ("remove #17", AdminCommand("remove", "", "#17")),
        ("audit", AdminCommand("audit")),
        ("frobnicate now", AdminCommand("frobnicate", "", "now")),
    ],
)
def test_parse(text, expected):
    assert parse(text) == expected


@pytest.mark.parametrize(
    "arg, expected",
    [
        ("<#C0GENERAL|general>", ("C0GENERAL", "general")),
        ("<#C0GENERAL>", ("C0GENERAL", "")),
        ("<#C0GENERAL|>", ("C0GENERAL", "")),
        ("  <#G0REVIEW|consult-review> ", ("G0REVIEW", "consult-review")),
        ("#general", None),
        ("general", None),
        ("<#C0GENERAL|general> extra", None),
        ("<@U0COLL1>", None),
        ("<#c0general>", None),
        ("", None),
    ],
)
def test_channel_ref(arg, expected):
    assert channel_ref(arg) == expected


@pytest.mark.parametrize(
    "arg, expected",
    [
        ("<@U0COLL1>", "U0COLL1"),
        ("<@U0COLL1|sam>", "U0COLL1"),
        ("<@W0ENTERPRISE>", "W0ENTERPRISE"),
        ("@sam", None),
        ("sam", None),
        ("<#C0GENERAL>", None),
        ("<!channel>", None),
        ("", None),
    ],
)
def test_user_ref(arg, expected):
    assert user_ref(arg) == expected


@pytest.mark.parametrize(
    "arg, expected",
    [
        ("17", 17),
        ("#17", 17),
        (" # 17 ", 17),
        ("0017", 17),
        ("", None),
        ("seventeen", None),
        ("17 18", None),
        ("-1", None),
        ("1.5", None),
        ("1234567890", None),
    ],
)
def test_post_number(arg, expected):
    assert post_number(arg) == expected
