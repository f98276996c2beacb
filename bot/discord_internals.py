"""Every private part of discord.py the project relies on, in one place, each with why.

The offline console (`bot.console`) and its local stand-in for Discord's HTTP
API (`bot.local_api`) drive the real client without a gateway or a token: they
set what logging in and READY would set, feed interactions to the same entry
points the gateway's events reach, and swap the one HTTP call at the end.
discord.py has no public API for that, so these hooks are private and may change
in a minor release: discord.py is pinned to a minor (`~=2.7` in pyproject.toml),
and `tests/test_console_cli.py` and `tests/test_commands.py` run all of them.
Besides them, only `BriefingBot.drain` (stopping on SIGTERM) reads one: the names of the
tasks in which discord.py runs a command, a button press or a form (`answers_under_way`).
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Any, cast

import discord
from discord import app_commands
from discord.webhook.async_ import AsyncWebhookAdapter, async_context

# The adapter through which discord.py sends every interaction response, follow-up and
# edit (`discord.webhook.async_`, not exported). `bot.local_api.LocalDiscord` subclasses
# it and overrides `request`, the one HTTP call.
WebhookAdapter = AsyncWebhookAdapter

RestHandler = Callable[..., Awaitable[Any]]


def use_webhook_adapter(adapter: AsyncWebhookAdapter) -> None:
    """Routes interaction responses through `adapter`: discord.py reads it from this context variable."""
    async_context.set(adapter)


def route_rest(bot: discord.Client, handler: RestHandler) -> None:
    """Replaces `HTTPClient.request`, which every REST call (posting to a channel) goes through."""
    setattr(bot.http, "request", handler)  # noqa: B010 - mypy refuses assigning to a method


def route_cdn(bot: discord.Client, handler: Callable[[str], Awaitable[bytes]]) -> None:
    """Replaces `HTTPClient.get_from_cdn`, which `Attachment.read()` fetches through."""
    setattr(bot.http, "get_from_cdn", handler)  # noqa: B010 - mypy refuses assigning to a method


def log_in_offline(bot: discord.Client, application_id: int, user: dict[str, Any], guild: dict[str, Any]) -> None:
    """Sets what logging in and READY would: the application id, the bot's user, and one cached server.

    `ConnectionState` (`bot._connection`) holds them; `_add_guild_from_data` is what
    GUILD_CREATE calls.
    """
    state = bot._connection
    state.application_id = application_id
    state.user = discord.ClientUser(state=state, data=cast(Any, user))
    add_guild(bot, guild)


def add_guild(bot: discord.Client, guild: dict[str, Any]) -> discord.Guild:
    """Caches a server as GUILD_CREATE would (`ConnectionState._add_guild_from_data`)."""
    return bot._connection._add_guild_from_data(cast(Any, guild))


def interaction(bot: discord.Client, payload: dict[str, Any]) -> discord.Interaction[Any]:
    """An `Interaction` built from an INTERACTION_CREATE payload, as the gateway handler builds it."""
    return discord.Interaction(data=cast(Any, payload), state=bot._connection)


async def dispatch_command(tree: app_commands.CommandTree[Any], interaction: discord.Interaction[Any]) -> None:
    """Runs a slash command or autocomplete as `CommandTree._from_interaction` would, but awaited.

    `_call` runs the checks, transformers and callback; `_dispatch_error` calls the
    tree's error handler, as the tree's own task wrapper does.
    """
    try:
        await tree._call(interaction)
    except app_commands.AppCommandError as error:
        await tree._dispatch_error(interaction, error)


def dispatch_button(bot: discord.Client, custom_id: str, interaction: discord.Interaction[Any]) -> None:
    """A button press, given to the view store as the gateway handler gives it (`ViewStore.dispatch_view`,
    2 = button), then to `on_interaction` as discord.py does next."""
    bot._connection._view_store.dispatch_view(2, custom_id, interaction)
    bot.dispatch("interaction", interaction)


def dispatch_modal(bot: discord.Client, custom_id: str, interaction: discord.Interaction[Any],
                   components: list[dict[str, Any]]) -> None:
    """A submitted form, given to the view store as the gateway handler gives it (`ViewStore.dispatch_modal`)."""
    bot._connection._view_store.dispatch_modal(custom_id, interaction, cast(Any, components), {})


def store_view(bot: discord.Client, view: discord.ui.View, message_id: int) -> None:
    """Registers a view for a message, as sending the message does (`ConnectionState.store_view`)."""
    bot._connection.store_view(view, message_id)


def gateway_event(bot: discord.Client, event: str, data: dict[str, Any]) -> None:
    """Handles a gateway event (e.g. "MESSAGE_UPDATE") as the websocket does: `ConnectionState.parsers`."""
    bot._connection.parsers[event](data)


def view_count(bot: discord.Client) -> int:
    """Items of views waiting for presses (`ViewStore._views`), for the benchmarks' memory figures."""
    views = bot._connection._view_store._views
    return sum(len(items) for items in views.values())


__all__ = [
    "WebhookAdapter",
    "add_guild",
    "dispatch_button",
    "dispatch_command",
    "dispatch_modal",
    "gateway_event",
    "interaction",
    "log_in_offline",
    "route_cdn",
    "route_rest",
    "store_view",
    "use_webhook_adapter",
    "view_count",
]


# The names discord.py gives the task that runs each interaction: `CommandTree._from_interaction`,
# `View._dispatch_item` and `Modal._dispatch_submit`.
ANSWER_TASK_PREFIXES = ("CommandTree-invoker", "discord-ui-view-dispatch-", "discord-ui-modal-dispatch-")


def answers_under_way() -> set[asyncio.Task[Any]]:
    """The tasks answering a command, a button press or a form right now, in this event loop."""
    return {t for t in asyncio.all_tasks() if not t.done() and t.get_name().startswith(ANSWER_TASK_PREFIXES)}


async def prepare_to_close(bot: discord.AutoShardedClient) -> None:
    """`AutoShardedClient.close` ends by putting an event on a queue that `_async_setup_hook` makes, and only
    `login` or `async with` run that: a bot closed without either (its cogs loaded only to list the commands)
    would fail with AttributeError, so the hook runs first (it creates the queue, an event and the loop refs)."""
    if not hasattr(bot, "_AutoShardedClient__queue"):
        await bot._async_setup_hook()
