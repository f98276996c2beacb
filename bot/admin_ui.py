"""Modals for long admin text, and the Confirm / Cancel view of an import."""

from __future__ import annotations

import logging
from dataclasses import dataclass, replace
from typing import Any, Awaitable, Callable, Sequence

import discord

from bot.checks import NotAdmin, is_admin
from bot.errors import on_app_command_error
from bot.render.paginator import EditableView
from bot.render.send import send_reply
from bot.text_input import clean_form

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Field:
    name: str
    label: str  # at most 45 characters
    long: bool = False
    required: bool = True
    max_length: int = 4000
    default: str | None = None
    placeholder: str | None = None
    key: str | None = None  # the record's field it fills, when not `name`
    listed: bool = False  # a comma-separated list


def split_list(text: str | None) -> list[str] | None:
    """"a, b,, c" → ["a", "b", "c"]; None stays None (an option left out)."""
    return None if text is None else [x.strip() for x in text.split(",") if x.strip()]


@dataclass(frozen=True)
class Form:
    """The modal of one kind of record: the same fields for its add command and, filled in, its edit command."""

    fields: tuple[Field, ...]

    def filled(self, record: dict[str, Any]) -> list[Field]:
        """The fields with the record's current values, to edit."""
        return [replace(f, default=", ".join(record[f.key or f.name] or []) if f.listed else record[f.key or f.name])
                for f in self.fields]

    def values(self, submitted: dict[str, str]) -> dict[str, Any]:
        """What was submitted, by the record's field names."""
        return {f.key or f.name: split_list(submitted[f.name]) if f.listed else submitted[f.name] for f in self.fields}


Submit = Callable[[discord.Interaction, dict[str, str]], Awaitable[None]]


class RecordModal(discord.ui.Modal):
    """A form of up to five text inputs; `submit` receives the values by field name if the sender is still an admin."""

    def __init__(self, title: str, fields: Sequence[Field], submit: Submit) -> None:
        super().__init__(title=title[:45], timeout=900)
        self._submit = submit
        self.inputs: dict[str, discord.ui.TextInput[RecordModal]] = {}
        for field in fields[:5]:
            text_input: discord.ui.TextInput[RecordModal] = discord.ui.TextInput(
                custom_id=field.name,
                label=field.label[:45],
                style=discord.TextStyle.paragraph if field.long else discord.TextStyle.short,
                required=field.required,
                max_length=min(field.max_length, 4000),
                default=(field.default or "")[: field.max_length] or None,
                placeholder=(field.placeholder or "")[:100] or None,
            )
            self.inputs[field.name] = text_input
            self.add_item(text_input)

    async def on_submit(self, interaction: discord.Interaction) -> None:
        if not is_admin(interaction):  # the role may have been taken away while the form was open
            raise NotAdmin()
        values = clean_form({name: item.value or "" for name, item in self.inputs.items()})
        await self._submit(interaction, values)

    async def on_error(  # a modal's has no item; the third parameter keeps View's signature
        self, interaction: discord.Interaction, error: Exception, item: discord.ui.Item[Any] | None = None, /
    ) -> None:
        await on_app_command_error(interaction, error)


class ImportView(EditableView):
    """Confirm applies the import in one transaction; only the admin who attached the file can press, and only
    while still an admin."""

    def __init__(self, owner_id: int, apply: Callable[[discord.Interaction], Awaitable[None]]) -> None:
        super().__init__(timeout=600)
        self.owner_id = owner_id
        self._apply = apply

    async def interaction_check(self, interaction: discord.Interaction) -> bool:
        if interaction.user.id == self.owner_id:
            return True
        await interaction.response.send_message(
            "Only the admin who started this import can confirm or cancel it.",
            ephemeral=True,
            allowed_mentions=discord.AllowedMentions.none(),
        )
        return False

    def _disable(self) -> None:
        for item in self.children:
            if isinstance(item, discord.ui.Button):
                item.disabled = True

    @discord.ui.button(label="Confirm", style=discord.ButtonStyle.danger)
    async def confirm(self, interaction: discord.Interaction, _: discord.ui.Button[ImportView]) -> None:
        if not is_admin(interaction):  # the role may have been taken away since the dry run
            raise NotAdmin()
        self._disable()
        self.stop()
        await interaction.response.edit_message(view=self)
        await self._apply(interaction)

    @discord.ui.button(label="Cancel", style=discord.ButtonStyle.secondary)
    async def cancel(self, interaction: discord.Interaction, _: discord.ui.Button[ImportView]) -> None:
        self._disable()
        self.stop()
        await interaction.response.edit_message(content="Import cancelled; nothing was changed.", view=self)

    async def on_timeout(self) -> None:
        self._disable()
        if self.editor is not None:
            try:
                await self.editor(content="The import expired; nothing was changed.", view=self)
            except discord.HTTPException:
                log.debug("Could not disable the import buttons", exc_info=True)

    async def on_error(self, interaction: discord.Interaction, error: Exception, item: discord.ui.Item[Any]) -> None:
        await on_app_command_error(interaction, error)


__all__ = ["Field", "Form", "ImportView", "RecordModal", "send_reply", "split_list"]
