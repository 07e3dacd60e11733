"""Discord embeds for replies, alerts and "Why?" answers: layout and Discord's limits.

The words come from ``bot.core.wording``; which claims a reply shows in full
comes from ``bot.core.reply.plan_reply``. Nothing here drops a cited source: a
claim whose links do not fit one field continues in the next.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence

import discord

from bot.core import wording
from bot.core.models import Finding, Source
from bot.core.reply import by_risk, plan_reply

# Discord's embed limits (https://discord.com/developers/docs/resources/message#embed-object-embed-limits)
TITLE_MAX = 256
DESCRIPTION_MAX = 4096
FIELD_NAME_MAX = 256
FIELD_VALUE_MAX = 1024
FIELDS_MAX = 25
FOOTER_MAX = 2048
EMBED_TOTAL_MAX = 6000  # per message, over all its embeds
EMBEDS_PER_MESSAGE = 10

NO_PINGS = discord.AllowedMentions.none()  # on everything the bot sends
REPLY_COLOUR = discord.Colour.from_rgb(230, 162, 60)
ALERT_COLOUR = discord.Colour.from_rgb(200, 80, 60)
CONTINUED = "\u200b"  # an invisible field name: Discord requires one
LINK_SEPARATOR = " · "
CITATION_MAX = 600  # a full citation in "Why?"; titles are rarely longer than 300


def safe_text(text: str, limit: int) -> str:
    """User text made inert (no markdown, no mentions) and cut to ``limit`` characters."""
    escaped = discord.utils.escape_mentions(discord.utils.escape_markdown(text))
    return shorten(escaped, limit)


def shorten(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: max(0, limit - 1)].rstrip() + "…"


def source_link(source: Source) -> str:
    """``[label](url)``; labels have no brackets (the model refuses them) and
    parentheses in the URL are percent-encoded so they cannot end the link."""
    url = source.url.replace("(", "%28").replace(")", "%29")
    return f"[{source.label}]({url})"


def _links(sources: Iterable[Source], *, linked: bool) -> list[str]:
    return [source_link(source) if linked else source.label for source in sources]


def _pack(pieces: list[str], limit: int) -> list[str]:
    """Join ``pieces`` with LINK_SEPARATOR into chunks of at most ``limit``
    characters, breaking only between pieces (a link is never cut)."""
    chunks = [pieces[0]]
    for piece in pieces[1:]:
        joined = chunks[-1] + LINK_SEPARATOR + piece
        if len(joined) <= limit:
            chunks[-1] = joined
        else:
            chunks.append(piece)
    return chunks


def _add_fields(embed: discord.Embed, name: str, lines: list[list[str]]) -> None:
    """Add ``lines`` (each a list of pieces) under ``name``, in as many fields as
    FIELD_VALUE_MAX needs; lines are split only between pieces."""
    values = [""]
    for line in lines:
        for chunk in _pack(line, FIELD_VALUE_MAX):
            candidate = f"{values[-1]}\n{chunk}" if values[-1] else chunk
            if len(candidate) <= FIELD_VALUE_MAX:
                values[-1] = candidate
            else:
                values.append(chunk)
    for index, value in enumerate(values):
        embed.add_field(name=shorten(name, FIELD_NAME_MAX) if index == 0 else CONTINUED, value=value, inline=False)


def _reply_layout(findings: Sequence[Finding], *, brief_heading: str, brief_links: bool) -> discord.Embed:
    plan = plan_reply(findings)
    embed = discord.Embed(description=wording.reply_intro(len(findings)), colour=REPLY_COLOUR)
    for finding in plan.in_full:
        # The caveat on its own line, the links on the next.
        _add_fields(embed, finding.summary, [[finding.caveat], _links(finding.sources, linked=True)])
    if plan.in_brief:
        lines = []
        for finding in plan.in_brief:
            first, *others = _links(finding.sources, linked=brief_links)
            lines.append([f"**{finding.summary}**: {first}", *others])
        _add_fields(embed, brief_heading, lines)
    embed.set_footer(text=wording.REMINDER)
    return embed


def fits(embeds: Sequence[discord.Embed]) -> bool:
    """Whether one message can carry ``embeds`` (Discord counts all of them together)."""
    return (
        len(embeds) <= EMBEDS_PER_MESSAGE
        and sum(len(embed) for embed in embeds) <= EMBED_TOTAL_MAX
        and all(len(embed.fields) <= FIELDS_MAX for embed in embeds)
    )


def reply_embed(findings: Sequence[Finding], *, with_why_button: bool = True) -> discord.Embed:
    """The reply: the riskiest claims with their caveat, the rest one line each,
    every cited source by its label. ``with_why_button``: the reply carries the
    "Why?" button that has the detail of the one-line claims.

    Only a message with nearly every claim can outgrow Discord's limits; its
    one-line claims then name their sources without links.
    """
    heading = wording.BRIEF_HEADING if with_why_button else wording.BRIEF_HEADING_WITHOUT_WHY
    embed = _reply_layout(findings, brief_heading=heading, brief_links=True)
    return embed if fits([embed]) else _reply_layout(findings, brief_heading=heading, brief_links=False)


def alert_embed(findings: Sequence[Finding], message: discord.Message, *, quote_text: bool) -> discord.Embed:
    """For the moderators' log channel: where, who, which claims; the text only if allowed."""
    embed = discord.Embed(title=wording.ALERT_TITLE, colour=ALERT_COLOUR, url=message.jump_url)
    channel = getattr(message.channel, "mention", f"<#{message.channel.id}>")
    embed.description = wording.alert_where(channel, message.author.mention, message.jump_url)
    for finding in findings[:10]:
        quoted = safe_text(finding.matched, 300) if quote_text else None
        embed.add_field(name=shorten(finding.summary, FIELD_NAME_MAX), value=wording.alert_rule(finding.rule_id, quoted), inline=False)
    embed.set_footer(text=wording.alert_footer(message.id))
    return embed


def _explanation_embed(
    finding: Finding, rule_descriptions: dict[str, str], drivers: list[tuple[str, float]]
) -> discord.Embed:
    if finding.basis == "model":
        lines = [wording.why_model(finding.score or 0.0, [(safe_text(word, 40), weight) for word, weight in drivers])]
    else:
        words = safe_text(finding.matched, 200)
        lines = [wording.why_matched(finding.rule_id, words, from_context=finding.basis != "message")]
        if description := rule_descriptions.get(finding.rule_id):
            lines.append(description)
    lines += ["", finding.caveat, ""]
    for source in finding.sources:
        citation = discord.utils.escape_markdown(shorten(wording.full_citation(source), CITATION_MAX))
        lines.append(f"• {source_link(source)}: {citation}")
    return discord.Embed(
        title=shorten(finding.summary, TITLE_MAX),
        description=shorten("\n".join(lines), DESCRIPTION_MAX),
        colour=REPLY_COLOUR,
    )


def explanation_pages(
    findings: Sequence[Finding],
    rule_descriptions: dict[str, str],
    drivers: Mapping[str, list[tuple[str, float]]] | None = None,
) -> list[list[discord.Embed]]:
    """The "Why?" answer, one embed per claim: which rule matched which words (or the
    model's score and the words that drove it), the caveat and the full citations;
    split into as many messages as Discord needs."""
    pages: list[list[discord.Embed]] = [[]]
    for finding in by_risk(findings):
        embed = _explanation_embed(finding, rule_descriptions, (drivers or {}).get(str(finding.claim), []))
        if pages[-1] and not fits([*pages[-1], embed]):
            pages.append([])
        pages[-1].append(embed)
    return pages if pages[0] else []
