"""Ordinary chat costs the bot almost nothing: no settings read, no detection, no task of its own."""

from __future__ import annotations

import asyncio
from unittest.mock import create_autospec

import pytest

from bot.discord.client import ClaimCheckBot
from bot.storage import GuildSettings, Storage
from tests.discord.fake_discord import GENERAL, GUILD_ID, is_reply_to

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


async def test_the_watcher_is_the_one_task_of_a_message(fake, start_bot):
    running = await start_bot()
    assert running.bot.on_message == running.bot.watcher.on_message
    assert "on_message" not in running.bot.extra_events  # no cog listener: no second task per message
    claim = await fake.post("kratom is totally harmless, no risks at all", channel=GENERAL)
    await fake.wait_for(is_reply_to(claim))


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
