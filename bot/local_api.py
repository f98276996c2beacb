"""An in-process stand-in for Discord's interaction endpoints, used by the offline console.

discord.py sends every interaction response, follow-up and edit through one
webhook adapter. Swapping that adapter (a context variable) for this one keeps
the whole real path — command tree, checks, transformers, callbacks, views,
renderers — and replaces only the HTTP call at its end with a local record.
"""

from __future__ import annotations

import itertools
import json
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any, Iterable, Sequence

import discord
from discord.http import Route

from bot.discord_internals import WebhookAdapter

EPHEMERAL = 1 << 6
_ids = itertools.count(1)


def snowflake() -> int:
    """Increasing ids shaped like Discord's (timestamp in the high bits)."""
    millis = int(datetime.now(timezone.utc).timestamp() * 1000) - 1420070400000
    return (millis << 22) + next(_ids)


@dataclass
class SentFile:
    filename: str
    data: bytes


@dataclass
class LocalMessage:
    id: int
    data: dict[str, Any]
    files: list[SentFile] = field(default_factory=list)
    ephemeral: bool = False
    deferred: bool = False


@dataclass
class LocalEvent:
    """One request the bot made: a new message, an edit, or a deferral."""

    action: str  # "send" | "edit" | "defer" | "update" | "post" (to a channel)
    message: LocalMessage
    body: dict[str, Any] = field(default_factory=dict)  # the request as the bot sent it


class _Offline:
    status = 503
    reason = "offline console"


