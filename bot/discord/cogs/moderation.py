"""Moderator commands (/claimcheck-admin ...): settings, scope, stats and purges.

Hidden from members without Manage Server through default permissions, and
checked again here, because server admins can override command permissions.
"""

from __future__ import annotations

import time
from typing import TYPE_CHECKING, Literal

import discord
from discord import app_commands
from discord.ext import commands

from bot.core.claims import ClaimId
from bot.discord.embeds import NO_PINGS
from bot.storage.base import MAX_COOLDOWN_SECONDS, MAX_REPLIES_PER_MINUTE, GuildSettings

if TYPE_CHECKING:
    from bot.discord.client import ClaimCheckBot

MAX_STATS_DAYS = 3650
ChannelLike = discord.TextChannel | discord.ForumChannel | discord.CategoryChannel | discord.Thread


class NotAModerator(app_commands.CheckFailure):
    pass


def describe(settings: GuildSettings) -> str:
    def channels(ids: set[int]) -> str:
        return ", ".join(f"<#{i}>" for i in sorted(ids)) or "none"

    scope = "all channels" if settings.watch_all_channels else f"only {channels(settings.watched_channels)}"
    return "\n".join(
        [
            f"**Action:** `{settings.action}`",
            f"**Log channel:** {f'<#{settings.log_channel_id}>' if settings.log_channel_id else 'not set'}",
            f"**Cooldown per claim and channel:** {settings.cooldown_seconds // 60} min",
            f"**Reply cap:** {settings.replies_per_minute} per minute",
            f"**Watching:** {scope}; ignoring {channels(settings.ignored_channels)}",
            f"**Ignored roles:** {', '.join(f'<@&{r}>' for r in sorted(settings.ignored_roles)) or 'none'}",
            f"**Disabled claims:** {', '.join(sorted(settings.disabled_claims)) or 'none'}",
            f"**Disabled rules:** {', '.join(sorted(settings.disabled_rules)) or 'none'}",
            f"**Store message text:** {'yes' if settings.store_message_text else 'no'}",
            f"**Engine:** `{settings.engine}`",
        ]
    )


