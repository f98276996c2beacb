"""A local stand-in for Discord's REST API and gateway, enforcing Discord's rules.

The real discord.py client connects to it over real sockets on 127.0.0.1:
REST under `/api/v10`, the gateway as a websocket at `/gateway`. Tests drive
it as people drive Discord — invoking commands, typing into autocomplete,
pressing buttons, submitting modals — and read back what the bot sent.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import re
import time
from dataclasses import dataclass, field
from typing import Any

from aiohttp import WSMsgType, web

from tests.discord_double import rules

API = "/api/v10"
INTERACTION_DEADLINE = 3.0
TOKEN_LIFETIME = 15 * 60.0
EPHEMERAL = 1 << 6
MANAGE_GUILD = 1 << 5
DM_CHANNEL_BASE = 10**12  # direct-message channel ids: this plus the user's id
MEMBER_PERMISSIONS = (1 << 10) | (1 << 11) | (1 << 14) | (1 << 15) | (1 << 16) | (1 << 31)
_ids = itertools.count(1)


def snowflake() -> int:
    return ((int(time.time() * 1000) - 1420070400000) << 22) + next(_ids)


def _json(data: Any, status: int = 200, headers: dict[str, str] | None = None) -> web.Response:
    # Exactly "application/json": aiohttp's json_response adds a charset discord.py does not accept.
    return web.Response(body=json.dumps(data).encode(), status=status,
                        headers={"Content-Type": "application/json", **(headers or {})})


def _token(value: object) -> str:
    """The token of an Authorization header ("Bot …") or of an identify payload."""
    text = value if isinstance(value, str) else ""
    return text.removeprefix("Bot ").strip()


def _error(status: int, code: int, message: str, errors: dict | None = None) -> web.Response:
    body: dict[str, Any] = {"code": code, "message": message}
    if errors:
        body["errors"] = errors
    return _json(body, status)


@dataclass
class User:
    id: int
    name: str
    permissions: int = MEMBER_PERMISSIONS
    roles: tuple[int, ...] = ()

    def member(self) -> dict[str, Any]:
        return {
            "user": {"id": str(self.id), "username": self.name, "discriminator": "0", "global_name": self.name,
                     "avatar": None},
            "roles": [str(r) for r in self.roles], "permissions": str(self.permissions),
            "joined_at": "2024-01-01T00:00:00+00:00", "deaf": False, "mute": False, "flags": 0,
        }


@dataclass
class Message:
    id: int
    channel_id: int
    data: dict[str, Any]
    files: dict[str, bytes] = field(default_factory=dict)
    via: str = "channel"  # channel | interaction | followup
    deleted: bool = False

    @property
    def ephemeral(self) -> bool:
        return bool(int(self.data.get("flags") or 0) & EPHEMERAL)

    def text(self) -> str:
        parts = [self.data.get("content") or ""]
        for embed in self.data.get("embeds") or []:
            parts += [embed.get("title") or "", embed.get("description") or ""]
            parts += [f"{f.get('name')}\n{f.get('value')}" for f in embed.get("fields") or []]
            parts.append((embed.get("footer") or {}).get("text") or "")
        return "\n".join(p for p in parts if p)


@dataclass
class Interaction:
    id: int
    token: str
    type: int
    user: User
    channel_id: int
    payload: dict[str, Any]
    created: float
    callback: dict[str, Any] | None = None
    callback_at: float | None = None
    messages: list[Message] = field(default_factory=list)
    original: Message | None = None
    choices: list[dict[str, Any]] | None = None
    modal: dict[str, Any] | None = None
    rejected: list[dict[str, Any]] = field(default_factory=list)
    done: asyncio.Event = field(default_factory=asyncio.Event)

    @property
    def latency(self) -> float | None:
        return None if self.callback_at is None else self.callback_at - self.created

    @property
    def final(self) -> Message | None:
        """The message a person ends up seeing (after "thinking…", the edit or first follow-up)."""
        return self.messages[-1] if self.messages else self.original

    async def answered(self, timeout: float = 10.0) -> "Interaction":
        await asyncio.wait_for(self.done.wait(), timeout)
        return self


class DiscordDouble:
    def __init__(self, *, application_id: int = 424242, guild_id: int = 777, channel_ids: tuple[int, ...] = (1001, 1002, 1003),
                 guilds: dict[int, tuple[int, ...]] | None = None) -> None:
        """One server (`guild_id` with `channel_ids`), or several: `guilds` maps each server's id to its channels.

        Each gateway connection gets the servers of the shard it identified as (Discord's
        `(guild_id >> 22) % shard_count`), and only their events."""
        self.application_id = application_id
        self.guilds = dict(guilds) if guilds else {guild_id: channel_ids}
        self.guild_id = next(iter(self.guilds))  # the server commands are invoked in unless a channel says otherwise
        self.channel_ids = tuple(c for channels in self.guilds.values() for c in channels)
        self.recommended_shards = 1  # what GET /gateway/bot recommends
        self.rejected_tokens: set[str] = set()  # tokens answered 401 (REST) and closed with 4004 (gateway)
        self.shard_of: dict[web.WebSocketResponse, tuple[int, int]] = {}  # each connection's [shard id, count]
        self.bot_user = {"id": str(application_id), "username": "RtoP Briefings", "discriminator": "0",
                         "global_name": "RtoP Briefings", "avatar": None, "bot": True, "flags": 0}
        self.commands: dict[int | None, list[dict[str, Any]]] = {}
        self.interactions: dict[int, Interaction] = {}
        self.by_token: dict[str, Interaction] = {}
        self.messages: dict[int, Message] = {}
        self.forbidden: set[int] = set()
        self.deleted: set[int] = set()
        self.rate_limits: list[tuple[str, re.Pattern[str], float]] = []
        self.rejections: list[dict[str, Any]] = []
        self.requests: list[tuple[str, str, int]] = []
        self.sockets: list[web.WebSocketResponse] = []
        self.identified = asyncio.Event()
        self.identifies = 0
        self.resumes = 0
        self.session_id = "double-session"
        self.sequence = 0
        self.uploads: dict[str, bytes] = {}
        self.attachment_size_limit = rules.ATTACHMENT_SIZE_LIMIT  # what interactions report and uploads may not pass
        self.nonces: dict[tuple[int, str], int] = {}
        self.accept_delay = 0.0  # seconds a channel post takes to be stored
        self.post_delay = 0.0  # seconds a channel post takes to be answered, after Discord stored it
        self.fail_after_accepting = 0  # the next N channel posts are stored, then answered 500 (a flaky gateway)
        self.stall_posts: str | None = None  # "before" / "after" storing: posts hang there until `release_posts`
        self.stalled = asyncio.Event()  # set when a post hangs at the stall point
        self._stall_gate = asyncio.Event()
        self._drop_stalled = False
        self._runner: web.AppRunner | None = None
        self.port = 0

    # -- lifecycle --------------------------------------------------------------

    async def start(self) -> None:
        app = web.Application(client_max_size=20 * 1024 * 1024, middlewares=[self._middleware])
        app.router.add_get("/gateway", self._gateway)
        app.router.add_get("/uploads/{name}", self._upload)
        app.router.add_route("*", API + "/{tail:.*}", self._rest)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        self.port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]

    async def stop(self) -> None:
        for socket in list(self.sockets):
            await socket.close()
        if self._runner is not None:
            await self._runner.cleanup()

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}{API}"

    @property
    def gateway_url(self) -> str:
        return f"ws://127.0.0.1:{self.port}/gateway"

    # -- test controls ------------------------------------------------------------

    def rate_limit_next(self, method: str, path_pattern: str, retry_after: float = 0.3) -> None:
        """The next matching request answers 429 with `retry_after`, as Discord does."""
        self.rate_limits.append((method.upper(), re.compile(path_pattern), retry_after))

    def release_posts(self, *, drop: bool = False) -> None:
        """Lets hanging posts go on; with `drop`, those held before storing are lost (they never reached Discord)."""
        self.stall_posts = None
        self._drop_stalled = drop
        self._stall_gate.set()
        self._stall_gate = asyncio.Event()
        self.stalled = asyncio.Event()

    def channel_messages(self, channel_id: int) -> list[Message]:
        return [m for m in self.messages.values() if m.channel_id == channel_id and m.via == "channel"]

    async def drop_gateway(self, code: int = 4000) -> None:
        """Closes the gateway connection as Discord does when a session must reconnect (resumable)."""
        for socket in list(self.sockets):
            await socket.close(code=code, message=b"reconnect")

    # -- driving the bot as people do ---------------------------------------------------

    def guild_of(self, channel_id: int) -> int:
        return next((g for g, channels in self.guilds.items() if channel_id in channels), self.guild_id)

    def _command(self, path: str, guild_id: int | None = None) -> tuple[dict[str, Any], list[str]]:
        words = path.split()
        for guild in (guild_id or self.guild_id, None):
            for command in self.commands.get(guild, []):
                if command["name"] == words[0]:
                    return command, words[1:]
        raise KeyError(f"/{words[0]} is not registered (sync the commands first)")

    def _options(self, command: dict[str, Any], rest: list[str], values: dict[str, Any],
                 focused: str | None, resolved: dict[str, Any]) -> list[dict[str, Any]]:
        if rest:
            sub = next(o for o in command.get("options", []) if o["name"] == rest[0] and o["type"] in (1, 2))
            return [{"type": sub["type"], "name": sub["name"],
                     "options": self._options(sub, rest[1:], values, focused, resolved)}]
        options = []
        for name, value in values.items():
            spec = next((o for o in command.get("options", []) if o["name"] == name), None)
            if spec is None:
                raise KeyError(f"/{command['name']} has no option {name}")
            kind = spec["type"]
            if kind == 11:  # attachment: uploaded here, read back from /uploads
                attachment_id = str(snowflake())
                filename, data = value
                self.uploads[attachment_id] = data
                resolved.setdefault("attachments", {})[attachment_id] = {
                    "id": attachment_id, "filename": filename, "size": len(data),
                    "url": f"http://127.0.0.1:{self.port}/uploads/{attachment_id}",
                    "proxy_url": f"http://127.0.0.1:{self.port}/uploads/{attachment_id}",
                    "content_type": "application/json",
                }
                value = attachment_id
            elif kind == 7:  # channel
                channel = self._channel_json(int(value))
                resolved.setdefault("channels", {})[str(value)] = {**channel, "permissions": str(MEMBER_PERMISSIONS)}
                value = str(value)
            option = {"type": kind, "name": name, "value": value}
            if name == focused:
                option["focused"] = True
            options.append(option)
        return options

    async def invoke(self, user: User, path: str, values: dict[str, Any] | None = None, *,
                     channel_id: int | None = None) -> Interaction:
        """Runs a slash command as `user` would; returns at once, the bot answers on its own time."""
        command, rest = self._command(path, self.guild_of(channel_id) if channel_id else None)
        resolved: dict[str, Any] = {}
        data: dict[str, Any] = {"id": command["id"], "name": command["name"], "type": 1,
                                "options": self._options(command, rest, values or {}, None, resolved)}
        if resolved:
            data["resolved"] = resolved
        return await self._send_interaction(2, user, data, channel_id)

    async def autocomplete(self, user: User, path: str, values: dict[str, Any], focused: str, *,
                           dm: bool = False, channel_id: int | None = None) -> Interaction:
        """Typing into option `focused` (in `channel_id`'s server); with `dm`, in the user's direct messages with the bot."""
        command, rest = self._command(path, self.guild_of(channel_id) if channel_id else None)
        data = {"id": command["id"], "name": command["name"], "type": 1,
                "options": self._options(command, rest, values, focused, {})}
        return await self._send_interaction(4, user, data, channel_id, dm=dm)

    async def click(self, user: User, message: Message, label: str) -> Interaction:
        button = next(
            c for row in message.data.get("components") or [] for c in row.get("components") or []
            if c.get("type") == 2 and label in (c.get("label") or "")
        )
        data = {"custom_id": button["custom_id"], "component_type": 2}
        return await self._send_interaction(3, user, data, message.channel_id, message=message)

    async def submit(self, user: User, opened: Interaction, values: dict[str, str]) -> Interaction:
        """Fills in and submits the modal `opened` showed."""
        assert opened.modal is not None, "that interaction opened no modal"
        rows = []
        for row in opened.modal.get("components") or []:
            if "component" in row:
                inner = row["component"]
                rows.append({"type": row["type"], "component": {"type": 4, "custom_id": inner["custom_id"],
                                                                 "value": values.get(inner["custom_id"], "")}})
            else:
                rows.append({"type": 1, "components": [
                    {"type": 4, "custom_id": c["custom_id"], "value": values.get(c["custom_id"], c.get("value") or "")}
                    for c in row.get("components") or []]})
        data = {"custom_id": opened.modal["custom_id"], "components": rows}
        return await self._send_interaction(5, user, data, opened.channel_id)

    async def _send_interaction(self, kind: int, user: User, data: dict[str, Any], channel_id: int | None,
                                message: Message | None = None, *, dm: bool = False) -> Interaction:
        channel_id = channel_id or (DM_CHANNEL_BASE + user.id if dm else self.channel_ids[0])
        guild_id = self.guild_of(channel_id)
        interaction_id = snowflake()
        token = f"tok-{interaction_id}"
        payload: dict[str, Any] = {
            "id": str(interaction_id), "application_id": str(self.application_id), "type": kind, "token": token,
            "version": 1, "guild_id": str(guild_id), "channel_id": str(channel_id),
            "channel": {**self._channel_json(channel_id)}, "member": user.member(),
            "app_permissions": str(MEMBER_PERMISSIONS), "locale": "en-GB", "guild_locale": "en-GB",
            "entitlements": [], "authorizing_integration_owners": {"0": str(guild_id)}, "context": 0,
            "attachment_size_limit": self.attachment_size_limit, "data": data,
        }
        if dm:  # no server, no member: the user object alone, in a DM channel (context 1)
            user_json = user.member()["user"]
            del payload["guild_id"], payload["member"], payload["guild_locale"]
            payload.update(user=user_json, context=1, authorizing_integration_owners={"0": "0"},
                           channel={"id": str(channel_id), "type": 1, "recipients": [user_json]})
        if message is not None:
            payload["message"] = message.data
        record = Interaction(interaction_id, token, kind, user, channel_id, payload, time.monotonic())
        self.interactions[interaction_id] = record
        self.by_token[token] = record
        await self.dispatch("INTERACTION_CREATE", payload)
        return record

    # -- gateway -------------------------------------------------------------------

    async def dispatch(self, event: str, data: dict[str, Any]) -> None:
        """Sends an event to the connection of the shard its server is on (direct messages: shard 0)."""
        self.sequence += 1
        frame = {"op": 0, "t": event, "s": self.sequence, "d": data}
        guild = int(data["guild_id"]) if data.get("guild_id") else None
        for socket in list(self.sockets):
            shard, count = self.shard_of.get(socket, (0, 1))
            on_shard = (guild >> 22) % count == shard if guild is not None else shard == 0
            if on_shard and not socket.closed:
                await socket.send_str(json.dumps(frame))

    def _channel_json(self, channel_id: int) -> dict[str, Any]:
        return {"id": str(channel_id), "type": 0, "guild_id": str(self.guild_of(channel_id)), "name": f"channel-{channel_id}",
                "position": self.channel_ids.index(channel_id) if channel_id in self.channel_ids else 0,
                "permission_overwrites": [], "nsfw": False, "parent_id": None, "topic": None,
                "last_message_id": None, "rate_limit_per_user": 0}

    def _guild_json(self, guild_id: int) -> dict[str, Any]:
        everyone = {"id": str(guild_id), "name": "@everyone", "permissions": str(MEMBER_PERMISSIONS),
                    "position": 0, "color": 0, "hoist": False, "managed": False, "mentionable": False, "flags": 0}
        bot_member = {"user": self.bot_user, "roles": [], "joined_at": "2024-01-01T00:00:00+00:00",
                      "deaf": False, "mute": False, "flags": 0}
        return {
            "id": str(guild_id), "name": "Coalition", "icon": None, "owner_id": "1", "unavailable": False,
            "member_count": 2, "large": False, "features": [], "roles": [everyone], "emojis": [], "stickers": [],
            "channels": [self._channel_json(c) for c in self.guilds[guild_id] if c not in self.deleted],
            "members": [bot_member], "threads": [], "presences": [], "voice_states": [],
            "verification_level": 0, "default_message_notifications": 0, "explicit_content_filter": 0,
            "mfa_level": 0, "premium_tier": 0, "preferred_locale": "en-GB", "system_channel_flags": 0,
            "nsfw_level": 0, "premium_progress_bar_enabled": False, "joined_at": "2024-01-01T00:00:00+00:00",
        }

    async def _gateway(self, request: web.Request) -> web.WebSocketResponse:
        socket = web.WebSocketResponse(max_msg_size=0)
        await socket.prepare(request)
        self.sockets.append(socket)
        await socket.send_str(json.dumps({"op": 10, "d": {"heartbeat_interval": 41250}}))
        try:
            async for frame in socket:
                if frame.type != WSMsgType.TEXT:
                    continue
                message = json.loads(frame.data)
                op = message.get("op")
                if op == 1:
                    await socket.send_str(json.dumps({"op": 11}))
                elif op == 2:
                    identify = message.get("d") or {}
                    if _token(identify.get("token")) in self.rejected_tokens:
                        await socket.close(code=4004, message=b"Authentication failed.")
                        break
                    shard, count = identify.get("shard") or (0, 1)
                    if not 0 <= shard < count:
                        await socket.close(code=4010, message=b"Invalid shard.")
                        break
                    self.identifies += 1
                    self.shard_of[socket] = (shard, count)
                    mine = [g for g in self.guilds if (g >> 22) % count == shard]
                    self.sequence += 1
                    ready = {"v": 10, "user": self.bot_user, "guilds": [{"id": str(g), "unavailable": True} for g in mine],
                             "session_id": self.session_id, "resume_gateway_url": self.gateway_url,
                             "application": {"id": str(self.application_id), "flags": 0}, "shard": [shard, count]}
                    await socket.send_str(json.dumps({"op": 0, "t": "READY", "s": self.sequence, "d": ready}))
                    for guild in mine:
                        self.sequence += 1
                        await socket.send_str(json.dumps({"op": 0, "t": "GUILD_CREATE", "s": self.sequence,
                                                          "d": self._guild_json(guild)}))
                    self.identified.set()
                elif op == 6:
                    self.resumes += 1
                    self.sequence += 1
                    await socket.send_str(json.dumps({"op": 0, "t": "RESUMED", "s": self.sequence, "d": {}}))
        finally:
            if socket in self.sockets:
                self.sockets.remove(socket)
            self.shard_of.pop(socket, None)
        return socket

    async def _upload(self, request: web.Request) -> web.Response:
        return web.Response(body=self.uploads[request.match_info["name"]], content_type="application/octet-stream")

    # -- REST ---------------------------------------------------------------------

    @web.middleware
    async def _middleware(self, request: web.Request, handler):  # type: ignore[no-untyped-def]
        response = await handler(request)
        self.requests.append((request.method, request.path, response.status))
        return response

    async def _body(self, request: web.Request) -> tuple[dict[str, Any], dict[str, bytes]]:
        if request.content_type.startswith("multipart/"):
            payload: dict[str, Any] = {}
            files: dict[str, bytes] = {}
            reader = await request.multipart()
            async for part in reader:
                if part.name == "payload_json":
                    payload = json.loads(await part.text())
                else:
                    files[part.filename or part.name or "file"] = await part.read()
            return payload, files
        if request.can_read_body:
            return await request.json(), {}
        return {}, {}

    def _reject(self, request: web.Request, errors: dict, body: dict) -> web.Response:
        self.rejections.append({"method": request.method, "path": request.path, "errors": errors, "body": body})
        return _error(400, 50035, "Invalid Form Body", errors)

    def _limited(self, request: web.Request) -> web.Response | None:
        for i, (method, pattern, retry_after) in enumerate(self.rate_limits):
            if method == request.method and pattern.search(request.path):
                del self.rate_limits[i]
                return _json({"message": "You are being rate limited.", "retry_after": retry_after, "global": False},
                             429, {"Via": "1.1 google", "X-RateLimit-Limit": "5", "X-RateLimit-Remaining": "0",
                                   "X-RateLimit-Reset-After": str(retry_after), "X-RateLimit-Bucket": "double",
                                   "Retry-After": str(retry_after)})
        return None

    async def _rest(self, request: web.Request) -> web.Response:
        path = "/" + request.match_info["tail"]
        limited = self._limited(request)
        if limited is not None:
            return limited
        method = request.method
        if _token(request.headers.get("Authorization")) in self.rejected_tokens:
            return _error(401, 0, "401: Unauthorized")
        if method == "GET" and path == "/users/@me":
            return _json(self.bot_user)
        if method == "GET" and path == "/gateway/bot":
            return _json({"url": self.gateway_url, "shards": self.recommended_shards,
                          "session_start_limit": {"total": 1000, "remaining": 1000, "reset_after": 0,
                                                  "max_concurrency": 1}})
        if method == "GET" and path == "/oauth2/applications/@me":
            return _json({"id": str(self.application_id), "name": "RtoP Briefings", "description": "", "icon": None,
                          "bot_public": True, "bot_require_code_grant": False, "verify_key": "0" * 64,
                          "owner": {**self.bot_user, "bot": False}, "flags": 0, "team": None})
        match = re.fullmatch(r"/applications/(\d+)(?:/guilds/(\d+))?/commands", path)
        if match and method == "PUT":
            return await self._sync(request, int(match.group(2)) if match.group(2) else None)
        if match and method == "GET":
            return _json(self.commands.get(int(match.group(2)) if match.group(2) else None, []))
        match = re.fullmatch(r"/interactions/(\d+)/([^/]+)/callback", path)
        if match and method == "POST":
            return await self._callback(request, int(match.group(1)), match.group(2))
        match = re.fullmatch(r"/webhooks/(\d+)/([^/]+)(?:/messages/(@original|\d+))?", path)
        if match:
            return await self._webhook(request, match.group(2), match.group(3))
        match = re.fullmatch(r"/channels/(\d+)/messages", path)
        if match and method == "POST":
            return await self._post(request, int(match.group(1)))
        if match and method == "GET":
            return self._history(request, int(match.group(1)))
        match = re.fullmatch(r"/channels/(\d+)", path)
        if match and method == "GET":
            channel_id = int(match.group(1))
            if channel_id not in self.channel_ids or channel_id in self.deleted:
                return _error(404, 10003, "Unknown Channel")
            return _json(self._channel_json(channel_id))
        return _error(404, 0, f"404: Not Found ({method} {path})")

    async def _sync(self, request: web.Request, guild_id: int | None) -> web.Response:
        commands = await request.json()
        errors = rules.check_commands(commands)
        if errors:
            return self._reject(request, errors, {"commands": [c.get("name") for c in commands]})
        registered = []
        for command in commands:
            registered.append({**command, "id": str(snowflake()), "application_id": str(self.application_id),
                               "version": str(snowflake()), "guild_id": str(guild_id) if guild_id else None})
        self.commands[guild_id] = registered
        return _json(registered)

    def _message(self, body: dict[str, Any], files: dict[str, bytes], channel_id: int, via: str,
                 message_id: int | None = None) -> Message:
        message_id = message_id or snowflake()
        data = {
            "id": str(message_id), "channel_id": str(channel_id), "type": 0 if via == "channel" else 20,
            "author": self.bot_user, "content": body.get("content") or "", "embeds": body.get("embeds") or [],
            "components": body.get("components") or [], "flags": int(body.get("flags") or 0),
            "attachments": [{"id": str(snowflake()), "filename": name, "size": len(data),
                             "url": f"http://127.0.0.1:{self.port}/files/{name}",
                             "proxy_url": f"http://127.0.0.1:{self.port}/files/{name}"} for name, data in files.items()],
            "mentions": [], "mention_roles": [], "mention_everyone": False, "pinned": False, "tts": False,
            "timestamp": "2026-01-01T00:00:00+00:00", "edited_timestamp": None,
        }
        message = Message(message_id, channel_id, data, files, via)
        self.messages[message_id] = message
        return message

    def _refuse_files(self, request: web.Request, files: dict[str, bytes], body: dict) -> web.Response | None:
        refused = rules.check_files(files, self.attachment_size_limit)
        if refused is None:
            return None
        status, error = refused
        self.rejections.append({"method": request.method, "path": request.path, "errors": error,
                                "files": {name: len(data) for name, data in files.items()}, "body": body})
        return _json(error, status)

    def _check_pings(self, body: dict[str, Any]) -> dict | None:
        if rules.mentions_allowed(body):
            return {"allowed_mentions": {"_errors": [{"code": "DOUBLE_PING", "message": "This message could ping"}]}}
        return None

    async def _callback(self, request: web.Request, interaction_id: int, token: str) -> web.Response:
        record = self.interactions.get(interaction_id)
        if record is None or record.token != token:
            return _error(404, 10062, "Unknown interaction")
        now = time.monotonic()
        if record.callback is not None:
            return _error(400, 40060, "Interaction has already been acknowledged.")
        if now - record.created > INTERACTION_DEADLINE:
            record.rejected.append({"late": now - record.created})
            self.rejections.append({"method": "POST", "path": request.path, "errors": "late", "body": {}})
            return _error(404, 10062, "Unknown interaction")
        body, files = await self._body(request)
        kind = body.get("type")
        data = body.get("data") or {}
        refused = self._refuse_files(request, files, body)
        if refused is not None:
            record.rejected.append(json.loads(refused.text or "{}"))
            return refused
        if kind == 8:
            errors = rules.check_choices(data.get("choices") or [])
        else:
            errors = rules.check_message(data, modal=kind == 9) if kind in (4, 7, 9) else {}
            if kind in (4, 7) and not errors:
                errors = self._check_pings(data) or {}
        if errors:
            record.rejected.append(errors)
            return self._reject(request, errors, body)
        record.callback, record.callback_at = body, now
        response: dict[str, Any] = {"interaction": {"id": str(interaction_id), "type": record.type}}
        if kind == 8:
            record.choices = data.get("choices") or []
            record.done.set()
            return _json({**response, "resource": {"type": 8}})
        if kind == 9:
            record.modal = data
            record.done.set()
            return _json({**response, "resource": {"type": 9}})
        if kind in (6, 7) and record.payload.get("message"):
            parent = self.messages.get(int(record.payload["message"]["id"]))
            if parent is not None and kind == 7:
                parent.data.update({k: v for k, v in data.items() if k in ("content", "embeds", "components")})
                record.messages.append(parent)
            record.done.set()
            return _json({**response, "resource": {"type": kind, **({"message": parent.data} if parent else {})}})
        message = self._message(data, files, record.channel_id, "interaction")
        record.original = message
        response["interaction"].update(response_message_id=str(message.id), response_message_loading=kind == 5,
                                       response_message_ephemeral=message.ephemeral)
        if kind == 4:
            record.done.set()
        return _json({**response, "resource": {"type": kind, "message": message.data}})

    async def _webhook(self, request: web.Request, token: str, message_ref: str | None) -> web.Response:
        record = self.by_token.get(token)
        if record is None:
            return _error(401, 50027, "Invalid Webhook Token")
        if time.monotonic() - record.created > TOKEN_LIFETIME:
            return _error(401, 50027, "Invalid Webhook Token")
        method = request.method
        if method == "GET" and message_ref:
            target = record.original if message_ref == "@original" else self.messages.get(int(message_ref))
            return _json(target.data) if target else _error(404, 10008, "Unknown Message")
        if method == "DELETE" and message_ref:
            target = record.original if message_ref == "@original" else self.messages.get(int(message_ref))
            if target is None or target.deleted:
                return _error(404, 10008, "Unknown Message")
            target.deleted = True
            return web.Response(status=204)
        body, files = await self._body(request)
        refused = self._refuse_files(request, files, body)
        if refused is not None:
            record.rejected.append(json.loads(refused.text or "{}"))
            return refused
        errors = rules.check_message(body) or self._check_pings(body) or {}
        if errors:
            record.rejected.append(errors)
            return self._reject(request, errors, body)
        if method == "PATCH" and message_ref:
            target = record.original if message_ref == "@original" else self.messages.get(int(message_ref))
            if target is None:
                return _error(404, 10008, "Unknown Message")
            target.data.update({k: v for k, v in body.items() if k in ("content", "embeds", "components")})
            if files:
                target.files = files
            record.messages.append(target)
            record.done.set()
            return _json(target.data)
        if method == "POST" and not message_ref:
            loading = (record.original is not None and not record.original.deleted and record.callback
                       and record.callback.get("type") == 5)
            if loading and not record.messages:  # the first follow-up replaces "thinking…"
                flags = record.original.data.get("flags", 0)  # type: ignore[union-attr]
                message = self._message({**body, "flags": flags}, files, record.channel_id, "followup",
                                        record.original.id)  # type: ignore[union-attr]
            else:
                message = self._message(body, files, record.channel_id, "followup")
            record.messages.append(message)
            record.done.set()
            return _json(message.data)
        return _error(405, 0, "405: Method Not Allowed")

    async def _post(self, request: web.Request, channel_id: int) -> web.Response:
        if channel_id not in self.channel_ids or channel_id in self.deleted:
            return _error(404, 10003, "Unknown Channel")
        if channel_id in self.forbidden:
            return _error(403, 50013, "Missing Permissions")
        body, files = await self._body(request)
        refused = self._refuse_files(request, files, body)
        if refused is not None:
            return refused
        errors = rules.check_message(body) or self._check_pings(body) or {}
        if errors:
            return self._reject(request, errors, body)
        nonce = body.get("nonce")
        if nonce and body.get("enforce_nonce") and (channel_id, str(nonce)) in self.nonces:
            return _json(self.messages[self.nonces[(channel_id, str(nonce))]].data)  # Discord dedupes by nonce
        if not await self._stall("before"):
            return _error(500, 0, "500: Internal Server Error")
        if self.accept_delay:
            await asyncio.sleep(self.accept_delay)
        message = self._message(body, files, channel_id, "channel")
        if nonce:
            self.nonces[(channel_id, str(nonce))] = message.id
        await self.dispatch("MESSAGE_CREATE", {**message.data, "guild_id": str(self.guild_of(channel_id))})
        await self._stall("after")
        if self.post_delay:
            await asyncio.sleep(self.post_delay)
        if self.fail_after_accepting > 0:
            self.fail_after_accepting -= 1
            return _error(500, 0, "500: Internal Server Error")
        return _json(message.data)

    async def _stall(self, point: str) -> bool:
        """Hangs a post at `point` while posts stall there; False when it is to be dropped."""
        if self.stall_posts != point:
            return True
        self.stalled.set()
        gate = self._stall_gate
        await gate.wait()
        return not (point == "before" and self._drop_stalled)

    def _history(self, request: web.Request, channel_id: int) -> web.Response:
        """GET /channels/{id}/messages: up to `limit` (1–100) messages, newest first, before or after an id."""
        if channel_id not in self.channel_ids or channel_id in self.deleted:
            return _error(404, 10003, "Unknown Channel")
        if channel_id in self.forbidden:
            return _error(403, 50001, "Missing Access")
        limit = min(max(int(request.query.get("limit", 50)), 1), 100)
        shown = sorted((m for m in self.messages.values()
                        if m.channel_id == channel_id and not m.deleted and not m.ephemeral), key=lambda m: m.id)
        if "after" in request.query:
            after = int(request.query["after"])
            page = [m for m in shown if m.id > after][:limit]
        else:
            before = int(request.query.get("before", 2**63))
            page = [m for m in shown if m.id < before][-limit:]
        return _json([m.data for m in reversed(page)])
