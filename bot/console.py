"""The offline console: type slash commands as in Discord, read the replies as plain text.

It builds real interaction payloads and feeds them to the real bot's command
tree and views; only the HTTP call that would send the reply to Discord is
replaced by `bot.local_api.LocalDiscord`. No token and no network.
"""

from __future__ import annotations

import asyncio
import contextlib
import re
import sys
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from collections.abc import Iterator
from typing import Any, Sequence

import discord
from discord import app_commands

from bot import discord_internals as internals
from bot.client import BriefingBot
from bot.config import Settings
from bot.local_api import LocalDiscord, LocalEvent, snowflake

APPLICATION_ID = 1_000_000_000_000_001
GUILD_ID = 1_000_000_000_000_002
CHANNEL_ID = 1_000_000_000_000_003
USER_ID = 1_000_000_000_000_004
BOT_USER = {"id": str(APPLICATION_ID), "username": "RtoP Briefings", "discriminator": "0", "avatar": None,
            "global_name": "RtoP Briefings", "bot": True}
MANAGE_GUILD = discord.Permissions(manage_guild=True)
MEMBER_PERMISSIONS = discord.Permissions(
    view_channel=True, send_messages=True, embed_links=True, attach_files=True, read_message_history=True,
    use_application_commands=True,
)
OPTION_TYPES = {
    discord.AppCommandOptionType.string: 3,
    discord.AppCommandOptionType.integer: 4,
    discord.AppCommandOptionType.boolean: 5,
    discord.AppCommandOptionType.number: 10,
    discord.AppCommandOptionType.attachment: 11,
    discord.AppCommandOptionType.channel: 7,
}
BOT_ROLE_ID = 1_000_000_000_000_005
ADMIN_ROLE_ID = 1_000_000_000_000_006  # "Coalition leads": a role a server could list in ADMIN_ROLE_IDS
CHANNEL_NAME = "briefings"
FORM_SEPARATOR = " || "


class ConsoleInputError(ValueError):
    """The typed line is not a command the bot has, or an option is malformed."""


@dataclass
class Invocation:
    command: app_commands.Command[Any, ..., Any]
    options: dict[str, Any]
    form: str = ""  # `field:value` pairs for a form (modal) the command opens, after " || "


@dataclass
class ConsoleUser:
    id: int = USER_ID
    name: str = "console-user"
    admin: bool = True  # has Manage Server
    roles: tuple[int, ...] = ()

    @property
    def permissions(self) -> discord.Permissions:
        perms = discord.Permissions(MEMBER_PERMISSIONS.value)
        if self.admin:
            perms |= MANAGE_GUILD
        return perms


@dataclass
class Outcome:
    events: list[LocalEvent] = field(default_factory=list)
    error: bool = False
    saved: list[Path] = field(default_factory=list)
    reading: Reading | None = None  # how to show channel mentions and timestamps


def parse_line(tree: app_commands.CommandTree, line: str, *, check_required: bool = True) -> Invocation:
    """`/theme states theme:prevention dialogue:2014` → the command and its typed options.

    A value runs until the next ` name:` of one of the command's own options,
    so values may hold spaces and colons.
    """
    text = line.strip()
    if not text.startswith("/"):
        raise ConsoleInputError("Commands start with a slash, e.g. /help")
    text, _, form = text[1:].partition(FORM_SEPARATOR)
    text, form = text.strip(), form.strip()
    commands = {c.qualified_name: c for c in tree.walk_commands() if isinstance(c, app_commands.Command)}
    words = text.split()
    command = None
    for size in range(min(3, len(words)), 0, -1):
        name = " ".join(words[:size])
        if name in commands:
            command = commands[name]
            text = text.split(None, size)[size] if len(words) > size else ""
            break
    if command is None:
        known = ", ".join(f"/{n}" for n in sorted(commands))
        raise ConsoleInputError(f"Unknown command /{' '.join(words[:2])}. Commands: {known}")
    names = [p.name for p in command.parameters]
    if text.strip() and not names:
        raise ConsoleInputError(f"/{command.qualified_name} takes no options")
    try:
        options: dict[str, Any] = split_options(text, names)
    except ConsoleInputError:
        raise ConsoleInputError(
            f"Options are written name:value; /{command.qualified_name} takes {', '.join(names)}"
        ) from None
    for parameter in command.parameters if check_required else ():
        if parameter.required and parameter.name not in options:
            raise ConsoleInputError(f"/{command.qualified_name} needs {parameter.name}:")
    return Invocation(command, options, form)


