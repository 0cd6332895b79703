"""`/boundary-admin`: configuration by moderators, answered ephemerally.

Channel and user arguments arrive escaped by Slack (`<#C…|name>`, `<@U…>`): the
IDs are taken from there, never resolved from typed names."""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable
from typing import Any

from bot.config import Settings
from bot.consult.discussion import Discussion
from bot.consult.model import PostStatus
from bot.gateway import ChannelInfo, Gateway, GatewayError, NotFound, Team
from bot.identity import Identity
from bot.moderation.commands import AdminCommand, channel_ref, parse, post_or_reply, user_ref
from bot.moderation.service import Moderation, channels_job
from bot.moderation.workspace import RESOURCE_KEYS, Workspace
from bot.mrkdwn import escape
from bot.outgoing import AdminAnswer, BlockQuestion
from bot.principles import get_catalog
from bot.principles.codes import CodeChoice
from bot.storage import models as m
from bot.storage.store import Store
from bot.texts import text
from bot.values import post_or_reply_ref

CHANNEL_ID = re.compile(r"[CG][A-Z0-9]+")
RESOURCE_ALIASES = {
    "emergency": "emergency",
    "emergency_number": "emergency",
    "emergency-number": "emergency",
    "crisis": "crisis_line",
    "crisis_line": "crisis_line",
    "crisis-line": "crisis_line",
    "crisisline": "crisis_line",
    "protocol": "protocol",
    "protocol_link": "protocol",
    "link": "protocol",
    "oncall": "on_call",
    "on-call": "on_call",
    "on_call": "on_call",
    "on": "on_call",
}
MAX_RESOURCE = 200
# Slack escapes links in command text as <https://…> or <https://…|label>
LINK = re.compile(r"^<?(https?://[^\s<>|]+)(?:\|[^>]*)?>?$")


def resource_value(key: str, given: str) -> tuple[str | None, str | None]:
    """(display mrkdwn, problem) for one risk resource typed by a moderator."""
    given = " ".join(given.split())
    if len(given) > MAX_RESOURCE:
        return None, text("risk.admin.too_long", max=MAX_RESOURCE)
    if key == "protocol":
        m = LINK.match(given)
        if not m:
            return None, text("risk.admin.bad_link")
        return f"<{m.group(1)}>", None
    if key == "on_call":
        user = user_ref(given)
        if user:
            return f"<@{user}>", None
    return escape(given.replace("`", "'")), None


USER_ID = re.compile(r"[UW][A-Z0-9]+")


def _t(key: str, **fmt: Any) -> str:
    return text(f"moderation.{key}", **fmt)


def _answer(key: str, **fmt: Any) -> AdminAnswer:
    return AdminAnswer(_t(key, **fmt))


def usage(prefix: str | None = None) -> AdminAnswer:
    return AdminAnswer((prefix + "\n" if prefix else "") + _t("usage"))


def _shown_autocomplete(kind: str, given: str) -> AdminAnswer:
    """ "Pick it from the autocomplete", quoting what was typed (inert)."""
    return _answer(f"use_autocomplete_{kind}", given=escape(given[:60].replace("`", "'")))


def _audit_detail(entry: m.AuditEntry) -> str:
    """The detail worth showing: which channel, moderator or retention; never a term's text."""
    detail = entry.detail or ""
    if not detail:
        return ""
    if entry.action.startswith(("channel", "review")) and CHANNEL_ID.fullmatch(detail):
        return f" · <#{detail}>"
    if entry.action.startswith("moderator") and USER_ID.fullmatch(detail):
        return f" · <@{detail}>"
    if entry.action.startswith("resources") and (detail in RESOURCE_KEYS or detail == "all"):
        return f" · {detail}"
    if entry.action == "retention" and detail.isdigit():
        return f" · {detail}"
    if re.fullmatch(r"reply \d+", detail):
        return f" · {detail}"
    return ""


Handler = Callable[[Team, str, AdminCommand], Awaitable[AdminAnswer | BlockQuestion]]


