"""The ClaimCheck bot: a discord.py client holding the engine, storage and caches."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import AsyncIterator, Callable
from typing import TYPE_CHECKING

import discord
from discord import app_commands
from discord.ext import commands

from bot.core.batching import BatchedDetector
from bot.core.engine import Engine
from bot.core.engine_choice import RULES_AND_MODEL
from bot.core.hybrid import HybridEngine
from bot.core.learned import ClaimModel
from bot.core.models import Conversation, Finding
from bot.discord.embeds import NO_PINGS
from bot.discord.metrics import BotMetrics, MetricsServer
from bot.discord.views import DYNAMIC_ITEMS
from bot.storage import Detection, GuildSettings, Storage

if TYPE_CHECKING:
    from bot.discord.cogs.watcher import Watcher

log = logging.getLogger(__name__)

EXTENSIONS = ("bot.discord.cogs.watcher", "bot.discord.cogs.checks", "bot.discord.cogs.moderation")
RETENTION_SWEEP_SECONDS = 3600.0
SHUTDOWN_GRACE_SECONDS = 5.0


def intents() -> discord.Intents:
    """Guild messages with their content; no member list, no presences."""
    wanted = discord.Intents.none()
    wanted.guilds = True
    wanted.guild_messages = True
    wanted.message_content = True
    return wanted


class ClaimCheckBot(commands.AutoShardedBot):
    """The bot over an open ``storage``, which it closes when it closes.

    It runs the shards ``shard_ids`` of ``shard_count`` (all of them, as Discord
    recommends, when neither is given); in-memory state is kept per shard. With a
    ``model``, servers that choose ``rules+model`` (the default) have candidates
    read by it in a worker thread, never on the event loop.
    """

    def __init__(
        self,
        engine: Engine,
        storage: Storage,
        *,
        model: ClaimModel | None = None,
        retention_days: int = 90,
        sync_commands: bool = True,
        metrics_port: int | None = None,
        **options,
    ) -> None:
        # A text-only bot: discord.py's "PyNaCl/davey is not installed" voice warnings do not apply.
        discord.VoiceClient.warn_nacl = discord.VoiceClient.warn_dave = False
        super().__init__(
            command_prefix=commands.when_mentioned,
            intents=intents(),
            allowed_mentions=NO_PINGS,
            help_command=None,
            **options,
        )
        self.engine = engine
        self.detector = BatchedDetector(HybridEngine(engine, model)) if model is not None else None
        self.storage = storage
        self.retention_days = retention_days
        self.sync_commands = sync_commands
        self.rule_descriptions = {rule.id: rule.description for rule in engine.rules}
        self.metrics = BotMetrics()
        self.metrics.watch(self)
        self._metrics_server = MetricsServer(self, metrics_port) if metrics_port else None
        self._settings: dict[int, GuildSettings] = {}
        self._settings_loading: dict[int, asyncio.Task[GuildSettings]] = {}
        self._settings_lock = asyncio.Lock()
        self._retention_task: asyncio.Task | None = None
        self._in_flight = 0
        self._idle = asyncio.Event()
        self._idle.set()
        self._stopping = False
        self.message_sink: Callable[[discord.Message], None] | None = None  # set by the watcher cog

    def dispatch(self, event_name: str, /, *args, **kwargs) -> None:
        """discord.py's dispatch, except that a new message is handed straight to the watcher.

        discord.py starts a task for every message; the watcher instead takes each one
        on the event loop, as it is parsed, and starts a task only for a candidate, so
        ordinary chat costs one search and a buffer append. Should anything wait for
        messages (``wait_for``, a cog listener), discord.py's own dispatch runs as well.
        """
        if event_name == "message" and self.message_sink is not None:
            self.message_sink(*args)
            if not self._listeners.get("message") and "on_message" not in self.extra_events:
                return
        super().dispatch(event_name, *args, **kwargs)

    async def on_message(self, message: discord.Message) -> None:
        """No prefix commands: the watcher sees every message (``dispatch``), nothing else is to do."""

    async def setup_hook(self) -> None:
        self.add_dynamic_items(*DYNAMIC_ITEMS)
        self.tree.on_error = self.on_app_command_error
        for extension in EXTENSIONS:
            await self.load_extension(extension)
        if self.sync_commands:
            synced = await self.tree.sync()
            log.info("synced %d application commands", len(synced))
        if self._metrics_server is not None:
            await self._metrics_server.start()
        self._retention_task = asyncio.create_task(self._enforce_retention(), name="claimcheck-retention")

    @contextlib.asynccontextmanager
    async def handling(self) -> AsyncIterator[bool]:
        """Wrap event handling; yields False once shutdown has begun (then do nothing)."""
        if self._stopping:
            yield False
            return
        self._in_flight += 1
        self._idle.clear()
        try:
            yield True
        finally:
            self._in_flight -= 1
            if self._in_flight == 0:
                self._idle.set()

    async def close(self) -> None:
        """Finish the messages being handled (briefly), then disconnect, then close storage."""
        self._stopping = True
        if self._retention_task is not None:
            self._retention_task.cancel()
        try:
            await asyncio.wait_for(self._idle.wait(), SHUTDOWN_GRACE_SECONDS)
        except TimeoutError:
            log.warning("shutting down with %d messages still being handled", self._in_flight)
        await super().close()
        if self.detector is not None:
            self.detector.close()
        if self._metrics_server is not None:
            await self._metrics_server.stop()
        await self.storage.close()

    async def on_app_command_error(self, interaction: discord.Interaction, error: app_commands.AppCommandError) -> None:
        if isinstance(error, app_commands.CheckFailure):
            text = str(error) or "You cannot use this command here."
        else:
            command = interaction.command.qualified_name if interaction.command else "?"
            log.error("command %s failed", command, exc_info=error)
            self.metrics.errors.labels("command").inc()
            text = "Something went wrong; the bot's log has the details."
        if interaction.response.is_done():
            await interaction.followup.send(text, ephemeral=True)
        else:
            await interaction.response.send_message(text, ephemeral=True)

    async def on_error(self, event_method: str, /, *args, **kwargs) -> None:
        self.metrics.errors.labels("event").inc()
        await super().on_error(event_method, *args, **kwargs)

    async def on_ready(self) -> None:
        log.info("connected as %s to %d servers on shards %s", self.user, len(self.guilds), sorted(self.shards))

    @property
    def watcher(self) -> Watcher:
        return self.get_cog("Watcher")

    # --- settings ---------------------------------------------------------------------

    def cached_settings(self, guild_id: int) -> GuildSettings | None:
        """The server's settings if they are in memory: the per-message path never waits on the database."""
        return self._settings.get(guild_id)

    async def settings_for(self, guild_id: int) -> GuildSettings:
        """The server's settings, read from storage once and then kept until they change.

        Concurrent first messages of a server share one read instead of each making their own.
        """
        cached = self._settings.get(guild_id)
        if cached is not None:
            return cached
        loading = self._settings_loading.get(guild_id)
        if loading is None:
            loading = self._settings_loading[guild_id] = asyncio.create_task(self._load_settings(guild_id))
        return await asyncio.shield(loading)

    async def _load_settings(self, guild_id: int) -> GuildSettings:
        try:
            settings = await self.storage.get_settings(guild_id)
            self._settings.setdefault(guild_id, settings)
            return self._settings[guild_id]
        finally:
            del self._settings_loading[guild_id]

    async def update_settings(self, guild_id: int, change: Callable[[GuildSettings], None]) -> GuildSettings:
        """Apply ``change`` to a copy, validate, store, then cache. Raises ValueError if invalid."""
        async with self._settings_lock:
            current = await self.settings_for(guild_id)
            updated = current.model_copy(deep=True)
            change(updated)
            updated = GuildSettings.model_validate(updated.model_dump())
            await self.storage.save_settings(updated)
            self._settings[guild_id] = updated
            return updated

    def forget_settings(self, guild_id: int) -> None:
        self._settings.pop(guild_id, None)

    # --- detection ----------------------------------------------------------------------

    async def detect(self, text: str, conversation: Conversation, settings: GuildSettings | None = None) -> list[Finding]:
        """The claims in ``text``, by the server's engine and with its claims and rules turned off."""
        disabled_claims = frozenset(settings.disabled_claims) if settings else frozenset()
        disabled_rules = frozenset(settings.disabled_rules) if settings else frozenset()
        use_model = self.detector is not None and (settings is None or settings.engine == RULES_AND_MODEL)
        if not use_model:
            return self.engine.detect(text, conversation, disabled_claims=disabled_claims, disabled_rules=disabled_rules)
        return await self.detector.detect(
            text, conversation, use_model=True, disabled_claims=disabled_claims, disabled_rules=disabled_rules
        )

    async def explain_detection(self, detection: Detection) -> tuple[list[Finding], dict[str, list[tuple[str, float]]]]:
        """Each finding with, for the model's, the words that drove it: detection runs again
        on the message (one fetch, on request only)."""
        message = discord.utils.get(self.cached_messages, id=detection.message_id)
        if message is None:
            channel = self.get_channel(detection.channel_id)
            if channel is None or not hasattr(channel, "fetch_message"):
                return [], {}
            try:
                message = await channel.fetch_message(detection.message_id)
            except discord.HTTPException:
                return [], {}
        context = self.watcher.conversation_before(message.channel.id, message.id)
        settings = await self.settings_for(detection.guild_id)
        findings = await self.detect(message.content, context, settings)
        findings = [f for f in findings if f.rule_id in detection.rule_ids] or findings
        drivers = {}
        for finding in findings:
            if finding.basis == "model" and self.detector is not None:
                claim = str(finding.claim)
                drivers[claim] = await self.detector.run_in_worker(self.detector.hybrid.drivers, message.content, context, claim)
        return findings, drivers

    async def count_not_a_claim(self, detection_id: int) -> None:
        detection = await self.storage.get_detection(detection_id)
        for claim in detection.claim_ids if detection else ():
            self.metrics.not_a_claim.labels(claim).inc()

    # --- retention ----------------------------------------------------------------------

    async def _enforce_retention(self) -> None:
        while True:
            try:
                cutoff = time.time() - self.retention_days * 86400
                removed = await self.storage.purge_older_than(cutoff)
                if removed:
                    log.info("retention: removed %d detections older than %d days", removed, self.retention_days)
            except Exception:  # keep the sweep alive; the next run retries
                log.exception("retention sweep failed")
            await asyncio.sleep(RETENTION_SWEEP_SECONDS)
