"""Option transformers: typed names become records, with autocomplete from the in-memory indexes of the server's layer."""

from __future__ import annotations

from typing import TYPE_CHECKING, Callable, cast

import discord
from discord import app_commands

from bot.errors import UnknownName, UserFacingError
from bot.render import limits
from db.names import NameEntry, NameIndex

Choice = app_commands.Choice[int | float | str]  # what Transformer.autocomplete returns

if TYPE_CHECKING:  # bot.client imports the cogs, which import this module
    from bot.client import BriefingBot
    from db.store import Names, Store


# The largest record id: keys are 32-bit integers in SQLite and PostgreSQL alike, while Discord
# lets an integer option reach 2**53. An id option beyond this is refused by Discord itself.
MAX_RECORD_ID = 2**31 - 1
RecordId = app_commands.Range[int, 1, MAX_RECORD_ID]


def store_of(interaction: discord.Interaction) -> Store:
    return cast("BriefingBot", interaction.client).store


async def names_of(interaction: discord.Interaction) -> "Names":
    """The names the interaction's server sees (the base in DMs), looked up once per interaction."""
    names = interaction.extras.get("names")
    if names is None:
        names = interaction.extras["names"] = await store_of(interaction).names(interaction.guild_id)
    return names


def _choices(index: NameIndex, typed: str, value_of: Callable[[NameEntry], str]) -> list[Choice]:
    return [
        app_commands.Choice(name=limits.clip(s.label, limits.CHOICE_NAME), value=value_of(s.entry))
        for s in index.complete(typed, limits.CHOICES)
    ]


class ActorTransformer(app_commands.Transformer):
    """A state, organisation or official, by name, alias or ISO code."""

    async def transform(self, interaction: discord.Interaction, value: str) -> NameEntry:
        result = (await names_of(interaction)).actors.resolve(value)
        if result.entry is None:
            raise UnknownName(
                "state or organisation",
                value,
                [s.entry.name for s in result.suggestions],
                "Names, common short forms (UK, Ivory Coast) and ISO codes (CIV) all work.",
            )
        return result.entry

    async def autocomplete(self, interaction: discord.Interaction, value: int | float | str, /) -> list[Choice]:
        return _choices((await names_of(interaction)).actors, str(value), lambda e: e.name[: limits.CHOICE_NAME])


class ThemeTransformer(app_commands.Transformer):
    """A theme, by slug, name or keyword."""

    async def transform(self, interaction: discord.Interaction, value: str) -> NameEntry:
        result = (await names_of(interaction)).themes.resolve(value)
        if result.entry is None:
            raise UnknownName(
                "theme", value, [s.entry.name for s in result.suggestions], "`/theme list` shows every theme."
            )
        return result.entry

    async def autocomplete(self, interaction: discord.Interaction, value: int | float | str, /) -> list[Choice]:
        return _choices((await names_of(interaction)).themes, str(value), lambda e: e.code or e.name)


class YearTransformer(app_commands.Transformer):
    """The year of a General Assembly meeting on RtoP; `detailed` limits it to years with records of who said what."""

    def __init__(self, detailed: bool = False) -> None:
        self.detailed = detailed

    @property
    def type(self) -> discord.AppCommandOptionType:
        return discord.AppCommandOptionType.integer

    @property
    def min_value(self) -> int:
        return 1945

    @property
    def max_value(self) -> int:
        return 2100

    def _years(self, names: "Names") -> tuple[int, ...]:
        return names.detailed_years if self.detailed else names.years

    async def transform(self, interaction: discord.Interaction, value: int) -> int:
        names = await names_of(interaction)
        years = self._years(names)
        if value in years:
            return value
        nearest = sorted(years, key=lambda y: (abs(y - value), y))[:5]
        if self.detailed and value in names.years:
            raise UserFacingError(
                "No detailed records for that year",
                f"The {value} meeting is on the timeline, but the sources record who said what only for "
                f"{', '.join(map(str, years))}. See `/dialogue show year:{value}` for what is known.",
                [str(y) for y in nearest],
            )
        raise UserFacingError(
            "No meeting that year",
            f"There is no General Assembly meeting on RtoP in {value} in the records "
            f"({min(names.years)}–{max(names.years)}).",
            [str(y) for y in nearest],
        )

    async def autocomplete(self, interaction: discord.Interaction, value: int | float | str, /) -> list[Choice]:
        names = await names_of(interaction)
        typed = str(value or "").strip()
        years = self._years(names)
        matching = [y for y in years if str(y).startswith(typed)] or list(years)
        detailed = set(names.detailed_years)
        return [
            app_commands.Choice(name=f"{y}" + (" · detailed records" if y in detailed else ""), value=y)
            for y in sorted(matching, reverse=True)[: limits.CHOICES]
        ]


Actor = app_commands.Transform[NameEntry, ActorTransformer]
Theme = app_commands.Transform[NameEntry, ThemeTransformer]
Year = app_commands.Transform[int, YearTransformer]
DetailedYear = app_commands.Transform[int, YearTransformer(detailed=True)]
