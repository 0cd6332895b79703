"""From the domain's outgoing values (``bot.outgoing``) to Block Kit: the one
place that knows which builder renders what."""

from __future__ import annotations

from collections.abc import Callable
from contextlib import nullcontext
from typing import Any

from bot import outgoing as out
from bot.blocks import intake as ib
from bot.blocks import moderation as mb
from bot.blocks import posts as pb
from bot.blocks.common import Document, Message
from bot.consult.intake import IntakeSpec, load_spec
from bot.principles import get_catalog
from bot.values import ValueTags, minting


class Renderer:
    def __init__(
        self,
        catalog: Any = None,
        spec: IntakeSpec | None = None,
        max_answer_chars: int = 3000,
        tags: ValueTags | None = None,
    ):
        self.catalog = catalog or get_catalog()
        self.tags = tags  # the workspace tags of button values (bot/values.py)
        self.spec = spec or load_spec()
        self.max_chars = max_answer_chars
        c, s = self.catalog, self.spec
        self._messages: dict[type, Callable[[Any], Message]] = {
            out.Notice: lambda v: ib.notice(v.text),
            out.IntakeIntro: lambda v: ib.intro(s),
            out.StepPrompt: lambda v: ib.step_message(s, s.by_id[v.step_id], v.state, v.ref, c),
            out.PreviewPrompt: lambda v: ib.preview_message(
                s, v.content, v.ref, c, target=v.target, resources=v.resources
            ),
            out.StartPrompt: lambda v: ib.start_prompt(s),
            out.AlreadyOpen: lambda v: ib.already_open(s, v.step_label),
            out.ChannelPost: lambda v: pb.channel_post(v, c),
            out.ThreadReply: pb.thread_reply,
            out.RelayNotice: pb.relay_dm,
            out.MyPosts: pb.mine,
            out.ConsultRecord: lambda v: pb.consult_record(v, c),
            out.AdminAnswer: mb.admin_answer,
            out.BlockQuestion: mb.block_question,
            out.ApprovalRequest: lambda v: mb.approval_request(v, c),
            out.FlagNotice: lambda v: mb.flag_notice(v, c),
            out.Decided: mb.decided,
        }
        self._views: dict[type, Callable[[Any], dict]] = {
            out.ModalNotice: ib.modal_notice,
            out.TextForm: lambda v: ib.text_form(s, s.by_id[v.step_id], v.ref, self.max_chars),
            out.PrinciplesForm: lambda v: ib.principles_form(s.by_id["principles"], v.ref, c, list(v.selected)),
            out.EditForm: lambda v: ib.edit_form(s, v.ref, v.content, self.max_chars),
            out.RemoveWordsForm: lambda v: ib.remove_words_form(s, v),
            out.ReplyForm: ib.reply_form,
            out.ReplyCheck: ib.reply_check_form,
            out.RejectForm: mb.reject_form,
            out.FlagForm: pb.flag_form,
            out.HomeView: lambda v: mb.home(v, c),
        }

    def minting(self, team_key: str | None):
        """Values built inside name posts of workspace key ``team_key`` (bot/values.py);
        without a key (or tags), the caller's own ``minting`` applies."""
        if team_key is None or self.tags is None:
            return nullcontext()
        return minting(self.tags, team_key)

    def message(self, value: Any, team_key: str | None = None) -> Message:
        if isinstance(value, Message):
            return value
        builder = self._messages.get(type(value))
        if builder is None:
            raise TypeError(f"no message renders {type(value).__name__}")
        with self.minting(team_key):
            return builder(value)

    def document(self, value: Any) -> Document:
        if isinstance(value, out.ConsultRecord):
            return pb.record_document(value, self.catalog)
        raise TypeError(f"no document renders {type(value).__name__}")

    def view(self, value: Any, team_key: str | None = None) -> dict:
        if isinstance(value, dict):
            return value
        builder = self._views.get(type(value))
        if builder is None:
            raise TypeError(f"no view renders {type(value).__name__}")
        with self.minting(team_key):
            return builder(value)