def split_options(text: str, names: Sequence[str]) -> dict[str, str]:
    """`a:1 b:two words` → {"a": "1", "b": "two words"} for the given option names."""
    if not names or not text.strip():
        return {}
    pattern = re.compile(r"(?:^|\s)(" + "|".join(map(re.escape, names)) + r"):")
    matches = list(pattern.finditer(text))
    if not matches or text[: matches[0].start()].strip():
        raise ConsoleInputError(f"Write fields as name:value; this form has {', '.join(names)}")
    return {
        match.group(1): text[match.end() : (matches[i + 1].start() if i + 1 < len(matches) else len(text))].strip()
        for i, match in enumerate(matches)
    }


def _typed_value(parameter: app_commands.Parameter, raw: str) -> Any:
    kind = parameter.type
    try:
        if kind == discord.AppCommandOptionType.integer:
            return int(raw)
        if kind == discord.AppCommandOptionType.number:
            return float(raw)
        if kind == discord.AppCommandOptionType.boolean:
            return raw.casefold() in ("true", "yes", "1")
    except ValueError:
        raise ConsoleInputError(f"{parameter.name}: “{raw}” is not a number") from None
    return raw


def command_payload(invocation: Invocation, user: ConsoleUser, *, raw: bool = False,
                    channels: dict[str, int] | None = None, guild_id: int = GUILD_ID) -> dict[str, Any]:
    """The INTERACTION_CREATE payload Discord would send for this command in a server channel.

    With `raw`, values stay as typed (autocomplete sends partial input as a string).
    """
    parameters = {p.name: p for p in invocation.command.parameters}
    resolved: dict[str, Any] = {}
    options = []
    for name, value in invocation.options.items():
        parameter = parameters[name]
        if parameter.type == discord.AppCommandOptionType.attachment and not raw:
            value = _attachment(value, resolved)
        elif parameter.type == discord.AppCommandOptionType.channel and not raw:
            value = _channel_option(value, resolved, user, channels)
        elif not raw:
            value = _typed_value(parameter, value)
        options.append({"type": OPTION_TYPES.get(parameter.type, 3), "name": name, "value": value})
    node: list[dict[str, Any]] = options
    command: app_commands.Command[Any, ..., Any] | app_commands.Group = invocation.command
    while command.parent is not None:
        node = [{"type": 1 if isinstance(command, app_commands.Command) else 2, "name": command.name, "options": node}]
        command = command.parent
    data: dict[str, Any] = {"id": str(snowflake()), "name": command.name, "type": 1, "options": node}
    if resolved:
        data["resolved"] = resolved
    return _interaction(2, data, user, guild_id)


def _channel_option(typed: str, resolved: dict[str, Any], user: ConsoleUser,
                    channels: dict[str, int] | None) -> str:
    """A text channel of the console's server, typed as #name, name or id."""
    known = channels if channels is not None else {CHANNEL_NAME: CHANNEL_ID}
    wanted = typed.strip().lstrip("<#").rstrip(">")
    channel_id = known.get(wanted) or (int(wanted) if wanted.isdigit() and int(wanted) in known.values() else None)
    if channel_id is None:
        raise ConsoleInputError(f"No channel {typed}; the console's server has " + ", ".join(f"#{n}" for n in known))
    name = next(n for n, i in known.items() if i == channel_id)
    resolved.setdefault("channels", {})[str(channel_id)] = {
        "id": str(channel_id), "name": name, "type": 0, "permissions": str(user.permissions.value), "parent_id": None,
    }
    return str(channel_id)


