"""``claimcheck run``: settings, start-up checks with one clear line each, and the bot."""

from __future__ import annotations

import asyncio
import logging
import signal
import sys

import discord
import yarl
from pydantic import ValidationError

from bot.core.engine import Engine
from bot.core.ruleset import load_ruleset
from bot.core.yamlfile import RuleFileError
from bot.discord.client import ClaimCheckBot
from bot.settings import BotSettings
from bot.storage import SQLiteStorage, StorageError

log = logging.getLogger("claimcheck")

EXIT_CONFIG = 2
EXIT_DISCORD = 3

ENABLE_INTENT_HELP = (
    "the Message Content intent is not enabled for this bot. Open the Discord Developer Portal "
    "(https://discord.com/developers/applications), choose the application, go to Bot > Privileged "
    "Gateway Intents, switch on MESSAGE CONTENT INTENT, save, and start ClaimCheck again"
)


def _fail(message: str, code: int) -> int:
    print(f"claimcheck: error: {message}", file=sys.stderr)
    return code


def _settings_problem(exc: ValidationError) -> str:
    problems = []
    for error in exc.errors(include_url=False):
        name = str(error["loc"][0]) if error["loc"] else "setting"
        if error["type"] == "missing":
            problems.append(f"{name} is not set (put it in the environment or in a .env file)")
        else:
            problems.append(f"{name}: {error['msg']}")
    return "; ".join(problems)


def point_at(settings: BotSettings) -> None:
    """Send REST and gateway traffic where the settings say (a proxy, or a test server)."""
    discord.http.Route.BASE = settings.discord_api_base
    discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY = yarl.URL(settings.discord_gateway_url)


async def _check_database(storage: SQLiteStorage) -> None:
    await storage.open()
    await storage.close()


async def _serve(bot: ClaimCheckBot, token: str) -> None:
    loop = asyncio.get_running_loop()
    for signame in ("SIGTERM", "SIGINT"):
        if hasattr(signal, signame):
            loop.add_signal_handler(getattr(signal, signame), lambda: asyncio.ensure_future(bot.close()))
    async with bot:
        await bot.start(token)


def run_bot(extra_rules_dirs: list | None = None) -> int:
    """Start the bot; returns the process exit code. ``extra_rules_dirs`` add to CLAIMCHECK_RULES_DIRS."""
    try:
        settings = BotSettings()
    except ValidationError as exc:
        return _fail(_settings_problem(exc), EXIT_CONFIG)
    logging.basicConfig(level=settings.log_level, format="%(asctime)s %(levelname)s %(name)s: %(message)s")

    try:
        engine = Engine(load_ruleset([*settings.rules_dirs, *(extra_rules_dirs or [])]))
    except RuleFileError as exc:
        return _fail(f"broken rule file: {exc}", EXIT_CONFIG)
    storage = SQLiteStorage(settings.database_path)
    try:
        asyncio.run(_check_database(storage))
    except StorageError as exc:
        return _fail(f"{exc} (set CLAIMCHECK_DATABASE to a writable path)", EXIT_CONFIG)

    point_at(settings)
    bot = ClaimCheckBot(engine, storage, retention_days=settings.retention_days, sync_commands=settings.sync_commands)
    try:
        asyncio.run(_serve(bot, settings.discord_token.get_secret_value()))
    except discord.LoginFailure:
        return _fail("Discord rejected the token in DISCORD_TOKEN; copy it again from the Developer Portal (Bot > Reset Token)", EXIT_DISCORD)
    except discord.PrivilegedIntentsRequired:
        return _fail(ENABLE_INTENT_HELP, EXIT_DISCORD)
    except StorageError as exc:
        return _fail(str(exc), EXIT_CONFIG)
    except KeyboardInterrupt:
        pass
    return 0
