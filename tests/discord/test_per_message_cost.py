"""Ordinary chat costs the bot almost nothing: no settings read, no detection, no task of its own."""

from __future__ import annotations

import asyncio
from unittest.mock import create_autospec

import pytest

from bot.discord.client import ClaimCheckBot
from bot.storage import GuildSettings, Storage
from tests.discord.fake_discord import GENERAL, GUILD_ID, MEMBER, is_reply_to

pytestmark = pytest.mark.asyncio


async def test_ordinary_chat_reads_no_settings_and_reaches_no_engine(fake, start_bot):
    running = await start_bot()
    bot = running.bot
    reads = []
    get_settings = bot.storage.get_settings

    async def counting(guild_id):
        reads.append(guild_id)
        return await get_settings(guild_id)

    bot.storage.get_settings = counting
    bot.forget_settings(GUILD_ID)
    for text in ["good morning all", "anyone watching the game?", "my back is bad today 😩", "**bold** and ||spoiler||"]:
        await fake.post(text)
    claim = await fake.post("kratom is totally harmless, no risks at all")
    await fake.wait_for(is_reply_to(claim))
    assert bot.watcher.messages_seen == 5
    assert bot.metrics.candidates._value.get() == 1  # only the kratom message reached the engine
    assert reads == [GUILD_ID]  # once, for that candidate


def parse_message(fake, bot, text: str) -> dict:
    """Hand discord.py's own MESSAGE_CREATE parser a gateway payload, as its websocket reader does."""
    payload = fake.message_payload(GENERAL, MEMBER, text)
    fake.messages[int(payload["id"])] = payload
    bot._connection.parsers["MESSAGE_CREATE"](payload)
    return payload


async def test_ordinary_chat_starts_no_task_and_a_candidate_one(fake, start_bot):
    running = await start_bot()
    bot = running.bot
    assert bot.message_sink == bot.watcher.receive
    assert "on_message" not in bot.extra_events  # no cog listener: no second task per message
    before = asyncio.all_tasks()
    for text in ["good morning all", "anyone watching the game?", "my back is bad today 😩"]:
        parse_message(fake, bot, text)
    assert asyncio.all_tasks() == before and bot.watcher.messages_seen == 3
    claim = parse_message(fake, bot, "kratom is totally harmless, no risks at all")
    started = asyncio.all_tasks() - before
    assert [task.get_name() for task in started] == [f"claimcheck: message {claim['id']}"]
    await fake.wait_for(is_reply_to(claim))


async def test_waiting_for_a_message_still_works(fake, start_bot):
    running = await start_bot()
    waiting = asyncio.create_task(running.bot.wait_for("message", check=lambda m: m.content == "ping", timeout=10))
    await asyncio.sleep(0)
    await fake.post("ping")
    assert (await waiting).content == "ping"
    claim = await fake.post("kratom is totally harmless, no risks at all")
    await fake.wait_for(is_reply_to(claim))  # the watcher still saw it too


async def test_a_failure_while_taking_a_message_never_reaches_the_gateway_reader(fake, start_bot, monkeypatch):
    running = await start_bot()
    bot = running.bot

    def broken(text):
        raise RuntimeError("boom")

    with monkeypatch.context() as patch:
        patch.setattr(bot.watcher.engine, "might_name_kratom", broken)
        parse_message(fake, bot, "good morning all")  # raises nothing
    assert bot.metrics.errors.labels("event")._value.get() == 1
    claim = await fake.post("kratom is totally harmless, no risks at all")
    await fake.wait_for(is_reply_to(claim))  # the connection is still up


async def test_concurrent_first_messages_of_a_server_share_one_settings_read(engine):
    storage = create_autospec(Storage, instance=True)
    reads = []

    async def get_settings(guild_id: int) -> GuildSettings:
        reads.append(guild_id)
        await asyncio.sleep(0.01)
        return GuildSettings(guild_id=guild_id)

    storage.get_settings.side_effect = get_settings
    bot = ClaimCheckBot(engine, storage, sync_commands=False)
    assert bot.cached_settings(5) is None
    results = await asyncio.gather(*(bot.settings_for(5) for _ in range(50)))
    assert reads == [5]
    assert all(result is results[0] for result in results) and bot.cached_settings(5) is results[0]
    await bot.update_settings(5, lambda s: setattr(s, "cooldown_seconds", 30))
    assert bot.cached_settings(5).cooldown_seconds == 30 and reads == [5]  # a change updates the cache
