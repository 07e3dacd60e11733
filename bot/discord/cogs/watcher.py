"""Watches server messages and answers kratom health claims (reply, alert, both or off)."""

from __future__ import annotations

import asyncio
import logging
import time
from dataclasses import replace
from typing import TYPE_CHECKING

import aiohttp
import discord
from discord.ext import commands

from bot.core.engine import CONTEXT_WINDOW
from bot.core.models import Conversation, Finding
from bot.discord.embeds import NO_PINGS, alert_embed, reply_embed
from bot.discord.flood import ClaimCooldown, ConversationBuffer, RateLimiter, RecentIds
from bot.discord.views import reply_view
from bot.storage import Detection, GuildSettings
from bot.storage.base import DetectionAction

if TYPE_CHECKING:
    from bot.discord.client import ClaimCheckBot

log = logging.getLogger(__name__)


def channel_chain(channel: discord.abc.GuildChannel | discord.Thread) -> list[int]:
    """The channel, its parent (for threads and forum posts) and its category."""
    ids = [channel.id]
    parent = getattr(channel, "parent", None)
    if parent is not None:
        ids.append(parent.id)
        channel = parent
    elif getattr(channel, "parent_id", None):
        ids.append(channel.parent_id)
    category_id = getattr(channel, "category_id", None)
    if category_id:
        ids.append(category_id)
    return ids


