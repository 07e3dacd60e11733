"""Buttons under a reply. They carry the detection id in their custom_id, so they
keep working after the bot restarts (discord.py DynamicItem, no stored view state)."""

from __future__ import annotations

import logging
import re
from typing import TYPE_CHECKING, Any

import discord

from bot.discord.embeds import explanation
from bot.storage import FalsePositiveResult

if TYPE_CHECKING:
    from bot.discord.client import ClaimCheckBot

log = logging.getLogger(__name__)


def _bot(interaction: discord.Interaction) -> ClaimCheckBot:
    return interaction.client  # type: ignore[return-value]


class WhyButton(discord.ui.DynamicItem[discord.ui.Button], template=r"claimcheck:why:(?P<id>[0-9]+)"):
    def __init__(self, detection_id: int) -> None:
        super().__init__(
            discord.ui.Button(label="Why?", style=discord.ButtonStyle.secondary, custom_id=f"claimcheck:why:{detection_id}")
        )
        self.detection_id = detection_id

    @classmethod
    async def from_custom_id(cls, interaction: discord.Interaction, item: discord.ui.Button, match: re.Match[str], /) -> WhyButton:
        return cls(int(match["id"]))

    async def callback(self, interaction: discord.Interaction) -> Any:
        bot = _bot(interaction)
        detection = await bot.storage.get_detection(self.detection_id)
        if detection is None:
            await interaction.response.send_message("This check is no longer on record.", ephemeral=True)
            return
        findings = await bot.explain_detection(detection)
        await interaction.response.send_message(
            explanation(findings, bot.rule_descriptions), ephemeral=True, allowed_mentions=discord.AllowedMentions.none()
        )


class NotAClaimButton(discord.ui.DynamicItem[discord.ui.Button], template=r"claimcheck:fp:(?P<id>[0-9]+)"):
    def __init__(self, detection_id: int) -> None:
        super().__init__(
            discord.ui.Button(label="Not a claim", style=discord.ButtonStyle.secondary, custom_id=f"claimcheck:fp:{detection_id}")
        )
        self.detection_id = detection_id

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction, item: discord.ui.Button, match: re.Match[str], /
    ) -> NotAClaimButton:
        return cls(int(match["id"]))

    async def callback(self, interaction: discord.Interaction) -> Any:
        result = await _bot(interaction).storage.add_false_positive(self.detection_id, interaction.user.id)
        text = {
            FalsePositiveResult.RECORDED: "Thanks. Your report is recorded and the moderators will see it.",
            FalsePositiveResult.ALREADY_REPORTED: "You have already reported this one. Thanks!",
            FalsePositiveResult.UNKNOWN_DETECTION: "This check is no longer on record.",
        }[result]
        await interaction.response.send_message(text, ephemeral=True)


class RemoveButton(discord.ui.DynamicItem[discord.ui.Button], template=r"claimcheck:rm:(?P<id>[0-9]+)"):
    def __init__(self, detection_id: int) -> None:
        super().__init__(
            discord.ui.Button(label="Remove", style=discord.ButtonStyle.danger, custom_id=f"claimcheck:rm:{detection_id}")
        )
        self.detection_id = detection_id

    @classmethod
    async def from_custom_id(cls, interaction: discord.Interaction, item: discord.ui.Button, match: re.Match[str], /) -> RemoveButton:
        return cls(int(match["id"]))

    async def callback(self, interaction: discord.Interaction) -> Any:
        bot = _bot(interaction)
        detection = await bot.storage.get_detection(self.detection_id)
        is_author = detection is not None and detection.author_id == interaction.user.id
        is_moderator = interaction.permissions.manage_messages or interaction.permissions.manage_guild
        if not (is_author or is_moderator):
            await interaction.response.send_message(
                "Only the author of the message or a moderator can remove this reply.", ephemeral=True
            )
            return
        await interaction.response.defer(ephemeral=True)
        try:
            await interaction.message.delete()
        except discord.HTTPException as exc:
            log.warning("could not delete reply %s: %s", interaction.message.id, exc)
            await interaction.followup.send("I could not remove the reply (missing permission?).", ephemeral=True)
            return
        if detection is not None:
            await bot.storage.update_detection(detection.id, action=f"{detection.action}+removed")
        await interaction.followup.send("Removed.", ephemeral=True)


DYNAMIC_ITEMS = (WhyButton, NotAClaimButton, RemoveButton)


def reply_view(detection_id: int) -> discord.ui.View:
    view = discord.ui.View(timeout=None)
    view.add_item(WhyButton(detection_id))
    view.add_item(NotAClaimButton(detection_id))
    view.add_item(RemoveButton(detection_id))
    return view
