"""Buttons under a reply. They carry the detection id in their custom_id, so they
keep working after the bot restarts (discord.py DynamicItem, no stored view state)."""

from __future__ import annotations

import logging
import re
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any

import discord

from bot.core import wording
from bot.discord.embeds import NO_PINGS, explanation_pages
from bot.storage import FalsePositiveResult

if TYPE_CHECKING:
    from bot.discord.client import ClaimCheckBot

log = logging.getLogger(__name__)


def _bot(interaction: discord.Interaction) -> ClaimCheckBot:
    return interaction.client  # type: ignore[return-value]


async def _why(interaction: discord.Interaction, detection_id: int) -> None:
    bot = _bot(interaction)
    detection = await bot.storage.get_detection(detection_id)
    if detection is None:
        await interaction.response.send_message(wording.CHECK_GONE, ephemeral=True)
        return
    findings, drivers = await bot.explain_detection(detection)
    pages = explanation_pages(findings, bot.rule_descriptions, drivers)
    if not pages:
        await interaction.response.send_message(wording.NOTHING_TO_EXPLAIN, ephemeral=True)
        return
    first, *more = pages
    await interaction.response.send_message(embeds=first, ephemeral=True, allowed_mentions=NO_PINGS)
    for page in more:
        await interaction.followup.send(embeds=page, ephemeral=True, allowed_mentions=NO_PINGS)


async def _not_a_claim(interaction: discord.Interaction, detection_id: int) -> None:
    result = await _bot(interaction).storage.add_false_positive(detection_id, interaction.user.id)
    if result is FalsePositiveResult.RECORDED:
        await _bot(interaction).count_not_a_claim(detection_id)
    text = {
        FalsePositiveResult.RECORDED: wording.REPORT_RECORDED,
        FalsePositiveResult.ALREADY_REPORTED: wording.REPORT_ALREADY_MADE,
        FalsePositiveResult.UNKNOWN_DETECTION: wording.CHECK_GONE,
    }[result]
    await interaction.response.send_message(text, ephemeral=True)


async def _remove(interaction: discord.Interaction, detection_id: int) -> None:
    bot = _bot(interaction)
    detection = await bot.storage.get_detection(detection_id)
    is_author = detection is not None and detection.author_id == interaction.user.id
    is_moderator = interaction.permissions.manage_messages or interaction.permissions.manage_guild
    if not (is_author or is_moderator):
        await interaction.response.send_message(wording.REMOVE_REFUSED, ephemeral=True)
        return
    await interaction.response.defer(ephemeral=True)
    try:
        await interaction.message.delete()
    except discord.HTTPException as exc:
        log.warning("could not delete reply %s: %s", interaction.message.id, exc)
        await interaction.followup.send(wording.REMOVE_FAILED, ephemeral=True)
        return
    if detection is not None:
        await bot.storage.update_detection(detection.id, action=f"{detection.action}+removed")
    await interaction.followup.send(wording.REMOVED, ephemeral=True)


# kind in the custom_id -> (label, style, handler)
_BUTTONS: dict[str, tuple[str, discord.ButtonStyle, Callable[[discord.Interaction, int], Awaitable[None]]]] = {
    "why": (wording.WHY_BUTTON, discord.ButtonStyle.secondary, _why),
    "fp": (wording.NOT_A_CLAIM_BUTTON, discord.ButtonStyle.secondary, _not_a_claim),
    "rm": (wording.REMOVE_BUTTON, discord.ButtonStyle.danger, _remove),
}


class ReplyButton(discord.ui.DynamicItem[discord.ui.Button], template=r"claimcheck:(?P<kind>why|fp|rm):(?P<id>[0-9]+)"):
    """One of the reply's buttons; ``claimcheck:<kind>:<detection id>``."""

    def __init__(self, kind: str, detection_id: int) -> None:
        label, style, _ = _BUTTONS[kind]
        super().__init__(discord.ui.Button(label=label, style=style, custom_id=f"claimcheck:{kind}:{detection_id}"))
        self.kind = kind
        self.detection_id = detection_id

    @classmethod
    async def from_custom_id(cls, interaction: discord.Interaction, item: discord.ui.Button, match: re.Match[str], /) -> ReplyButton:
        return cls(match["kind"], int(match["id"]))

    async def callback(self, interaction: discord.Interaction) -> Any:
        await _BUTTONS[self.kind][2](interaction, self.detection_id)


DYNAMIC_ITEMS = (ReplyButton,)


def reply_view(detection_id: int) -> discord.ui.View:
    view = discord.ui.View(timeout=None)
    for kind in _BUTTONS:
        view.add_item(ReplyButton(kind, detection_id))
    return view
