"""Discord's message limits, and a checker used by the renderers and the tests."""

from __future__ import annotations

from typing import Sequence

import discord

CONTENT = 2000
EMBED_TITLE = 256
EMBED_DESCRIPTION = 4096
EMBED_FIELDS = 25
FIELD_NAME = 256
FIELD_VALUE = 1024
FOOTER = 2048
AUTHOR = 256
EMBED_TOTAL = 6000
EMBEDS_PER_MESSAGE = 10
CHOICES = 25
CHOICE_NAME = 100

ELLIPSIS = "…"


def clip(text: str, limit: int) -> str:
    """Cut text to `limit` characters, marking the cut with an ellipsis."""
    text = text or ""
    if len(text) <= limit:
        return text
    return text[: limit - 1].rstrip() + ELLIPSIS


def violations(content: str | None = None, embeds: Sequence[discord.Embed] = ()) -> list[str]:
    """Every way the message breaks Discord's limits; empty when it is acceptable."""
    problems: list[str] = []
    if content and len(content) > CONTENT:
        problems.append(f"content is {len(content)} > {CONTENT}")
    if len(embeds) > EMBEDS_PER_MESSAGE:
        problems.append(f"{len(embeds)} embeds > {EMBEDS_PER_MESSAGE}")
    total = 0
    for i, embed in enumerate(embeds):
        total += len(embed)
        if embed.title and len(embed.title) > EMBED_TITLE:
            problems.append(f"embed {i} title is {len(embed.title)} > {EMBED_TITLE}")
        if embed.description and len(embed.description) > EMBED_DESCRIPTION:
            problems.append(f"embed {i} description is {len(embed.description)} > {EMBED_DESCRIPTION}")
        if len(embed.fields) > EMBED_FIELDS:
            problems.append(f"embed {i} has {len(embed.fields)} fields > {EMBED_FIELDS}")
        for j, field in enumerate(embed.fields):
            if not field.name or len(field.name) > FIELD_NAME:
                problems.append(f"embed {i} field {j} name length {len(field.name or '')}")
            if not field.value or len(field.value) > FIELD_VALUE:
                problems.append(f"embed {i} field {j} value length {len(field.value or '')}")
        if embed.footer.text and len(embed.footer.text) > FOOTER:
            problems.append(f"embed {i} footer is {len(embed.footer.text)} > {FOOTER}")
        if embed.author.name and len(embed.author.name) > AUTHOR:
            problems.append(f"embed {i} author is {len(embed.author.name)} > {AUTHOR}")
    if total > EMBED_TOTAL:
        problems.append(f"embeds total {total} > {EMBED_TOTAL}")
    return problems
