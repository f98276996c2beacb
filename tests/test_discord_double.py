"""The double says no where Discord says no: otherwise the end-to-end tests would prove nothing."""

from __future__ import annotations

import io

import aiohttp
import discord
import pytest

from tests.discord_double import rules
from tests.discord_double.harness import MEMBER, db_settings, running_bot, until


def test_command_rules():
    good = {"name": "theme", "description": "Themes", "options": [{"type": 3, "name": "q", "description": "Q"}]}
    assert rules.check_commands([good]) == {}
    assert rules.check_commands([{**good, "name": "Theme"}])
    assert rules.check_commands([{**good, "description": ""}])
    assert rules.check_commands([{**good, "description": "x" * 101}])
    many = [{"type": 3, "name": f"o{i}", "description": "d"} for i in range(26)]
    assert rules.check_commands([{**good, "options": many}])
    choices = [{"name": f"c{i}", "value": i} for i in range(26)]
    assert rules.check_commands([{**good, "options": [{"type": 4, "name": "n", "description": "d", "choices": choices}]}])
    huge = [{"type": 1, "name": f"s{i}", "description": "d" * 100,
             "options": [{"type": 3, "name": f"o{j}", "description": "d" * 100} for j in range(10)]} for i in range(10)]
    assert "APPLICATION_COMMAND_TOO_LARGE" in str(rules.check_commands([{**good, "options": huge}]))
    assert rules.check_commands([good] * 101)


def test_message_rules():
    assert rules.check_message({"content": "hi", "embeds": [{"title": "t", "description": "d"}]}) == {}
    assert rules.check_message({"content": "x" * 2001})
    assert rules.check_message({"embeds": [{"title": "t" * 257}]})
    assert rules.check_message({"embeds": [{"description": "d" * 4097}]})
    assert rules.check_message({"embeds": [{"fields": [{"name": "n", "value": "v"}] * 26}]})
    assert rules.check_message({"embeds": [{"fields": [{"name": "n", "value": "v" * 1025}]}]})
    assert rules.check_message({"embeds": [{"footer": {"text": "f" * 2049}}]})
    assert rules.check_message({"embeds": [{"author": {"name": "a" * 257}}]})
    assert rules.check_message({"embeds": [{"description": "d" * 4000}, {"description": "d" * 2500}]})
    assert rules.check_message({"embeds": [{"title": "t"}] * 11})
    buttons = [{"type": 2, "label": "b", "custom_id": "c"}] * 6
    assert rules.check_message({"components": [{"type": 1, "components": buttons}]})
    assert rules.check_message({"components": [{"type": 1, "components": [{"type": 2, "label": "l" * 81, "custom_id": "c"}]}]})
    assert rules.check_message({"components": [{"type": 1, "components": [{"type": 2, "label": "l", "custom_id": "c" * 101}]}]})
    assert rules.check_message({"components": [{"type": 1, "components": []}]} | {"components": [{"type": 1}] * 6})
    assert rules.check_choices([{"name": "n", "value": "v"}] * 26)
    assert rules.mentions_allowed({"content": "@everyone"})
    assert not rules.mentions_allowed({"content": "@everyone", "allowed_mentions": {"parse": []}})


async def test_live_double_rejects_like_discord(double, db_url, tmp_path):
    async with running_bot(double, db_settings(db_url, tmp_path)) as running:
        channel = running.bot.get_channel(double.channel_ids[0])
        with pytest.raises(discord.HTTPException) as too_long:
            await channel.send("x" * 2001)
        assert too_long.value.status == 400 and too_long.value.code == 50035
        double.forbidden.add(double.channel_ids[1])
        with pytest.raises(discord.Forbidden) as forbidden:
            await running.bot.get_channel(double.channel_ids[1]).send("hello")
        assert forbidden.value.code == 50013
        double.rejections.clear()

        # a callback after three seconds is an unknown interaction
        interaction = await double.invoke(MEMBER, "sources", {})
        await interaction.answered()
        stale = await double.invoke(MEMBER, "sources", {})
        stale.created -= 5  # as if Discord had sent it five seconds ago
        async with aiohttp.ClientSession() as session:
            async with session.post(f"{double.base}/interactions/{stale.id}/{stale.token}/callback",
                                    json={"type": 4, "data": {"content": "late"}}) as response:
                body = await response.json()
        assert response.status == 404 and body["code"] == 10062
        await until(lambda: len(double.rejections) == 2, what="the bot's own late answer")  # it saw the interaction too
        assert {(r["path"].split("/")[-3], r["errors"]) for r in double.rejections} == {(str(stale.id), "late")}
        double.rejections.clear()


async def test_bad_sync_is_refused(double):
    commands = [{"name": "BadName", "description": "x", "type": 1}, {"name": "ok", "description": "", "type": 1}]
    async with aiohttp.ClientSession() as session:
        async with session.put(f"{double.base}/applications/{double.application_id}/commands", json=commands) as response:
            body = await response.json()
    assert response.status == 400 and body["code"] == 50035
    assert set(body["errors"]) == {"0", "1"}
    assert response.headers["Content-Type"] == "application/json"
    double.rejections.clear()


def test_file_rules():
    assert rules.check_files({"a.pdf": b"x" * 100}) is None
    status, body = rules.check_files({"a.pdf": b"x" * 101}, size_limit=100)
    assert status == 413 and body["code"] == 40005
    status, body = rules.check_files({f"{i}.txt": b"x" for i in range(11)})
    assert status == 400 and "files" in body["errors"]


async def test_live_double_refuses_files_over_the_attachment_limit(double, db_url, tmp_path):
    double.attachment_size_limit = 1000
    async with running_bot(double, db_settings(db_url, tmp_path)) as running:
        channel = running.bot.get_channel(double.channel_ids[0])
        with pytest.raises(discord.HTTPException) as too_large:
            await channel.send(file=discord.File(io.BytesIO(b"x" * 1001), filename="big.pdf"))
        assert too_large.value.status == 413 and too_large.value.code == 40005
        with pytest.raises(discord.HTTPException) as too_many:
            await channel.send(files=[discord.File(io.BytesIO(b"x"), filename=f"{i}.txt") for i in range(11)])
        assert too_many.value.status == 400
        message = await channel.send(file=discord.File(io.BytesIO(b"x" * 1000), filename="fits.pdf"))
        assert message.attachments[0].size == 1000
        double.rejections.clear()