class Watcher(commands.Cog):
    """Reads every message in the servers, and owns what it remembers about them.

    Its memory (recent messages, cooldowns, reply caps, handled messages) is plain
    dictionaries keyed by channel, server or message id: every server belongs to one
    shard, so this is shard-local by construction, and a shard process restarted
    elsewhere starts with an empty memory of its servers, losing nothing else.

    Ordinary chat is nearly free: a message that cannot name kratom, in a channel
    whose last messages cannot either, costs one search of its folded text and its
    place in the buffer, before any normalising, settings or task of its own.
    """

    def __init__(self, bot: ClaimCheckBot) -> None:
        self.bot = bot
        self.engine = bot.engine
        self.conversations = ConversationBuffer(window=CONTEXT_WINDOW)
        self.cooldowns = ClaimCooldown()
        self.reply_caps = RateLimiter()
        self.handled = RecentIds()
        self._tasks: set[asyncio.Task] = set()
        self.messages_seen = 0  # read by the metrics at scrape time; a counter per message costs a lock

    async def cog_load(self) -> None:
        self.bot.message_sink = self.receive

    async def cog_unload(self) -> None:
        self.bot.message_sink = None

    # --- which messages --------------------------------------------------------------

    def _watched(self, message: discord.Message, settings: GuildSettings) -> bool:
        if not settings.watches(channel_chain(message.channel)):
            return False
        if not settings.ignored_roles:
            return True
        roles = getattr(message.author, "roles", [])
        return not any(role.id in settings.ignored_roles for role in roles)

    def _replied_to(self, message: discord.Message) -> tuple[str | None, bool]:
        """The text of the message this one replies to, and whether it might name kratom."""
        reference = message.reference
        if reference is None or not reference.message_id:
            return None, False
        remembered = self.conversations.get(message.channel.id, reference.message_id)
        if remembered is not None:
            return remembered.content, remembered.might_name_kratom
        resolved = reference.resolved
        if isinstance(resolved, discord.Message):
            return resolved.content, self.engine.might_name_kratom(resolved.content)
        return None, False

    def conversation_before(self, channel_id: int, message_id: int, replied_to: str | None = None) -> Conversation:
        """The remembered messages of the channel before ``message_id``, and the replied-to one."""
        return self.conversations.context(channel_id, message_id, replied_to)

    # --- events ----------------------------------------------------------------------

    def receive(self, message: discord.Message) -> None:
        """Take a new message as discord.py parses it, on the event loop and without a task.

        An ordinary message ends here, in its channel's buffer; a candidate gets a task
        of its own (``_handle``). Nothing raised here may reach discord.py's gateway reader.
        """
        try:
            if message.guild is None or message.author.bot or message.webhook_id is not None:
                return
            self.messages_seen += 1
            channel_id = message.channel.id
            content = message.content
            might_name = self.engine.might_name_kratom(content)
            candidate = might_name or self.conversations.recent_might_name_kratom(channel_id, message.id)
            replied_to = None
            if message.reference is not None:
                replied_to, reply_might_name = self._replied_to(message)
                candidate = candidate or reply_might_name
            if not candidate:
                self.conversations.add(channel_id, message.id, content, False)
                return
            context = self.conversation_before(channel_id, message.id, replied_to)
            self.conversations.add(channel_id, message.id, content, might_name)
        except Exception:
            log.exception("could not take message %s", getattr(message, "id", "?"))
            self.bot.metrics.errors.labels("event").inc()
            return
        task = asyncio.create_task(self._handle(message, context), name=f"claimcheck: message {message.id}")
        self._tasks.add(task)  # the loop keeps only a weak reference to a task
        task.add_done_callback(self._tasks.discard)

    async def _handle(self, message: discord.Message, context: Conversation) -> None:
        try:
            async with self.bot.handling() as active:
                if active:
                    await self._check(message, context)
        except Exception:
            await self.bot.on_error("on_message", message)  # logged and counted, as discord.py's own handlers

    @commands.Cog.listener()
    async def on_raw_message_edit(self, payload: discord.RawMessageUpdateEvent) -> None:
        async with self.bot.handling() as active:
            if active:
                await self._on_edit(payload)

    async def _check(self, message: discord.Message, context: Conversation) -> None:
        settings = self.bot.cached_settings(message.guild.id) or await self.bot.settings_for(message.guild.id)
        if not self._watched(message, settings) or not self.handled.add(message.id):
            return
        self.bot.metrics.candidates.inc()
        with self.bot.metrics.detection_seconds.time():
            findings = await self.bot.detect(message.content, context, settings)
        if findings:
            await self.act(message, findings, settings)

    async def _on_edit(self, payload: discord.RawMessageUpdateEvent) -> None:
        message = payload.message
        if "content" not in payload.data or message.guild is None or message.author.bot or message.webhook_id:
            return
        before = payload.cached_message.content if payload.cached_message else None
        if before == message.content:
            return  # an embed or flag update, not an edit of the text
        self.conversations.update(
            message.channel.id, message.id, message.content, self.engine.might_name_kratom(message.content)
        )
        settings = await self.bot.settings_for(message.guild.id)
        if not self._watched(message, settings):
            return
        replied_to, _ = self._replied_to(message)
        findings = await self.bot.detect(message.content, self.conversation_before(message.channel.id, message.id, replied_to), settings)
        previous = await self.bot.storage.latest_detection_for_message(message.id)
        if previous is not None and previous.reply_message_id:
            await self._update_reply(message, previous, findings)
        elif findings:
            self.handled.add(message.id)
            await self.act(message, findings, settings)

    # --- acting ----------------------------------------------------------------------

    async def act(self, message: discord.Message, findings: list[Finding], settings: GuildSettings) -> None:
        """Reply and/or alert, within the cooldown and the server's reply cap; record it all."""
        claims = tuple(str(f.claim) for f in findings)
        self._log_detection(message, findings, settings)
        detection = Detection(
            guild_id=message.guild.id,
            channel_id=message.channel.id,
            message_id=message.id,
            author_id=message.author.id,
            claim_ids=claims,
            rule_ids=tuple(f.rule_id for f in findings),
            action=DetectionAction.LOGGED,
            created_at=time.time(),
            message_text=message.content if settings.store_message_text else None,
        )
        fresh = self.cooldowns.fresh(message.channel.id, claims, settings.cooldown_seconds)
        if settings.action == "off":
            self.bot.storage.record_detection(detection)
            return
        if not fresh:
            self.bot.metrics.replies_suppressed.labels("cooldown").inc()
            self.bot.storage.record_detection(replace(detection, action=DetectionAction.COOLDOWN))
            return
        if not self.reply_caps.allow(message.guild.id, settings.replies_per_minute):
            log.info("reply cap reached in server %s; recording only", message.guild.id)
            self.bot.metrics.replies_suppressed.labels("cap").inc()
            self.bot.storage.record_detection(replace(detection, action=DetectionAction.RATE_LIMITED))
            return

        # Claim the cooldown before the first await, so that a second message
        # arriving while this reply is in flight does not get one too.
        self.cooldowns.mark(message.channel.id, fresh)
        shown = [f for f in findings if str(f.claim) in fresh]
        detection_id = await self.bot.storage.add_detection(detection)
        reply_id = alert_id = None
        if settings.action in ("reply", "both"):
            reply_id = await self._send_reply(message, shown, detection_id)
        if settings.action in ("alert", "both"):
            alert_id = await self._send_alert(message, findings, settings)
        action = {
            (True, True): DetectionAction.REPLIED_AND_ALERTED,
            (True, False): DetectionAction.REPLIED,
            (False, True): DetectionAction.ALERTED,
            (False, False): DetectionAction.FAILED,
        }[(reply_id is not None, alert_id is not None)]
        await self.bot.storage.update_detection(
            detection_id, action=action, reply_message_id=reply_id, alert_message_id=alert_id
        )
        if action == DetectionAction.FAILED:
            self.cooldowns.release(message.channel.id, fresh)

    def _log_detection(self, message: discord.Message, findings: list[Finding], settings: GuildSettings) -> None:
        """One line per detection, with the ids a log collector groups by; the text only if the server opted in."""
        claims = [str(f.claim) for f in findings]
        for finding in findings:
            self.bot.metrics.findings.labels(str(finding.claim)).inc()
        log.info(
            "claims %s in message %s, channel %s, server %s",
            ",".join(claims), message.id, message.channel.id, message.guild.id,
            extra={
                "guild_id": message.guild.id,
                "channel_id": message.channel.id,
                "shard_id": message.guild.shard_id,
                "claim_ids": claims,
                "rule_ids": [f.rule_id for f in findings],
                "message_text": message.content if settings.store_message_text else None,
            },
        )  # fmt: skip

    async def _send_reply(self, message: discord.Message, findings: list[Finding], detection_id: int) -> int | None:
        try:
            reply = await message.reply(
                embed=reply_embed(findings),
                view=reply_view(detection_id),
                mention_author=False,
                allowed_mentions=NO_PINGS,
            )
        except discord.Forbidden as exc:
            log.warning(
                "cannot reply in channel %s of server %s (missing permission: %s); carrying on",
                message.channel.id, message.guild.id, exc.text or exc.status,
            )  # fmt: skip
            self.bot.metrics.errors.labels("reply-forbidden").inc()
            return None
        except (discord.HTTPException, aiohttp.ClientError, TimeoutError) as exc:
            log.warning("reply to message %s failed: %s; carrying on", message.id, exc)
            self.bot.metrics.errors.labels("reply-failed").inc()
            return None
        self.bot.metrics.replies_sent.inc()
        return reply.id

    async def _send_alert(self, message: discord.Message, findings: list[Finding], settings: GuildSettings) -> int | None:
        channel = self.bot.get_channel(settings.log_channel_id) if settings.log_channel_id else None
        if channel is None or not hasattr(channel, "send"):
            log.warning("server %s has alerts on but no usable log channel", message.guild.id)
            return None
        try:
            sent = await channel.send(
                embed=alert_embed(findings, message, quote_text=settings.store_message_text), allowed_mentions=NO_PINGS
            )
        except (discord.HTTPException, aiohttp.ClientError, TimeoutError) as exc:
            log.warning("alert in log channel %s failed: %s; carrying on", channel.id, exc)
            self.bot.metrics.errors.labels("alert-failed").inc()
            return None
        return sent.id

    async def _update_reply(self, message: discord.Message, previous: Detection, findings: list[Finding]) -> None:
        """An edited message updates the reply it already has instead of getting another."""
        reply = message.channel.get_partial_message(previous.reply_message_id)
        try:
            if findings:
                await reply.edit(embed=reply_embed(findings), view=reply_view(previous.id), allowed_mentions=NO_PINGS)
                await self.bot.storage.update_detection(
                    previous.id,
                    claim_ids=tuple(str(f.claim) for f in findings),
                    rule_ids=tuple(f.rule_id for f in findings),
                )
            else:
                await reply.delete()
                await self.bot.storage.update_detection(previous.id, action=f"{previous.action}+retracted")
        except (discord.HTTPException, aiohttp.ClientError, TimeoutError) as exc:
            log.warning("could not update reply %s after an edit: %s", previous.reply_message_id, exc)


async def setup(bot: ClaimCheckBot) -> None:
    await bot.add_cog(Watcher(bot))
