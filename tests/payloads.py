"""Checks a message payload the bot sent against Discord's limits."""

from __future__ import annotations

from typing import Any

import discord

from bot.render import limits


def payload_problems(body: dict[str, Any], message: dict[str, Any]) -> list[str]:
    embeds = [discord.Embed.from_dict(e) for e in message.get("embeds") or []]
    problems = limits.violations(message.get("content"), embeds)
    rows = message.get("components") or []
    if len(rows) > 5:
        problems.append(f"{len(rows)} action rows")
    for row in rows:
        buttons = row.get("components") or []
        if len(buttons) > 5:
            problems.append(f"{len(buttons)} buttons in a row")
        for b in buttons:
            if len(b.get("custom_id") or "") > 100 or len(b.get("label") or "") > 80:
                problems.append(f"component too long: {b}")
    if "allowed_mentions" in body and body["allowed_mentions"].get("parse"):
        problems.append(f"allowed_mentions would ping: {body['allowed_mentions']}")
    return problems
