"""/ask through the real command tree (offline console): bad input, other readings as buttons."""

from __future__ import annotations

import pytest

from bot.console import ConsoleUser
from tests.test_commands import assert_within_limits, text_of

BAD = {
    "/ask question:   ": "Empty question",
    "/ask question:<@123> @everyone": "Empty question",
    "/ask question:?!#$%^&*()": "No words to read",
    "/ask question:** ~~ __": "Empty question",
}


@pytest.mark.parametrize("line, title", BAD.items())
async def test_unreadable_questions_get_a_clear_ephemeral_reply(console, line, title):
    outcome = await console.run(line)
    assert outcome.error
    assert_within_limits(outcome)
    assert all(e.message.ephemeral for e in outcome.events)
    assert title in text_of(outcome)


async def test_a_long_question_with_markdown_and_mentions_is_answered(console):
    question = ("<@123> **which** states at the 2014 dialogue said that countering the `arms trade` would be essential "
                "to deny perpetrators the means to commit atrocities? " + "please " * 30)[:300]
    outcome = await console.run(f"/ask question:{question}")
    assert not outcome.error
    assert_within_limits(outcome)
    assert "Ecuador" in text_of(outcome)


async def test_not_english_is_said_privately(console):
    outcome = await console.run("/ask question:¿Qué estados hablaron sobre el veto en 2014?")
    assert outcome.events[0].message.ephemeral
    assert "English" in text_of(outcome)


def _buttons(message):  # type: ignore[no-untyped-def]
    return [c for row in message.get("components") or [] for c in row["components"]]


async def test_other_readings_are_buttons_the_asker_can_press(console):
    outcome = await console.run("/ask question:what did states say about prevention")
    # the answer itself: on a busy machine the bot defers first and the answer edits that message
    message = next(e.message.data for e in reversed(outcome.events) if not e.message.deferred)
    assert "Or did you mean" in text_of(outcome)
    buttons = [b for b in _buttons(message) if b["custom_id"].startswith("ask-other:")]
    assert buttons
    stranger = await console.click(buttons[0]["custom_id"], message, ConsoleUser(id=999, name="stranger"))
    assert stranger and stranger[0].message.ephemeral and "Only the person who asked" in str(stranger[0].message.data)
    picked = await console.click(buttons[0]["custom_id"], message)
    assert picked and not picked[-1].message.ephemeral
    footer = picked[-1].message.data["embeds"][0]["footer"]["text"]
    assert footer.startswith("Read as: " + buttons[0]["label"][:40])