def guild_payload(guild_id: int = GUILD_ID) -> dict[str, Any]:
    """The console's server as GUILD_CREATE would describe it: the bot can post in #briefings."""
    role = {"color": 0, "hoist": False, "managed": False, "mentionable": False, "flags": 0}
    return {
        "id": str(guild_id), "name": "Console coalition", "owner_id": str(USER_ID), "icon": None, "features": [],
        "emojis": [], "stickers": [], "threads": [], "member_count": 2, "large": False, "unavailable": False,
        "preferred_locale": "en-GB", "verification_level": 0, "default_message_notifications": 0,
        "explicit_content_filter": 0, "mfa_level": 0, "nsfw_level": 0, "premium_tier": 0,
        "roles": [{**role, "id": str(guild_id), "name": "@everyone", "permissions": "0", "position": 0},
                  {**role, "id": str(BOT_ROLE_ID), "name": "RtoP Briefings", "position": 1,
                   "permissions": str(MEMBER_PERMISSIONS.value)},
                  {**role, "id": str(ADMIN_ROLE_ID), "name": "Coalition leads", "position": 2,
                   "permissions": str(MEMBER_PERMISSIONS.value)}],
        "members": [{"user": BOT_USER, "roles": [str(BOT_ROLE_ID)], "joined_at": "2024-01-01T00:00:00+00:00",
                     "deaf": False, "mute": False, "flags": 0}],
        "channels": [{"id": str(CHANNEL_ID), "type": 0, "guild_id": str(guild_id), "name": CHANNEL_NAME,
                      "position": 0, "permission_overwrites": [], "nsfw": False, "parent_id": None, "topic": None}],
    }


def _attachment(path: str, resolved: dict[str, Any]) -> str:
    """A local file as an uploaded attachment; its bytes are served back by `LocalDiscord`."""
    file = Path(path).expanduser()
    if not file.is_file():
        raise ConsoleInputError(f"No file at {path}")
    attachment_id = str(snowflake())
    resolved.setdefault("attachments", {})[attachment_id] = {
        "id": attachment_id, "filename": file.name, "size": file.stat().st_size,
        "url": f"local://{file.resolve()}", "proxy_url": f"local://{file.resolve()}",
        "content_type": "application/json" if file.suffix == ".json" else "application/octet-stream",
    }
    return attachment_id


def _focus(options: list[dict[str, Any]], name: str) -> None:
    for option in options:
        if option.get("type") in (1, 2):
            _focus(option.get("options", []), name)
        elif option["name"] == name:
            option["focused"] = True


def component_payload(custom_id: str, message: dict[str, Any], user: ConsoleUser,
                      guild_id: int = GUILD_ID) -> dict[str, Any]:
    payload = _interaction(3, {"custom_id": custom_id, "component_type": 2}, user, guild_id)
    payload["message"] = message
    return payload


def _interaction(kind: int, data: dict[str, Any], user: ConsoleUser, guild_id: int = GUILD_ID) -> dict[str, Any]:
    user_json = {"id": str(user.id), "username": user.name, "discriminator": "0", "avatar": None, "global_name": user.name}
    return {
        "id": str(snowflake()),
        "application_id": str(APPLICATION_ID),
        "type": kind,
        "token": f"console-{snowflake()}",
        "version": 1,
        "guild_id": str(guild_id),
        "channel_id": str(CHANNEL_ID),
        "channel": {"id": str(CHANNEL_ID), "type": 0, "guild_id": str(guild_id), "name": "briefings",
                    "position": 0, "permission_overwrites": [], "nsfw": False, "parent_id": None},
        "member": {"user": user_json, "roles": [str(r) for r in user.roles], "permissions": str(user.permissions.value),
                   "joined_at": "2024-01-01T00:00:00+00:00", "deaf": False, "mute": False, "flags": 0},
        "app_permissions": str(MEMBER_PERMISSIONS.value),
        "locale": "en-GB",
        "guild_locale": "en-GB",
        "entitlements": [],
        "authorizing_integration_owners": {"0": str(guild_id)},
        "context": 0,
        "attachment_size_limit": 10 * 1024 * 1024,
        "data": data,
    }


