"""What the bot sent, checked against Discord's limits by the double's own rules (`tests/discord_double/rules.py`).

One checker for every test: the double refuses what Discord would refuse, and the offline console's events are
checked by the same rules here.
"""

from __future__ import annotations

from typing import Any, Sequence

import discord

from tests.discord_double import rules


def _flatten(errors: rules.Errors, path: str = "") -> list[str]:
    found = [f"{path or 'message'}: {e['code']} ({e['message']})" for e in errors.get("_errors", [])]
    for key, inner in errors.items():
        if key != "_errors":
            found += _flatten(inner, f"{path}.{key}" if path else key)
    return found


def payload_problems(body: dict[str, Any], message: dict[str, Any]) -> list[str]:
    """Every way the message (and the request body that sent it) breaks Discord's rules; empty when it is fine."""
    problems = _flatten(rules.check_message(message))
    if rules.mentions_allowed(body):
        problems.append(f"the message could ping someone: allowed_mentions {body.get('allowed_mentions')}")
    return problems


def message_problems(content: str | None, embeds: Sequence[discord.Embed] = ()) -> list[str]:
    """The same rules for a message the bot has built but not sent (a reply's page, a briefing post)."""
    return _flatten(rules.check_message({"content": content, "embeds": [embed.to_dict() for embed in embeds]}))


def assert_within_limits(outcome: Any) -> None:
    """Every event of a console outcome is within Discord's rules, and no public message can ping anyone."""
    assert outcome.events, "the interaction was left unanswered"
    for event in outcome.events:
        assert payload_problems(event.body, event.message.data) == []
        if event.action in ("send", "update") and not event.message.deferred:
            assert event.body.get("allowed_mentions") == {"parse": []}