class Moderation(commands.Cog):
    admin = app_commands.Group(
        name="claimcheck-admin",
        description="ClaimCheck settings for this server (Manage Server)",
        default_permissions=discord.Permissions(manage_guild=True),
        guild_only=True,
    )

    def __init__(self, bot: ClaimCheckBot) -> None:
        self.bot = bot

    async def interaction_check(self, interaction: discord.Interaction) -> bool:
        if interaction.guild_id is None or not interaction.permissions.manage_guild:
            raise NotAModerator("Only members with the Manage Server permission can change ClaimCheck settings.")
        return True

    async def _reply(self, interaction: discord.Interaction, text: str) -> None:
        await interaction.response.send_message(text, ephemeral=True, allowed_mentions=NO_PINGS)

    async def _change(self, interaction: discord.Interaction, change, done: str) -> None:
        settings = await self.bot.update_settings(interaction.guild_id, change)
        await self._reply(interaction, f"{done}\n\n{describe(settings)}")

    # --- settings -----------------------------------------------------------------------

    @admin.command(name="settings", description="Show ClaimCheck's settings for this server")
    async def show(self, interaction: discord.Interaction) -> None:
        await self._reply(interaction, describe(await self.bot.settings_for(interaction.guild_id)))

    @admin.command(name="action", description="What to do about a claim: reply, alert moderators, both, or off")
    @app_commands.describe(value="reply (default), alert (log channel only), both, or off (only on request)")
    async def action(self, interaction: discord.Interaction, value: Literal["reply", "alert", "both", "off"]) -> None:
        current = await self.bot.settings_for(interaction.guild_id)
        if value in ("alert", "both") and not current.log_channel_id:
            await self._reply(interaction, f"Set a log channel first (`/claimcheck-admin log-channel`), then choose `{value}`.")
            return
        await self._change(interaction, lambda s: setattr(s, "action", value), f"Action set to `{value}`.")

    @admin.command(name="log-channel", description="The channel where moderator alerts go")
    @app_commands.describe(channel="Leave empty to clear")
    async def log_channel(self, interaction: discord.Interaction, channel: discord.TextChannel | None = None) -> None:
        def change(s: GuildSettings) -> None:
            s.log_channel_id = channel.id if channel else None
            if channel is None and s.action in ("alert", "both"):
                s.action = "reply"

        await self._change(interaction, change, f"Log channel {'set to ' + channel.mention if channel else 'cleared'}.")

    @admin.command(name="cooldown", description="Minutes before the same claim is answered again in a channel")
    async def cooldown(self, interaction: discord.Interaction, minutes: int) -> None:
        if not 0 <= minutes <= MAX_COOLDOWN_SECONDS // 60:
            await self._reply(interaction, f"The cooldown must be between 0 and {MAX_COOLDOWN_SECONDS // 60} minutes.")
            return
        await self._change(interaction, lambda s: setattr(s, "cooldown_seconds", minutes * 60), f"Cooldown set to {minutes} min.")

    @admin.command(name="reply-cap", description="Most replies the bot posts in this server per minute")
    async def reply_cap(self, interaction: discord.Interaction, per_minute: int) -> None:
        if not 1 <= per_minute <= MAX_REPLIES_PER_MINUTE:
            await self._reply(interaction, f"The reply cap must be between 1 and {MAX_REPLIES_PER_MINUTE} per minute.")
            return
        await self._change(
            interaction, lambda s: setattr(s, "replies_per_minute", per_minute), f"Reply cap set to {per_minute}/min."
        )

    @admin.command(name="engine", description="Detect with the rules alone, or with rules and the learned model (default)")
    async def engine(self, interaction: discord.Interaction, value: Literal["rules", "rules+model"]) -> None:
        note = "" if value == "rules" or self.bot.detector is not None else " (this bot runs without the model, so rules only)"
        await self._change(interaction, lambda s: setattr(s, "engine", value), f"Engine: `{value}`{note}.")

    @admin.command(name="store-text", description="Keep the text of flagged messages in the audit log (off by default)")
    async def store_text(self, interaction: discord.Interaction, enabled: bool) -> None:
        await self._change(
            interaction, lambda s: setattr(s, "store_message_text", enabled), f"Storing message text: {'on' if enabled else 'off'}."
        )

    # --- scope --------------------------------------------------------------------------

    @admin.command(name="watch-all", description="Watch every channel (on) or only the channels you add (off)")
    async def watch_all(self, interaction: discord.Interaction, enabled: bool) -> None:
        await self._change(
            interaction,
            lambda s: setattr(s, "watch_all_channels", enabled),
            "Watching all channels." if enabled else "Watching only the channels on the watch list.",
        )

    @admin.command(name="channel", description="Watch or ignore a channel, category, forum or thread")
    @app_commands.describe(mode="watch (add to the watch list), ignore, or default (remove from both lists)")
    async def channel(self, interaction: discord.Interaction, channel: ChannelLike, mode: Literal["watch", "ignore", "default"]) -> None:
        def change(s: GuildSettings) -> None:
            s.watched_channels.discard(channel.id)
            s.ignored_channels.discard(channel.id)
            if mode == "watch":
                s.watched_channels.add(channel.id)
            elif mode == "ignore":
                s.ignored_channels.add(channel.id)

        await self._change(interaction, change, f"{channel.mention}: {mode}.")

    @admin.command(name="role", description="Ignore messages from members with a role (or stop ignoring it)")
    async def role(self, interaction: discord.Interaction, role: discord.Role, mode: Literal["ignore", "default"]) -> None:
        def change(s: GuildSettings) -> None:
            (s.ignored_roles.add if mode == "ignore" else s.ignored_roles.discard)(role.id)

        await self._change(interaction, change, f"{role.mention}: {mode}.")

    @admin.command(name="claim", description="Turn one claim id on or off for this server")
    @app_commands.choices(claim_id=[app_commands.Choice(name=str(c), value=str(c)) for c in ClaimId])
    async def claim(self, interaction: discord.Interaction, claim_id: str, enabled: bool) -> None:
        if claim_id not in {str(c) for c in ClaimId}:
            await self._reply(interaction, "Unknown claim id. Allowed: " + ", ".join(str(c) for c in ClaimId))
            return

        def change(s: GuildSettings) -> None:
            (s.disabled_claims.discard if enabled else s.disabled_claims.add)(ClaimId(claim_id))

        await self._change(interaction, change, f"Claim `{claim_id}` {'enabled' if enabled else 'disabled'}.")

    @admin.command(name="rule", description="Turn one rule on or off for this server")
    async def rule(self, interaction: discord.Interaction, rule_id: str, enabled: bool) -> None:
        if rule_id not in self.bot.rule_descriptions:
            await self._reply(interaction, "Unknown rule id. Allowed: " + ", ".join(sorted(self.bot.rule_descriptions)))
            return

        def change(s: GuildSettings) -> None:
            (s.disabled_rules.discard if enabled else s.disabled_rules.add)(rule_id)

        await self._change(interaction, change, f"Rule `{rule_id}` {'enabled' if enabled else 'disabled'}.")

    @rule.autocomplete("rule_id")
    async def _rule_ids(self, interaction: discord.Interaction, current: str) -> list[app_commands.Choice[str]]:
        return [app_commands.Choice(name=r, value=r) for r in sorted(self.bot.rule_descriptions) if current.lower() in r][:25]

    # --- audit --------------------------------------------------------------------------

    @admin.command(name="stats", description="Detections and false-positive reports per claim id")
    async def stats(self, interaction: discord.Interaction, days: int = 30) -> None:
        if not 1 <= days <= MAX_STATS_DAYS:
            await self._reply(interaction, f"Days must be between 1 and {MAX_STATS_DAYS}.")
            return
        counts = await self.bot.storage.stats(interaction.guild_id, time.time() - days * 86400)
        if not counts:
            await self._reply(interaction, f"No detections in the last {days} days.")
            return
        lines = [f"Last {days} days (detections / 'Not a claim' reports):", "```"]
        for claim, (detections, reports) in sorted(counts.items(), key=lambda item: -item[1][0]):
            lines.append(f"{claim:<22}{detections:>6}{reports:>6}")
        lines.append("```")
        await self._reply(interaction, "\n".join(lines))

    @admin.command(name="purge-member", description="Delete everything stored about one member in this server")
    async def purge_member(self, interaction: discord.Interaction, member: discord.User) -> None:
        removed = await self.bot.storage.purge_member(interaction.guild_id, member.id)
        await self._reply(interaction, f"Removed {removed} stored records about {member.mention}.")

    @admin.command(name="purge-all", description="Delete everything ClaimCheck stores for this server, settings included")
    @app_commands.describe(confirm="Must be true: this cannot be undone")
    async def purge_all(self, interaction: discord.Interaction, confirm: bool) -> None:
        if not confirm:
            await self._reply(interaction, "Nothing removed: set `confirm` to true to delete all stored data for this server.")
            return
        removed = await self.bot.storage.purge_guild(interaction.guild_id)
        self.bot.forget_settings(interaction.guild_id)
        await self._reply(interaction, f"Removed {removed} detections and reset this server's settings.")


async def setup(bot: ClaimCheckBot) -> None:
    await bot.add_cog(Moderation(bot))
