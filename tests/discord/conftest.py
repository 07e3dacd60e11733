"""Fixtures that run the real ClaimCheck bot against the fake Discord on loopback."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from pathlib import Path

import discord
import pytest
import pytest_asyncio
import yarl

from bot.core.engine import Engine
from bot.discord.client import ClaimCheckBot
from bot.storage import SQLiteStorage
from tests.discord.fake_discord import FakeDiscord

READY_TIMEOUT = 10.0


@pytest.fixture(scope="session")
def shared_engine() -> Engine:
    return Engine.load()


@pytest_asyncio.fixture
async def fake(monkeypatch) -> FakeDiscord:
    server = FakeDiscord()
    await server.start()
    monkeypatch.setattr(discord.http.Route, "BASE", server.api_base)
    monkeypatch.setattr(discord.gateway.DiscordWebSocket, "DEFAULT_GATEWAY", yarl.URL(server.gateway_url))
    yield server
    await server.stop()


class RunningBot:
    """A started bot, its connection task, and the errors its handlers swallowed."""

    def __init__(self, bot: ClaimCheckBot, task: asyncio.Task, errors: list) -> None:
        self.bot = bot
        self.task = task
        self.errors = errors

    async def stop(self) -> None:
        await self.bot.close()
        with contextlib.suppress(asyncio.CancelledError):
            await asyncio.wait_for(self.task, 5)


@pytest_asyncio.fixture
async def start_bot(fake: FakeDiscord, shared_engine: Engine, tmp_path: Path):
    """Call ``await start_bot()`` (optionally with a database path) to get a ready bot."""
    running: list[RunningBot] = []

    async def start(database: Path | None = None, token: str | None = None, **options) -> RunningBot:
        storage = SQLiteStorage(database or tmp_path / "claimcheck.db")
        await storage.open()
        bot = ClaimCheckBot(shared_engine, storage, guild_ready_timeout=0.1, **options)
        errors: list = []

        async def record_event_error(event, *args, **kwargs):
            import sys

            errors.append((event, sys.exc_info()[1]))

        bot.on_error = record_event_error
        original_tree_error = bot.on_app_command_error

        async def record_tree_error(interaction, error):
            if not isinstance(error, discord.app_commands.CheckFailure):
                errors.append(("app_command", error))
            await original_tree_error(interaction, error)

        await bot.login(token or fake.valid_token)
        bot.tree.on_error = record_tree_error
        task = asyncio.create_task(bot.connect(reconnect=False))
        ready = asyncio.create_task(bot.wait_until_ready())
        done, _ = await asyncio.wait({task, ready}, timeout=READY_TIMEOUT, return_when=asyncio.FIRST_COMPLETED)
        if task in done:
            ready.cancel()
            task.result()  # raise what killed the connection
        assert ready in done, "the bot did not become ready"
        handle = RunningBot(bot, task, errors)
        running.append(handle)
        return handle

    yield start
    for handle in running:
        if not handle.bot.is_closed():
            await handle.stop()
    for handle in running:
        assert not handle.errors, f"errors inside the bot: {handle.errors}"


@pytest.fixture(autouse=True)
def _quiet_discord_logs(caplog):
    caplog.set_level(logging.WARNING, logger="discord")
