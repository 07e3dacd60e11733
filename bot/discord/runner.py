"""``claimcheck run``: settings, start-up checks with one clear line each, and the bot."""

from __future__ import annotations

import asyncio
import signal
import sys

import aiohttp
import discord
import yarl
from pydantic import ValidationError

from bot.core.engine import Engine
from bot.core.learned import ClaimModel, ModelFileError
from bot.core.ruleset import load_ruleset
from bot.core.yamlfile import RuleFileError
from bot.discord.client import ClaimCheckBot
from bot.logs import configure_logging, describe_connection_error
from bot.settings import BotSettings
from bot.storage import StorageError, storage_for

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
        message = error["msg"].removeprefix("Value error, ")
        if not error["loc"]:  # a check across settings names them itself
            problems.append(message)
        elif error["type"] == "missing":
            problems.append(f"{error['loc'][0]} is not set (put it in the environment or in a .env file)")
        else:
            problems.append(f"{error['loc'][0]}: {message}")
    return "; ".join(problems)


def point_at(settings: BotSettings) -> None:
    """Send REST and gateway traffic where the settings say (a proxy, or a test server)."""
    discord.http.Route.BASE = settings.discord_api_base
    discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY = yarl.URL(settings.discord_gateway_url)


class StartupError(Exception):
    """A start-up failure to print as one line; ``code`` is the exit code."""

    def __init__(self, message: str, code: int) -> None:
        super().__init__(message)
        self.code = code


async def _serve(settings: BotSettings, engine: Engine, model: ClaimModel | None) -> None:
    """Open the database, log in, then run until closed (SIGTERM and SIGINT close the bot)."""
    storage = storage_for(settings.database)
    try:
        await storage.open()
    except StorageError as exc:
        raise StartupError(f"{exc} (CLAIMCHECK_DATABASE)", EXIT_CONFIG) from None
    bot = ClaimCheckBot(
        engine,
        storage,
        model=model,
        retention_days=settings.retention_days,
        sync_commands=settings.sync_commands,
        shard_count=settings.shard_count,
        shard_ids=settings.shard_ids,
        metrics_port=settings.metrics_port,
    )
    loop = asyncio.get_running_loop()
    for signame in ("SIGTERM", "SIGINT"):
        if hasattr(signal, signame):
            loop.add_signal_handler(getattr(signal, signame), lambda: asyncio.ensure_future(bot.close()))
    async with bot:
        try:
            await bot.login(settings.discord_token.get_secret_value())
        except aiohttp.ClientConnectorError as exc:
            raise StartupError(
                f"cannot reach Discord at {settings.discord_api_base}: {describe_connection_error(exc)}; "
                "check the network connection, DNS, firewall or proxy, and DISCORD_API_BASE",
                EXIT_DISCORD,
            ) from None
        await bot.connect()


def run_bot(extra_rules_dirs: list | None = None) -> int:
    """Start the bot; returns the process exit code. ``extra_rules_dirs`` add to CLAIMCHECK_RULES_DIRS."""
    try:
        settings = BotSettings()
    except ValidationError as exc:
        return _fail(_settings_problem(exc), EXIT_CONFIG)
    configure_logging(settings.log_level, settings.log_format)

    try:
        engine = Engine(load_ruleset([*settings.rules_dirs, *(extra_rules_dirs or [])]))
    except RuleFileError as exc:
        return _fail(f"broken rule file: {exc}", EXIT_CONFIG)
    engine.warm_up()  # the first long messages of a fresh engine would otherwise build the RE2 DFAs

    model = None
    if settings.engine == "rules+model":
        try:
            model = ClaimModel(threads=1)  # one thread: the other core stays with the gateway
        except ModelFileError as exc:
            return _fail(f"{exc} (or set CLAIMCHECK_ENGINE=rules)", EXIT_CONFIG)

    point_at(settings)
    try:
        asyncio.run(_serve(settings, engine, model))
    except StartupError as exc:
        return _fail(str(exc), exc.code)
    except discord.LoginFailure:
        return _fail("Discord rejected the token in DISCORD_TOKEN; copy it again from the Developer Portal (Bot > Reset Token)", EXIT_DISCORD)
    except discord.PrivilegedIntentsRequired:
        return _fail(ENABLE_INTENT_HELP, EXIT_DISCORD)
    except KeyboardInterrupt:
        pass
    return 0