class Console:
    """Runs commands against a real BriefingBot without connecting to Discord, as a member of one server.

    `guild_id` is the server the console acts in (its own by default): another id
    reads and changes that server's records, as a curator's if it is listed in
    CURATOR_GUILD_IDS.
    """

    def __init__(self, bot: BriefingBot, output_dir: Path, guild_id: int = GUILD_ID) -> None:
        self.bot = bot
        self.output_dir = output_dir
        self.guild_id = guild_id
        self.api = LocalDiscord(BOT_USER, CHANNEL_ID)

    async def start(self) -> None:
        await self.bot.__aenter__()  # binds the event loop, as Client.start does
        internals.route_cdn(self.bot, self._download)
        internals.log_in_offline(self.bot, APPLICATION_ID, BOT_USER, guild_payload(self.guild_id))
        internals.route_rest(self.bot, self.api.rest)  # posts to #briefings stay local
        await self.bot.setup_hook()
        internals.use_webhook_adapter(self.api)

    async def close(self) -> None:
        await self.bot.close()

    def channels(self) -> dict[str, int]:
        """The text channels of the console's server, by name."""
        guild = self.bot.get_guild(self.guild_id)
        return {c.name: c.id for c in guild.text_channels} if guild else {}

    def reading(self) -> Reading:
        return Reading({i: name for name, i in self.channels().items()}, self.bot.clock())

    async def _download(self, url: str) -> bytes:
        return Path(url.removeprefix("local://")).read_bytes()

    async def run(self, line: str, user: ConsoleUser | None = None, *, turn_pages: bool = True,
                  prompt: Any = None) -> Outcome:
        """Runs one command; a form it opens is filled from the line's ` || ` part, `prompt`, or defaults."""
        user = user or ConsoleUser()
        invocation = parse_line(self.bot.tree, line)
        internals.use_webhook_adapter(self.api)  # follow-ups reach this console, when several run in one event loop
        first = len(self.api.events)
        payload = command_payload(invocation, user, channels=self.channels(), guild_id=self.guild_id)
        interaction = internals.interaction(self.bot, payload)
        await internals.dispatch_command(self.bot.tree, interaction)
        error = bool(interaction.extras.get("error"))
        modal = self.api.modals.pop(payload["token"], None)
        if modal is not None:
            error = await self._submit_form(modal, invocation.form, user, prompt)
        outcome = Outcome(events=self.api.events[first:], error=error, reading=self.reading())
        if turn_pages and outcome.events:
            outcome.events += await self._turn_pages(outcome.events[-1].message.data, user)
        return outcome

    async def autocomplete(self, line: str, option: str, user: ConsoleUser | None = None) -> list[dict[str, Any]]:
        """The choices Discord would show while `option` (the last one typed in `line`) is focused."""
        user = user or ConsoleUser()
        invocation = parse_line(self.bot.tree, line, check_required=False)
        internals.use_webhook_adapter(self.api)
        payload = command_payload(invocation, user, raw=True, guild_id=self.guild_id)
        _focus(payload["data"]["options"], option)
        payload["type"] = 4
        interaction = internals.interaction(self.bot, payload)
        await internals.dispatch_command(self.bot.tree, interaction)
        return self.api.choices.get(payload["token"], [])

    async def _submit_form(self, modal: dict[str, Any], form: str, user: ConsoleUser, prompt: Any) -> bool:
        """Fills in and submits a modal as a person would; returns whether the reply was an error."""
        fields = _modal_inputs(modal)
        given = split_options(form, [f["custom_id"] for f in fields]) if form else {}
        values: dict[str, str] = {}
        for field_ in fields:
            name = field_["custom_id"]
            value = given.get(name)
            if value is None and prompt is not None:
                value = prompt(field_)
            if value is None:
                value = field_.get("value") or ""
            if field_.get("required", True) and not value:
                raise ConsoleInputError(f"The form needs {name} (“{field_.get('label')}”): add `|| {name}:…`")
            if len(value) > field_.get("max_length", 4000):
                raise ConsoleInputError(f"{name} is longer than {field_.get('max_length')} characters")
            values[name] = value
        payload = _interaction(5, {"custom_id": modal["custom_id"], "components": _modal_answers(modal, values)}, user,
                               self.guild_id)
        interaction = internals.interaction(self.bot, payload)
        with _tasks_started() as started:
            internals.dispatch_modal(self.bot, modal["custom_id"], interaction, payload["data"]["components"])
        await _settle(started)
        return bool(interaction.extras.get("error"))

    async def click(self, custom_id: str, message: dict[str, Any], user: ConsoleUser | None = None) -> list[LocalEvent]:
        """Presses a button on a message, through the same view store Discord's events reach."""
        user = user or ConsoleUser()
        internals.use_webhook_adapter(self.api)
        first = len(self.api.events)
        payload = component_payload(custom_id, message, user, self.guild_id)
        interaction = internals.interaction(self.bot, payload)
        self.api.parents[payload["token"]] = int(message["id"])
        with _tasks_started() as started:
            internals.dispatch_button(self.bot, custom_id, interaction)
        await _settle(started)
        return self.api.events[first:]

    async def _turn_pages(self, message: dict[str, Any], user: ConsoleUser) -> list[LocalEvent]:
        events: list[LocalEvent] = []
        for _ in range(100):
            button = _button(message, "Next")
            if button is None or button.get("disabled"):
                break
            new = await self.click(button["custom_id"], message, user)
            if not new:
                break
            events += new
            message = new[-1].message.data
        return events

    def save_files(self, outcome: Outcome) -> None:
        self.output_dir.mkdir(parents=True, exist_ok=True)
        for event in outcome.events:
            for sent in event.message.files:
                path = self.output_dir / f"{event.message.id}-{sent.filename}"
                if not path.exists():
                    path.write_bytes(sent.data)
                    outcome.saved.append(path)