class AdminCommands:
    def __init__(
        self,
        store: Store,
        workspace: Workspace,
        gateway: Gateway,
        moderation: Moderation,
        discussion: Discussion,
        identity: Identity,
        settings: Settings,
    ):
        self.identity = identity
        self.store = store
        self.workspace = workspace
        self.gateway = gateway
        self.moderation = moderation
        self.discussion = discussion
        self.config_terms = {t.lower() for t in settings.terms}
        self.codes = CodeChoice(store, identity, get_catalog())
        self.handlers: dict[str, Handler] = {
            "help": self._help,
            "status": self._status,
            "channel": self._channel,
            "moderators": self._moderators,
            "approval": self._approval,
            "review-channel": self._review_channel,
            "terms": self._terms,
            "retention": self._retention,
            "block": self._block,
            "unblock": self._unblock,
            "remove": self._remove,
            "audit": self._audit,
            "resources": self._resources,
            "resource": self._resources,
            "code": self._code,
            "codes": self._code,
        }

    async def run(self, team: Team, user_id: str, typed: str) -> AdminAnswer | BlockQuestion:
        if not await self.moderation.is_moderator(team, user_id):
            return _answer("not_moderator")
        cmd = parse(typed)
        handler = self.handlers.get(cmd.sub)
        if handler is None:
            return usage(_t("unknown", sub=escape(cmd.sub[:40].replace("`", ""))))
        return await handler(team, user_id, cmd)

    async def _help(self, team: Team, user_id: str, cmd: AdminCommand) -> AdminAnswer:
        return usage()

    async def _status(self, team: Team, user_id: str, cmd: AdminCommand) -> AdminAnswer:
        ws = await self.codes.workspace(team.id)
        line = _t("status.code", name=ws.family.name, codes=ws.family.codes, source=_t(f"status.code_{ws.source}"))
        return AdminAnswer(await self.moderation.status_text(team.id) + "\n" + line)

    async def _code(self, team: Team, user_id: str, cmd: AdminCommand) -> AdminAnswer:
        """`code` shows the workspace default and the choices; `code uk` sets it."""
        catalog = self.codes.catalog
        choices = ", ".join(f"`{f.key}` ({f.name})" for f in catalog.code_families.values())
        if not cmd.arg:
            ws = await self.codes.workspace(team.id)
            return _answer("code.current", name=ws.family.name, codes=ws.family.codes, choices=choices)
        key = catalog.family_for_name(cmd.arg)
        if key is None:
            return _answer("code.unknown", given=escape(cmd.arg[:40].replace("`", "'")), choices=choices)
        await self.codes.set_workspace(team.id, key)
        await self.store.audit(team.id, user_id, "code", detail=key)
        fam = catalog.code_families[key]
        return _answer("code.set", name=fam.name, codes=fam.codes)

    async def _channel(self, team: Team, user_id: str, cmd: AdminCommand) -> AdminAnswer:
        if cmd.action == "list":
            eff = await self.workspace.effective(team.id)
            lines = [_t("lists.channel_line", channel=c.id, source=c.source) for c in eff.channels]
            return AdminAnswer(_t("lists.channels_title") + "\n" + ("\n".join(lines) or _t("lists.none_yet")))
        if cmd.action not in ("add", "remove"):
            return _answer("usage_line.channel")
        ref = channel_ref(cmd.arg)
        if ref is None:
            return _shown_autocomplete("channel", cmd.arg) if cmd.arg else _answer("usage_line.channel")
        channel_id = ref[0]
        if cmd.action == "remove":
            eff = await self.workspace.effective(team.id)
            if channel_id not in {c.id for c in eff.channels}:
                return _answer("done.channel_not_listed", channel=channel_id)
            await self.store.set_channel(team.id, channel_id, "", active=False)
            await self.store.audit(team.id, user_id, "channel remove", detail=channel_id)
            return _answer("done.channel_removed", channel=channel_id)
        info, problem = await self._ensure_member(team, channel_id)
        if problem or info is None:
            return AdminAnswer(problem or _t("done.cannot_see", channel=channel_id))
        # The name shown in the intake's group choice comes from Slack, never from the typed text.
        await self.store.set_channel(team.id, channel_id, (info.name or channel_id)[:100], active=True)
        await self.store.audit(team.id, user_id, "channel add", detail=channel_id)
        return _answer("done.channel_added", channel=channel_id)

    async def join_configured_channels(self, team: Team) -> dict[str, str]:
        """At start: joins each consultation channel the app is not in yet (public ones;
        a private one needs an invitation) and notes what happened to each, for
        `/boundary-admin status`: `member`, `joined`, `invite` (private), `not_found`
        (Slack says the same for a private channel the app was not invited to), or
        Slack's error code."""
        eff = await self.workspace.effective(team.id)
        states: dict[str, str] = {}
        for channel in eff.channels:
            try:
                info = await self.gateway.channel(team, channel.id)
                if info.is_member:
                    states[channel.id] = "member"
                elif info.is_private or info.is_direct:
                    states[channel.id] = "invite"
                else:
                    await self.gateway.join(team, channel.id)
                    states[channel.id] = "joined"
            except NotFound:
                states[channel.id] = "not_found"
            except GatewayError as exc:
                states[channel.id] = exc.code[:60]
        await self.store.record_job(channels_job(team.id), states)
        return states

    async def _ensure_member(self, team: Team, channel_id: str) -> tuple[ChannelInfo | None, str | None]:
        """(channel info, None) when the app can post there; otherwise what the
        moderator should do: public channels are joined, private ones need an
        invitation."""
        try:
            info = await self.gateway.channel(team, channel_id)
        except NotFound:
            # Slack answers the same for a private channel the app isn't in and for no channel at all.
            return None, _t("done.cannot_see", channel=channel_id)
        except GatewayError as exc:
            return None, _t("done.cannot_join", channel=channel_id, error=escape(exc.code[:60]))
        if info.is_member:
            return info, None
        if info.is_private or info.is_direct:
            return info, _t("done.invite_me", channel=channel_id)
        try:
            await self.gateway.join(team, channel_id)
        except GatewayError as exc:
            return info, _t("done.cannot_join", channel=channel_id, error=escape(exc.code[:60]))
        return info, None

    async def _moderators(self, team: Team, user_id: str, cmd: AdminCommand) -> AdminAnswer:
        if cmd.action == "list" or (cmd.action == "" and not cmd.arg):
            eff = await self.workspace.effective(team.id)
            users = ", ".join(f"<@{u}>" for u in eff.moderators) or _t("lists.moderators_none")
            return _answer("lists.moderators", users=users)
        if cmd.action not in ("add", "remove"):
            return _answer("usage_line.moderators")
        target = user_ref(cmd.arg)
        if target is None:
            return _shown_autocomplete("user", cmd.arg) if cmd.arg else _answer("usage_line.moderators")
        if cmd.action == "add":
            added = await self.store.add_moderator(team.id, target)
            if added:
                await self.store.audit(team.id, user_id, "moderator add", detail=target)
            return _answer("done.moderator_added" if added else "done.moderator_exists", user=target)
        removed = await self.store.remove_moderator(team.id, target)
        if removed:
            await self.store.audit(team.id, user_id, "moderator remove", detail=target)
            self.moderation.forget_admin(team, target)
        return _answer("done.moderator_removed" if removed else "done.moderator_not_listed", user=target)

    async def _approval(self, team: Team, user_id: str, cmd: AdminCommand) -> AdminAnswer:
        arg = cmd.arg.lower()
        if arg not in ("on", "off"):
            return _answer("usage_line.approval")
        await self.store.set_setting(team.id, "approval", arg == "on")
        await self.store.audit(team.id, user_id, f"approval {arg}")
        if arg == "off":
            return _answer("done.approval_off")
        eff = await self.workspace.effective(team.id)
        if eff.review_channel:
            return _answer("done.approval_on", channel=eff.review_channel)
        return _answer("done.approval_on_no_review")

    async def _review_channel(self, team: Team, user_id: str, cmd: AdminCommand) -> AdminAnswer:
        ref = channel_ref(cmd.arg)
        if ref is None:
            return _shown_autocomplete("channel", cmd.arg) if cmd.arg else _answer("usage_line.review_channel")
        info, problem = await self._ensure_member(team, ref[0])
        if problem or info is None:
            return AdminAnswer(problem or _t("done.cannot_see", channel=ref[0]))
        await self.store.set_setting(team.id, "review_channel", ref[0])
        await self.store.audit(team.id, user_id, "review-channel", detail=ref[0])
        answer = _t("done.review_channel", channel=ref[0])
        if not info.is_private:
            answer += "\n" + _t("done.review_channel_public")
        return AdminAnswer(answer)

    async def _terms(self, team: Team, user_id: str, cmd: AdminCommand) -> AdminAnswer:
        if cmd.action == "list" or (cmd.action == "" and not cmd.arg):
            eff = await self.workspace.effective(team.id)
            if not eff.terms:
                return _answer("done.terms_empty")
            return _answer("lists.terms", terms=", ".join(f"“{escape(t)}”" for t in eff.terms))
        term = " ".join(cmd.arg.split())[:200]
        if cmd.action not in ("add", "remove") or not term:
            return _answer("usage_line.terms")
        shown = escape(term)
        if cmd.action == "add":
            eff = await self.workspace.effective(team.id)
            if term.lower() in {t.lower() for t in eff.terms}:
                return _answer("done.term_exists", term=shown)
            added = await self.store.add_term(team.id, term)
            if added:
                await self.store.audit(team.id, user_id, "terms add")
            return _answer("done.term_added" if added else "done.term_exists", term=shown)
        removed = await self.store.remove_term(team.id, term)
        in_config = term.lower() in self.config_terms and self.workspace.config_applies(team.id)
        if removed:
            await self.store.audit(team.id, user_id, "terms remove")
            done = _t("done.term_removed", term=shown)
            return AdminAnswer(done + "\n" + _t("done.term_in_config", term=shown) if in_config else done)
        return _answer("done.term_in_config" if in_config else "done.term_not_listed", term=shown)

    async def _resources(self, team: Team, user_id: str, cmd: AdminCommand) -> AdminAnswer:
        """`resources` shows them; `resources <key> <value>` sets one; `resources clear <key>|all`."""
        current = await self.workspace.risk_resources(team.id)
        words = cmd.arg.split(None, 1)
        if not words:
            lines = [
                text(
                    "risk.admin.line",
                    label=text(f"risk.admin.keys.{k}"),
                    value=current.get(k) or text("risk.admin.unset"),
                )
                for k in RESOURCE_KEYS
            ]
            return AdminAnswer("\n".join([text("risk.admin.title"), *lines, text("risk.admin.usage")]))
        first = words[0].lower()
        if first in ("clear", "unset", "remove", "delete"):
            which = words[1].strip().lower() if len(words) > 1 else ""
            if which == "all":
                await self.workspace.set_risk_resources(team.id, {})
                await self.store.audit(team.id, user_id, "resources clear", detail="all")
                return AdminAnswer(text("risk.admin.cleared_all"))
            key = RESOURCE_ALIASES.get(which)
            if key is None:
                return AdminAnswer(text("risk.admin.usage"))
            current.pop(key, None)
            await self.workspace.set_risk_resources(team.id, current)
            await self.store.audit(team.id, user_id, "resources clear", detail=key)
            return AdminAnswer(text("risk.admin.cleared", label=text(f"risk.admin.keys.{key}")))
        key = RESOURCE_ALIASES.get(first)
        if key is None or len(words) < 2 or not words[1].strip():
            return AdminAnswer(text("risk.admin.usage"))
        value, problem = resource_value(key, words[1])
        if problem or value is None:
            return AdminAnswer(problem or text("risk.admin.usage"))
        current[key] = value
        await self.workspace.set_risk_resources(team.id, current)
        await self.store.audit(team.id, user_id, "resources", detail=key)
        return AdminAnswer(text("risk.admin.set", label=text(f"risk.admin.keys.{key}"), value=value))

    async def _retention(self, team: Team, user_id: str, cmd: AdminCommand) -> AdminAnswer:
        if not cmd.arg.isdigit() or int(cmd.arg) > 36500:
            return _answer("usage_line.retention")
        days = int(cmd.arg)
        await self.store.set_setting(team.id, "retention_days", days)
        await self.store.audit(team.id, user_id, "retention", detail=str(days))
        if days:
            await self.moderation.run_retention()
            return _answer("done.retention", days=days)
        return _answer("done.retention_off")

    async def _typed_target(self, team: Team, cmd: AdminCommand, usage: str) -> tuple[m.Post, int | None] | AdminAnswer:
        """The post (and reply) a moderator typed, `17` or `17.2`: this workspace's
        "Dilemma #17" (never a row id, never another workspace's post), or the answer
        when the reference is malformed or names no post."""
        ref = post_or_reply(cmd.arg)
        if ref is None:
            return _answer(usage)
        number, reply = ref
        post = await self.store.post_by_number(team.id, number)
        if post is None:
            return _answer("done.no_reply" if reply else "done.no_post", number=number, reply=reply)
        return post, reply

    async def _writer(self, team: Team, post: m.Post | None, reply: int | None) -> list[str] | None:
        """The keyed hashes of whoever wrote a post or one of its anonymous replies;
        None when there is no such post or reply."""
        if post is None:
            return None
        if reply is not None:
            row = await self.store.reply(post.id, reply)
            return [row.author_hash] if row is not None and row.author_hash else None
        hashes = [post.author_hash]
        user_id = self.identity.unseal(post.author_enc)
        if user_id:  # the same person under every key (blocks made before a rotation)
            hashes += [h for h in self.identity.author_hashes(team.id, user_id) if h not in hashes]
        return hashes

    async def _block(self, team: Team, user_id: str, cmd: AdminCommand) -> AdminAnswer | BlockQuestion:
        """A typed block asks first (a mistyped number would block the wrong person);
        the answer to a reference that names no one is given at once."""
        target = await self._typed_target(team, cmd, "usage_line.block")
        if isinstance(target, AdminAnswer):
            return target
        post, reply = target
        if await self._writer(team, post, reply) is None:
            return _answer("done.no_reply" if reply else "done.no_post", number=post.number, reply=reply)
        return BlockQuestion(post.number, reply)

    async def block_confirmed(self, team: Team, user_id: str, ref: str) -> AdminAnswer:
        """The block itself: from the confirmation's Block button, or the queue's (behind
        Slack's confirm dialog); ``ref`` is the button's value, the post's number (`p17` or
        `p17.2`, tagged for its workspace key, bot/values.py) or, on a button sent before,
        its row id (`917`, `917.2`), found only among this workspace's posts. Checks the moderator again: a click can
        come from anyone."""
        if not await self.moderation.is_moderator(team, user_id):
            return _answer("not_moderator")
        parsed = post_or_reply_ref(ref, self.identity.value_tags, team.id)  # another key's: ELSEWHERE
        if parsed is None:
            return _answer("usage_line.block")
        post_ref, reply = parsed
        post = await self.store.find_post(team.id, post_ref)
        if post is None:
            return _answer("done.post_gone")
        return await self._set_block(team, user_id, post, reply, blocked=True)

    async def _unblock(self, team: Team, user_id: str, cmd: AdminCommand) -> AdminAnswer:
        target = await self._typed_target(team, cmd, "usage_line.unblock")
        if isinstance(target, AdminAnswer):
            return target
        post, reply = target
        return await self._set_block(team, user_id, post, reply, blocked=False)

    async def _set_block(
        self, team: Team, user_id: str, post: m.Post, reply: int | None, *, blocked: bool
    ) -> AdminAnswer:
        """Blocks or unblocks the writer of a post (`17`) or of an anonymous reply (`17.2`).
        The answer and the audit entry are the same whether or not they were blocked
        already: "already blocked" would tell that two posts share an author."""
        action = "block" if blocked else "unblock"
        number = post.number
        hashes = await self._writer(team, post, reply)
        if hashes is None:
            return _answer("done.no_reply" if reply else "done.no_post", number=number, reply=reply)
        if blocked:
            await self.store.block_author(team.id, hashes[0], number, reply)
        else:
            for h in hashes:
                await self.store.unblock_author(team.id, h)
        await self.store.audit(team.id, user_id, action, post_number=number, detail=f"reply {reply}" if reply else None)
        done = f"done.{action}ed"
        return _answer(f"{done}_reply" if reply else done, number=number, reply=reply)

    async def _remove(self, team: Team, user_id: str, cmd: AdminCommand) -> AdminAnswer:
        target = await self._typed_target(team, cmd, "usage_line.remove")
        if isinstance(target, AdminAnswer):
            return target
        post, reply = target
        number = post.number
        if reply is not None:
            try:
                removed = await self.discussion.remove_reply(team, post.id, reply)
            except GatewayError:
                return _answer("done.remove_failed", number=number)
            if not removed:
                return _answer("done.no_reply", number=number, reply=reply)
            await self.store.audit(team.id, user_id, "remove reply", post_number=number, detail=f"reply {reply}")
            return _answer("done.removed_reply", number=number, reply=reply)
        result = await self.discussion.delete(team, None, post.id, status=PostStatus.REMOVED)
        if not result.ok:
            return _answer("done.no_post", number=number)
        await self.store.audit(team.id, user_id, "remove", post_number=number)
        await self.moderation.close_open_flags(team, post, _t("review.flag_removed", moderator=user_id))
        return _answer("done.removed", number=number)

    async def _audit(self, team: Team, user_id: str, cmd: AdminCommand) -> AdminAnswer:
        entries = await self.store.audit_log(team.id, 20)
        if not entries:
            return _answer("done.audit_empty")
        lines = [
            _t(
                "lists.audit_line",
                when=f"{e.created_at:%Y-%m-%d %H:%M}",
                moderator=e.moderator_id,
                action=escape(e.action),
                post=_t("lists.audit_post", number=e.post_number) if e.post_number else "",
                detail=_audit_detail(e),
            )
            for e in entries
        ]
        return AdminAnswer(_t("done.audit_title", count=len(entries)) + "\n" + "\n".join(lines))