class LocalDiscord(WebhookAdapter):
    def __init__(self, bot_user: dict[str, Any], channel_id: int) -> None:
        super().__init__()  # type: ignore[no-untyped-call]  # discord.py leaves this __init__ unannotated
        self.bot_user = bot_user
        self.channel_id = channel_id
        self.events: list[LocalEvent] = []
        self.messages: dict[int, LocalMessage] = {}
        self.originals: dict[str, int] = {}  # interaction token -> its response message id
        self.parents: dict[str, int] = {}  # component interaction token -> the message it came from
        self.choices: dict[str, list[dict[str, Any]]] = {}  # autocomplete interaction token -> choices
        self.modals: dict[str, dict[str, Any]] = {}  # interaction token -> the modal it opened
        self.uploads: dict[str, bytes] = {}  # attachment URL -> contents, for Attachment.read()

    def _payload(self, payload: dict[str, Any] | None,
                 multipart: list[dict[str, Any]] | None) -> tuple[dict[str, Any], list[SentFile]]:
        files: list[SentFile] = []
        if multipart:
            for part in multipart:
                if part["name"] == "payload_json":
                    payload = json.loads(part["value"])
                elif "filename" in part:
                    value = part["value"]
                    data = value.read() if hasattr(value, "read") else bytes(value)
                    files.append(SentFile(part["filename"], data))
        return payload or {}, files

    def _message_json(self, message_id: int, body: dict[str, Any], files: list[SentFile], flags: int) -> dict[str, Any]:
        return {
            "id": str(message_id),
            "channel_id": str(self.channel_id),
            "type": 20,
            "author": self.bot_user,
            "content": body.get("content") or "",
            "embeds": body.get("embeds") or [],
            "components": body.get("components") or [],
            "attachments": [
                {"id": str(snowflake()), "filename": f.filename, "size": len(f.data), "url": f"local://{f.filename}",
                 "proxy_url": f"local://{f.filename}"}
                for f in files
            ],
            "mentions": [],
            "mention_roles": [],
            "mention_everyone": False,
            "pinned": False,
            "tts": False,
            "flags": flags,
            "timestamp": datetime.now(timezone.utc).isoformat(),
            "edited_timestamp": None,
        }

    def _store(self, action: str, message_id: int, body: dict[str, Any], files: list[SentFile], *,
               deferred: bool = False) -> LocalMessage:
        flags = int(body.get("flags") or 0)
        previous = self.messages.get(message_id)
        if previous is not None and action in ("edit", "update"):
            merged = dict(previous.data)
            for key in ("content", "embeds", "components"):
                if key in body:
                    merged[key] = body[key]
            if files:
                merged["attachments"] = self._message_json(message_id, {}, files, 0)["attachments"]
            message = LocalMessage(message_id, merged, files or previous.files, previous.ephemeral, False)
        else:
            message = LocalMessage(
                message_id, self._message_json(message_id, body, files, flags), files, bool(flags & EPHEMERAL), deferred
            )
        self.messages[message_id] = message
        self.events.append(LocalEvent(action, message, body))
        return message

    async def rest(self, route: Route, *, files: Sequence[discord.File] | None = None,
                   form: Iterable[dict[str, Any]] | None = None, **kwargs: Any) -> Any:
        """Stands in for `HTTPClient.request`: posting to a channel is recorded like a reply."""
        import re

        match = re.search(r"/channels/(\d+)/messages$", route.url)
        if route.method == "POST" and match:
            body = kwargs.get("json") or {}
            sent: list[SentFile] = []
            if form:
                body, sent = self._payload(None, list(form))
            for file in files or ():
                file.fp.seek(0)
            message_id = snowflake()
            message = LocalMessage(message_id, self._message_json(message_id, body, sent, 0), sent)
            message.data["channel_id"] = match.group(1)
            message.data["type"] = 0
            self.messages[message_id] = message
            self.events.append(LocalEvent("post", message, body))
            return message.data
        from discord.errors import HTTPException

        raise HTTPException(_Offline(), f"{route.method} {route.path} is not available offline")

    async def get_from_cdn(self, url: str) -> bytes:
        """Serves attachments the console uploaded (discord.Attachment.read fetches them here)."""
        return self.uploads[url]

    async def request(self, route: Route, session: Any, *, payload: dict[str, Any] | None = None,
                      multipart: list[dict[str, Any]] | None = None, files: Sequence[discord.File] | None = None,
                      params: dict[str, Any] | None = None, **_: Any) -> Any:
        body, sent = self._payload(payload, multipart)
        path = route.path
        token = str(route.webhook_token)
        if path.endswith("/callback"):
            kind = body.get("type")
            data = body.get("data") or {}
            interaction = {"id": str(route.webhook_id), "type": 2}
            if kind in (4, 5):
                message_id = snowflake()
                self.originals[token] = message_id
                message = self._store("defer" if kind == 5 else "send", message_id, data, sent, deferred=kind == 5)
                interaction.update(response_message_id=str(message_id), response_message_loading=kind == 5,
                                   response_message_ephemeral=message.ephemeral)
                return {"interaction": interaction, "resource": {"type": kind, "message": message.data}}
            if kind == 8:
                self.choices[token] = list(data.get("choices") or [])
                return {"interaction": interaction, "resource": {"type": kind}}
            if kind == 9:
                self.modals[token] = data
                return {"interaction": interaction, "resource": {"type": kind}}
            if kind in (6, 7):
                parent = self.parents.get(token)
                if kind == 6 and parent is None:  # a deferred update without a message: answer later
                    message_id = snowflake()
                    self.originals[token] = message_id
                    self._store("defer", message_id, {"flags": 0}, [], deferred=True)
                    return {"interaction": interaction, "resource": {"type": kind}}
                if parent is not None and kind == 7:
                    message = self._store("update", parent, data, sent)
                    return {"interaction": interaction, "resource": {"type": kind, "message": message.data}}
                return {"interaction": interaction, "resource": {"type": kind}}
            return {"interaction": interaction, "resource": {"type": kind}}
        if "/messages/" in path:
            original = self.originals.get(token)
            message_id = int(str(route.url).rsplit("/", 1)[-1]) if "@original" not in str(route.url) else original or 0
            if route.method == "GET":
                return self.messages[message_id].data
            if route.method == "DELETE":
                self.messages.pop(message_id, None)
                return None
            was_deferred = message_id in self.messages and self.messages[message_id].deferred
            return self._store("edit" if not was_deferred else "send", message_id, body, sent).data
        # a follow-up: the first one after a deferral replaces the "thinking…" message
        original = self.originals.get(token)
        if original is not None and self.messages.get(original) and self.messages[original].deferred:
            body.setdefault("flags", self.messages[original].data.get("flags", 0))
            return self._store("send", original, body, sent).data
        return self._store("send", snowflake(), body, sent).data
