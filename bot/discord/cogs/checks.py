"""Checks on request: /claimcheck for any text, and the "Check claims" message menu."""

from __future__ import annotations

from typing import TYPE_CHECKING

import discord
from discord import app_commands
from discord.ext import commands

from bot.core import wording
from bot.core.models import Conversation, Finding
from bot.discord.embeds import NO_PINGS, reply_embed

if TYPE_CHECKING:
    from bot.discord.client import ClaimCheckBot

MAX_TEXT = 4000


async def _answer(interaction: discord.Interaction, findings: list[Finding], *, public: bool) -> None:
    if findings:
        # Answers on request carry no buttons, so no "Why?" to point to.
        embed = reply_embed(findings, with_why_button=False)
        await interaction.response.send_message(embed=embed, ephemeral=not public, allowed_mentions=NO_PINGS)
    else:
        await interaction.response.send_message(wording.NOTHING_FOUND, ephemeral=True)


class Checks(commands.Cog):
    def __init__(self, bot: ClaimCheckBot) -> None:
        self.bot = bot
        self.menu = app_commands.ContextMenu(name=wording.MENU_NAME, callback=self.check_message)
        self.bot.tree.add_command(self.menu)

    async def cog_unload(self) -> None:
        self.bot.tree.remove_command(self.menu.name, type=self.menu.type)

    async def _settings(self, interaction: discord.Interaction):
        return await self.bot.settings_for(interaction.guild_id) if interaction.guild_id else None

    @app_commands.command(name="claimcheck", description=wording.COMMAND_DESCRIPTION)
    @app_commands.describe(text=wording.TEXT_OPTION, public=wording.PUBLIC_OPTION)
    async def claimcheck(self, interaction: discord.Interaction, text: app_commands.Range[str, 1, MAX_TEXT], public: bool = False) -> None:
        findings = await self.bot.detect(text, Conversation(), await self._settings(interaction))
        await _answer(interaction, findings, public=public)

    async def check_message(self, interaction: discord.Interaction, message: discord.Message) -> None:
        if not message.content.strip():
            await interaction.response.send_message(wording.NO_TEXT, ephemeral=True)
            return
        context = self.bot.watcher.conversation_before(message.channel.id, message.id)
        findings = await self.bot.detect(message.content, context, await self._settings(interaction))
        await _answer(interaction, findings, public=False)


async def setup(bot: ClaimCheckBot) -> None:
    await bot.add_cog(Checks(bot))