def _modal_inputs(modal: dict[str, Any]) -> list[dict[str, Any]]:
    inputs = []
    for row in modal.get("components") or []:
        inner = row.get("components") or ([row["component"]] if "component" in row else [])
        for component in inner:
            if component.get("type") == 4:
                inputs.append({**component, "label": component.get("label") or row.get("label")})
    return inputs


def _modal_answers(modal: dict[str, Any], values: dict[str, str]) -> list[dict[str, Any]]:
    """The submitted components, in the same layout the modal was sent in."""
    answers = []
    for row in modal.get("components") or []:
        if "component" in row:  # a label wrapping one input
            inner = row["component"]
            answers.append({"type": row["type"], "component": {"type": 4, "custom_id": inner["custom_id"],
                                                                "value": values.get(inner["custom_id"], "")}})
        else:
            answers.append({"type": 1, "components": [
                {"type": 4, "custom_id": c["custom_id"], "value": values.get(c["custom_id"], "")}
                for c in row.get("components") or [] if c.get("type") == 4
            ]})
    return answers


SETTLE_TIMEOUT = 30.0  # seconds a button's or form's callback may take in the console


@contextlib.contextmanager
def _tasks_started() -> Iterator[list[asyncio.Future[Any]]]:
    """Collects the tasks created while the block runs: discord.py runs view and modal
    callbacks (and `on_interaction`) in tasks it does not return."""
    loop = asyncio.get_running_loop()
    previous = loop.get_task_factory()
    started: list[asyncio.Future[Any]] = []

    def factory(loop: asyncio.AbstractEventLoop, coro: Any, **kwargs: Any) -> asyncio.Future[Any]:
        task = previous(loop, coro, **kwargs) if previous is not None else asyncio.Task(coro, loop=loop, **kwargs)
        started.append(task)
        return task

    loop.set_task_factory(factory)
    try:
        yield started
    finally:
        loop.set_task_factory(previous)


async def _settle(tasks: list[asyncio.Future[Any]]) -> None:
    """Waits for the callbacks the console's own dispatch started."""
    if tasks:
        await asyncio.wait(tasks, timeout=SETTLE_TIMEOUT)


def _button(message: dict[str, Any], label: str) -> dict[str, Any] | None:
    for row in message.get("components") or []:
        for component in row.get("components") or []:
            if component.get("type") == 2 and label in (component.get("label") or ""):
                return dict(component)
    return None


# -- printing ------------------------------------------------------------------

_ESCAPED = re.compile(r"\\([\\*_`~|>#\-\[\]()])")
_TIMESTAMP = re.compile(r"<t:(-?\d+)(?::([tTdDfFR]))?>")
_CHANNEL = re.compile(r"<#(\d+)>")
# Discord's timestamp styles, written as the console shows them: in UTC, since a terminal has no reader's zone
_STYLES = {"t": "%H:%M UTC", "T": "%H:%M:%S UTC", "d": "%Y-%m-%d", "D": "%-d %B %Y", "f": "%-d %B %Y %H:%M UTC",
           "F": "%A, %-d %B %Y %H:%M UTC"}


