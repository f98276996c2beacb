"""Buttons to turn the pages of a long reply; only the person who asked can use them."""

from __future__ import annotations

import json
import logging
import zlib
from collections import OrderedDict
from typing import Any, Awaitable, Callable, Sequence, cast

import discord

from bot.render.layout import Reply

log = logging.getLogger(__name__)

MessageEditor = Callable[..., Awaitable[object]]
PAGE_TIMEOUT = 600.0
# Page buttons that work at once. Each view keeps its pages (compressed) until it times out;
# at a steady hundred long answers a minute that would be thousands of views. Past this many,
# the oldest view stops early (without a request to Discord: under load that would double the
# traffic), and a press on its buttons is answered with how to get the pages again.
MAX_LIVE_VIEWS = 1000
_LIVE: OrderedDict[int, "PageView"] = OrderedDict()
_RETIRED: OrderedDict[str, None] = OrderedDict()  # custom ids of stopped views' buttons, oldest first
RETIRED_NOTE = "These page buttons have expired. Run the command again to browse the pages."


class EditableView(discord.ui.View):
    """A view that edits its message when it times out; `send_reply` sets `editor` once the message is sent."""

    editor: MessageEditor | None = None


class PageView(EditableView):
    def __init__(self, reply: Reply, owner_id: int, *, timeout: float = PAGE_TIMEOUT) -> None:
        super().__init__(timeout=timeout)
        self.reply: Reply | None = reply
        self._packed: bytes | None = None
        self._page_count = len(reply.pages)
        self.owner_id = owner_id
        self.index = 0
        self._update_buttons()

    @property
    def page_count(self) -> int:
        return self._page_count

    def pack(self) -> None:
        """Keeps the pages as compressed JSON instead of embeds, once the first page is sent.

        The buttons work for PAGE_TIMEOUT (ten minutes); fifty pages of embeds take about
        a megabyte, compressed JSON a twentieth of that, so many people can page at once.
        """
        if self.reply is not None:
            if self.reply.packed is None:  # a reply shown to several people is packed once
                pages = [[embed.to_dict() for embed in page] for page in self.reply.pages]
                self.reply.packed = zlib.compress(json.dumps(pages, separators=(",", ":")).encode(), 1)
            self._packed = self.reply.packed
            self.reply = None

    def sent(self) -> None:
        """The first page is on its way: pack the others, and retire the oldest views past MAX_LIVE_VIEWS."""
        self.pack()
        _LIVE[id(self)] = self
        while len(_LIVE) > MAX_LIVE_VIEWS:
            _, oldest = _LIVE.popitem(last=False)
            oldest.retire()

    def retire(self) -> None:
        """Stops the buttons now and lets the pages go; `answer_retired` answers a press on them."""
        if self.is_finished():
            return
        self.stop()
        self.reply, self._packed = None, None
        for item in self.children:
            custom_id = getattr(item, "custom_id", None)
            if custom_id:
                _RETIRED[custom_id] = None
        while len(_RETIRED) > 3 * MAX_LIVE_VIEWS:
            _RETIRED.popitem(last=False)

    def page(self, index: int) -> Sequence[discord.Embed]:
        if self.reply is not None:
            return self.reply.pages[index]
        assert self._packed is not None
        return [discord.Embed.from_dict(data) for data in json.loads(zlib.decompress(self._packed))[index]]

    def _update_buttons(self) -> None:
        self.previous.disabled = self.index == 0
        self.next.disabled = self.index >= self.page_count - 1
        self.counter.label = f"{self.index + 1} / {self.page_count}"

    async def interaction_check(self, interaction: discord.Interaction) -> bool:
        if interaction.user.id == self.owner_id:
            return True
        await interaction.response.send_message(
            "These pages belong to the person who ran the command. Run it yourself to browse them.",
            ephemeral=True,
            allowed_mentions=discord.AllowedMentions.none(),
        )
        return False

    async def _show(self, interaction: discord.Interaction) -> None:
        self._update_buttons()
        await interaction.response.edit_message(
            embeds=self.page(self.index), view=self, allowed_mentions=discord.AllowedMentions.none()
        )

    @discord.ui.button(label="◀ Previous", style=discord.ButtonStyle.secondary)
    async def previous(self, interaction: discord.Interaction, _: discord.ui.Button[PageView]) -> None:
        self.index = max(0, self.index - 1)
        await self._show(interaction)

    @discord.ui.button(label="1 / 1", style=discord.ButtonStyle.secondary, disabled=True)
    async def counter(self, interaction: discord.Interaction, _: discord.ui.Button[PageView]) -> None:  # pragma: no cover
        await interaction.response.defer()

    @discord.ui.button(label="Next ▶", style=discord.ButtonStyle.primary)
    async def next(self, interaction: discord.Interaction, _: discord.ui.Button[PageView]) -> None:
        self.index = min(self.page_count - 1, self.index + 1)
        await self._show(interaction)

    async def on_timeout(self) -> None:
        _LIVE.pop(id(self), None)
        for item in self.children:
            if isinstance(item, discord.ui.Button):
                item.disabled = True
        if self.editor is not None:
            try:
                await self.editor(view=self)
            except discord.HTTPException:
                log.debug("Could not disable page buttons after timeout", exc_info=True)

    async def on_error(self, interaction: discord.Interaction, error: Exception, item: discord.ui.Item[Any]) -> None:
        from bot.errors import on_app_command_error

        await on_app_command_error(interaction, error)


async def answer_retired(interaction: discord.Interaction) -> bool:
    """Answers a press on the buttons of a view retired early (nothing else would); whether it was one."""
    if interaction.type is not discord.InteractionType.component or interaction.response.is_done():
        return False
    custom_id = cast(dict[str, Any], interaction.data or {}).get("custom_id")
    if custom_id not in _RETIRED:
        return False
    await interaction.response.send_message(RETIRED_NOTE, ephemeral=True, allowed_mentions=discord.AllowedMentions.none())
    return True

