"""Discord embeds for replies, alerts and explanations, kept within Discord's limits."""

from __future__ import annotations

from collections.abc import Sequence

import discord

from bot.core.models import Finding
from bot.core.models import Source
from bot.core.reply import REMINDER

# Discord's embed limits (https://discord.com/developers/docs/resources/message#embed-object-embed-limits)
TITLE_MAX = 256
DESCRIPTION_MAX = 4096
FIELD_NAME_MAX = 256
FIELD_VALUE_MAX = 1024
FIELDS_MAX = 25
FOOTER_MAX = 2048
EMBED_TOTAL_MAX = 6000

NO_PINGS = discord.AllowedMentions.none()  # on everything the bot sends
REPLY_COLOUR = discord.Colour.from_rgb(230, 162, 60)
ALERT_COLOUR = discord.Colour.from_rgb(200, 80, 60)
TITLE = "A note on this health claim"


def safe_text(text: str, limit: int) -> str:
    """User text made inert (no markdown, no mentions) and cut to ``limit`` characters."""
    escaped = discord.utils.escape_mentions(discord.utils.escape_markdown(text))
    return shorten(escaped, limit)


def shorten(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: max(0, limit - 1)].rstrip() + "…"


def source_line(source: Source, title_limit: int = 90) -> str:
    origin = source.publisher or source.authors or ""
    year = f", {source.year}" if source.year else ""
    title = shorten(source.title, title_limit).replace("[", "(").replace("]", ")")
    return f"[{title}]({source.url}) ({shorten(origin, 60)}{year})"


def _claim_field(finding: Finding, budget: int) -> tuple[str, str]:
    name = shorten(finding.summary, FIELD_NAME_MAX)
    limit = min(FIELD_VALUE_MAX, budget - len(name))
    lines = [finding.caveat]
    for source in finding.sources:
        line = "• " + source_line(source)
        if len("\n".join([*lines, line])) > limit:
            line = "• " + source_line(source, title_limit=40)
            if len("\n".join([*lines, line])) > limit:
                break
        lines.append(line)
    return name, shorten("\n".join(lines), limit)


def reply_embed(findings: Sequence[Finding]) -> discord.Embed:
    """The public reply: each claim in plain words, its caveat and its sources."""
    embed = discord.Embed(title=TITLE, colour=REPLY_COLOUR)
    used = len(TITLE) + len(REMINDER)
    noun = "claim" if len(findings) == 1 else "claims"
    embed.description = f"This message makes a kratom health {noun} that the evidence does not support:"
    used += len(embed.description)
    shown = 0
    for finding in findings[:FIELDS_MAX]:
        remaining = EMBED_TOTAL_MAX - used - 80  # keep room for the "more claims" line
        if remaining < 200:
            break
        name, value = _claim_field(finding, remaining)
        embed.add_field(name=name, value=value, inline=False)
        used += len(name) + len(value)
        shown += 1
    if shown < len(findings):
        rest = ", ".join(f"`{f.claim}`" for f in findings[shown:])
        embed.add_field(name="Also", value=shorten(rest, FIELD_VALUE_MAX), inline=False)
    embed.set_footer(text=REMINDER)
    return embed


def alert_embed(findings: Sequence[Finding], message: discord.Message, *, quote_text: bool) -> discord.Embed:
    """For the moderators' log channel: where, who, which claims; the text only if allowed."""
    embed = discord.Embed(title="Kratom health claim detected", colour=ALERT_COLOUR, url=message.jump_url)
    channel = getattr(message.channel, "mention", f"<#{message.channel.id}>")
    embed.description = f"In {channel} by {message.author.mention} · [jump to message]({message.jump_url})"
    for finding in findings[:10]:
        value = f"rule `{finding.rule_id}`"
        if quote_text:
            value += f": “{safe_text(finding.matched, 300)}”"
        embed.add_field(name=shorten(finding.summary, FIELD_NAME_MAX), value=value, inline=False)
    embed.set_footer(text=f"message {message.id}")
    return embed


def explanation(findings: Sequence[Finding], rule_descriptions: dict[str, str]) -> str:
    """The "Why?" answer: which rule matched which words."""
    if not findings:
        return "The message has changed or is gone, so there is nothing left to explain."
    lines = []
    for finding in findings:
        description = rule_descriptions.get(finding.rule_id, "")
        basis = " (read with the conversation before it)" if finding.basis != "message" else ""
        lines.append(
            f"**{finding.claim}**: rule `{finding.rule_id}` matched “{safe_text(finding.matched, 200)}”{basis}."
            + (f"\n  {description}" if description else "")
        )
    return shorten("\n".join(lines), 1900)