@dataclass(frozen=True)
class Reading:
    """What Discord's client knows when it shows a message: channel names and the time now."""

    channels: dict[int, str] = field(default_factory=lambda: {CHANNEL_ID: CHANNEL_NAME})
    now: datetime | None = None


def _relative(moment: datetime, now: datetime) -> str:
    """Discord's `R` style: "in 5 days", "3 hours ago"."""
    seconds = (moment - now).total_seconds()
    units = (("year", 365 * 86400), ("month", 30 * 86400), ("day", 86400), ("hour", 3600), ("minute", 60))
    unit, size = next(((u, s) for u, s in units if abs(seconds) >= s), ("second", 1))
    count = round(abs(seconds) / size)
    amount = f"{count} {unit}{'s' if count != 1 else ''}"
    return f"in {amount}" if seconds >= 0 else f"{amount} ago"


def plain(text: str, reading: Reading | None = None) -> str:
    """Markdown the renderers add, read as plain text: timestamps in UTC, channel mentions as #name."""
    reading = reading or Reading()
    now = reading.now or datetime.now(timezone.utc)

    def stamp(match: re.Match[str]) -> str:
        moment = datetime.fromtimestamp(int(match.group(1)), timezone.utc)
        style = match.group(2) or "f"
        return _relative(moment, now) if style == "R" else moment.strftime(_STYLES[style])

    def channel(match: re.Match[str]) -> str:
        name = reading.channels.get(int(match.group(1)))
        return f"#{name}" if name else match.group(0)

    text = text.replace("**", "").replace("\u200b", "")
    text = _CHANNEL.sub(channel, _TIMESTAMP.sub(stamp, text))
    return _ESCAPED.sub(r"\1", text)


def format_message(message: dict[str, Any], *, heading: str = "", reading: Reading | None = None) -> str:
    lines: list[str] = []
    if heading:
        lines.append(heading)
    if message.get("content"):
        lines.append(plain(message["content"], reading))
    for embed in message.get("embeds") or []:
        if embed.get("title"):
            lines.append(f"# {plain(embed['title'], reading)}")
        if embed.get("description"):
            lines.append(plain(embed["description"], reading))
        for field_ in embed.get("fields") or []:
            lines.append(f"\n## {plain(field_['name'], reading)}")
            lines.append(plain(field_["value"], reading))
        if embed.get("image"):
            lines.append(f"[image: {embed['image'].get('url')}]")
        if embed.get("footer"):
            lines.append(f"\n-- {plain(embed['footer'].get('text', ''), reading)}")
    return "\n".join(lines)


def format_outcome(outcome: Outcome) -> str:
    blocks = []
    pages = [e for e in outcome.events if e.action in ("send", "update", "edit", "post") and not e.message.deferred]
    for number, event in enumerate(pages, start=1):
        private = " (only you can see this)" if event.message.ephemeral else ""
        if event.action == "post":
            private = f" (posted in #{CHANNEL_NAME})"
        unit = "page" if any(e.action == "update" for e in pages) else "message"
        heading = f"--- {unit} {number} of {len(pages)}{private} ---" if len(pages) > 1 else (f"({private.strip(' ()')})" if private else "")
        blocks.append(format_message(event.message.data, heading=heading, reading=outcome.reading))
    for path in outcome.saved:
        blocks.append(f"[attachment saved: {path}]")
    return "\n\n".join(b for b in blocks if b)


# -- entry point -------------------------------------------------------------------

BANNER = """RtoP briefing bot — offline console. Type a slash command as in Discord, e.g.
  /theme states theme:prevention dialogue:2014
  /ask question:Who spoke for the Group of Friends?
Commands that open a form ask for each field (or add `|| field:value …` to the line).
Tab completes commands, options and choices; ↑ and ↓ recall earlier lines.
/help lists every command; `quit` or Ctrl-D leaves."""


async def run_console(settings: Settings, commands: Sequence[str] = (), *, interactive: bool = True,
                      guild_id: int = GUILD_ID) -> int:
    import logging

    bot = BriefingBot(settings)
    console = Console(bot, settings.console_output_dir, guild_id)
    await console.start()
    status = 0
    try:
        if commands:
            for line in commands:
                status = max(status, await _run_one(console, line))
        elif interactive:
            if sys.stdin.isatty():
                _line_editing(bot.tree, settings.console_output_dir / ".history")
            print(BANNER)
            loop = asyncio.get_running_loop()
            while True:
                try:
                    line = await loop.run_in_executor(None, lambda: input("> "))
                except (EOFError, KeyboardInterrupt):
                    print()
                    break
                if line.strip() in ("quit", "exit"):
                    break
                if line.strip():
                    await _run_one(console, line, interactive=True)
    finally:
        logging.disable(logging.WARNING)  # views stopping on close log nothing useful
        await console.close()
        logging.disable(logging.NOTSET)
    return status


def completions(tree: app_commands.CommandTree[Any], before: str) -> list[str]:
    """What Tab offers for the word that ends `before` (the line up to the cursor).

    Command names word by word (`/the` → `/theme `, `/theme s` → `states `), then the
    command's options not yet given (`th` → `theme:`), then an option's fixed choices
    (`cadence:w` → `cadence:weekly `).
    """
    words = before.split()
    partial = "" if not before or before[-1].isspace() else words.pop()
    commands = {c.qualified_name: c for c in tree.walk_commands() if isinstance(c, app_commands.Command)}
    typed = [w.removeprefix("/") if i == 0 else w for i, w in enumerate(words)]
    for size in range(min(3, len(typed)), 0, -1):
        command = commands.get(" ".join(typed[:size]))
        if command is not None:
            return _option_completions(command, typed[size:], partial)
    if words and not words[0].startswith("/"):
        return []
    if not words and not partial.startswith("/") and partial:
        return []
    offered = []
    for name in sorted(commands):
        parts = name.split()
        if parts[: len(typed)] != typed or len(parts) <= len(typed):
            continue
        word = parts[len(typed)]
        word = f"/{word}" if not typed else word
        if word.startswith(partial or ("/" if not typed else "")):
            offered.append(word + " ")
    return sorted(set(offered))


def _option_completions(command: app_commands.Command[Any, ..., Any], given: list[str], partial: str) -> list[str]:
    names = [p.name for p in command.parameters]
    used = {w.split(":", 1)[0] for w in given if ":" in w}
    if ":" in partial:
        name, value = partial.split(":", 1)
        parameter = next((p for p in command.parameters if p.name == name), None)
        choices = [str(c.value) for c in parameter.choices] if parameter is not None else []
        return [f"{name}:{c} " for c in choices if c.startswith(value)]
    return [f"{n}:" for n in names if n not in used and n.startswith(partial)]


def _line_editing(tree: app_commands.CommandTree[Any], history: Path) -> None:
    """History (kept in `history`) and Tab completion at an interactive prompt, where readline exists."""
    try:
        import readline
    except ImportError:  # Windows without pyreadline: plain input() still works
        return
    import atexit

    offered: list[str] = []

    def complete(text: str, state: int) -> str | None:
        if state == 0:
            offered[:] = completions(tree, readline.get_line_buffer()[: readline.get_endidx()])
        return offered[state] if state < len(offered) else None

    readline.set_completer_delims(" ")
    readline.set_completer(complete)
    readline.parse_and_bind("bind ^I rl_complete" if "libedit" in (readline.__doc__ or "") else "tab: complete")
    with contextlib.suppress(OSError):
        readline.read_history_file(history)
    readline.set_history_length(1000)

    def save() -> None:
        with contextlib.suppress(OSError):
            history.parent.mkdir(parents=True, exist_ok=True)
            readline.write_history_file(history)

    atexit.register(save)


def _prompt_field(field_: dict[str, Any]) -> str | None:
    """Asks for one form field at the terminal; Enter keeps the value shown."""
    default = field_.get("value") or ""
    shown = f" [{default[:60]}{'…' if len(default) > 60 else ''}]" if default else ""
    answer = input(f"  {field_.get('label')}{shown}: ")
    return answer if answer else None


async def _run_one(console: Console, line: str, *, interactive: bool = False) -> int:
    try:
        outcome = await console.run(line, prompt=_prompt_field if interactive else None)
    except ConsoleInputError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    console.save_files(outcome)
    print(format_outcome(outcome))
    print()
    return 1 if outcome.error else 0

