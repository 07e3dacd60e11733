"""The reply embed and the "Why?" answer: every cited source shown, Discord's limits held."""

from __future__ import annotations

import itertools
import re

import discord

from bot.core import wording
from bot.core.models import Finding
from bot.discord.embeds import (
    DESCRIPTION_MAX, EMBED_TOTAL_MAX, EMBEDS_PER_MESSAGE, FIELD_NAME_MAX, FIELD_VALUE_MAX, FIELDS_MAX, FOOTER_MAX,
    TITLE_MAX, explanation_pages, reply_embed, source_link,
)  # fmt: skip
from tests.conftest import every_rule_and_pair, finding_for

TWO_CLAIM_VISIBLE_MAX = 1200


def rule_ids(engine) -> list[str]:
    return [loaded.rule.id for loaded in engine.ruleset.rules]


def embed_text(embed: discord.Embed) -> str:
    data = embed.to_dict()
    parts = [data.get("title", ""), data.get("description", ""), data.get("footer", {}).get("text", "")]
    for field in data.get("fields", []):
        parts += [field["name"], field["value"]]
    return "\n".join(part for part in parts if part)


def visible_text(embed: discord.Embed) -> str:
    """What a member reads: links shown as their label, no markdown markers."""
    text = re.sub(r"\[([^\]]+)\]\([^)]+\)", r"\1", embed_text(embed))
    return text.replace("**", "").replace("\u200b", "")


def assert_within_discord_limits(embeds: list[discord.Embed]) -> None:
    assert len(embeds) <= EMBEDS_PER_MESSAGE
    assert sum(len(embed) for embed in embeds) <= EMBED_TOTAL_MAX
    for embed in embeds:
        assert len(embed.title or "") <= TITLE_MAX and len(embed.description or "") <= DESCRIPTION_MAX
        assert len(embed.footer.text or "") <= FOOTER_MAX and len(embed.fields) <= FIELDS_MAX
        for field in embed.fields:
            assert 0 < len(field.name) <= FIELD_NAME_MAX and 0 < len(field.value) <= FIELD_VALUE_MAX


def assert_every_source_linked(embed_texts: str, findings: list[Finding]) -> None:
    for finding in findings:
        for source in finding.sources:
            assert source_link(source) in embed_texts, f"{finding.rule_id}: {source.id} missing"


def test_every_rule_alone_and_every_pair_shows_every_cited_source_within_discord_limits(engine):
    for combination in every_rule_and_pair(engine):
        findings = [finding_for(engine, rule_id) for rule_id in combination]
        embed = reply_embed(findings)
        assert_within_discord_limits([embed])
        text = embed_text(embed)
        assert_every_source_linked(text, findings)
        for finding in findings:
            assert finding.summary in text and finding.caveat in text  # one or two claims: all in full
        assert embed.footer.text == wording.REMINDER


def test_a_message_with_every_claim_still_shows_every_source(engine):
    findings = [finding_for(engine, rule_id) for rule_id in rule_ids(engine)]
    embed = reply_embed(findings)
    assert_within_discord_limits([embed])
    assert_every_source_linked(embed_text(embed), findings)


def test_when_links_cannot_fit_the_brief_claims_name_their_sources_without_links(engine):
    long_url = "https://example.org/" + "x" * 270
    findings = [
        Finding(f.claim, f.rule_id, f.start, f.end, f.matched, f.caveat,
                tuple(s.model_copy(update={"url": f"{long_url}{s.id}"}) for s in f.sources))
        for f in (finding_for(engine, rule_id) for rule_id in rule_ids(engine))
    ]  # fmt: skip
    embed = reply_embed(findings)
    assert_within_discord_limits([embed])
    text = embed_text(embed)
    for finding in findings:
        assert finding.summary in text
        assert all(source.label in text for source in finding.sources)


def test_a_long_reply_shows_the_riskiest_two_claims_in_full_and_the_rest_in_one_line(engine):
    findings = [finding_for(engine, rule_id) for rule_id in
                ("chronic-pain", "mood-treatment", "safer-than-opioids", "not-addictive", "no-overdose", "harmless")]  # fmt: skip
    embed = reply_embed(findings)
    assert [field.name for field in embed.fields[:2]] == [wording.CLAIM_SUMMARIES["no-overdose"],
                                                          wording.CLAIM_SUMMARIES["safer-than-opioids"]]  # fmt: skip
    assert embed.fields[2].name == wording.BRIEF_HEADING
    text = embed_text(embed)
    assert findings[0].caveat not in text  # chronic-pain: one line, its caveat is behind "Why?"
    brief = "\n".join(field.value for field in embed.fields[2:])
    assert len(brief.splitlines()) == 4
    assert_every_source_linked(text, findings)


def test_reply_sizes_for_one_two_and_six_claims(engine):
    """Prints the sizes: python -m pytest tests/discord/test_embeds.py -k sizes -s"""
    examples = {
        1: ["safer-than-opioids"],
        2: ["safer-than-opioids", "no-overdose"],
        6: ["safer-than-opioids", "no-overdose", "not-addictive", "harmless", "chronic-pain", "mood-treatment"],
    }
    print("\nclaims  visible  discord (with link URLs)")
    for count, ids in examples.items():
        embed = reply_embed([finding_for(engine, rule_id) for rule_id in ids])
        print(f"{count:>6}  {len(visible_text(embed)):>7}  {len(embed):>7}   {', '.join(ids)}")
    pairs = [reply_embed([finding_for(engine, a), finding_for(engine, b)]) for a, b in itertools.combinations(rule_ids(engine), 2)]
    longest = max(pairs, key=lambda embed: len(visible_text(embed)))
    print(f"longest of all {len(pairs)} two-claim replies: {len(visible_text(longest))} visible, "
          f"{max(len(embed) for embed in pairs)} with URLs")  # fmt: skip
    assert len(visible_text(longest)) <= TWO_CLAIM_VISIBLE_MAX


def test_the_intro_says_what_research_says_without_telling_the_member_they_are_wrong(engine):
    one = reply_embed([finding_for(engine, "opioid-replacement")])
    assert one.description == "This message mentions a kratom health claim. What research says so far:"
    two = reply_embed([finding_for(engine, "opioid-replacement"), finding_for(engine, "not-addictive")])
    assert two.description == "This message mentions kratom health claims. What research says so far:"
    for embed in (one, two):
        assert "not support" not in embed_text(embed) and "wrong" not in embed_text(embed)
    assert "stopping" in wording.REMINDER and "not medical advice" in wording.REMINDER


def test_why_shows_every_claim_with_its_caveat_and_full_citations_in_pages_that_fit(engine):
    findings = [finding_for(engine, rule_id) for rule_id in rule_ids(engine)]
    pages = explanation_pages(findings, {loaded.rule.id: loaded.rule.description for loaded in engine.ruleset.rules})
    for page in pages:
        assert_within_discord_limits(page)
    text = "\n".join(embed_text(embed) for page in pages for embed in page)
    assert len(pages) > 1  # thirteen caveats with full citations need more than one message
    for finding in findings:
        assert finding.caveat in text and f"`{finding.rule_id}`" in text
        for source in finding.sources:
            assert source_link(source) in text
            assert discord.utils.escape_markdown(wording.full_citation(source)) in text
    assert "Not confirmed" not in text


def test_a_parenthesis_in_a_url_cannot_end_the_link(engine):
    source = engine.ruleset.sources["livertox-kratom"].model_copy(update={"url": "https://doi.org/10.1016/S0376-8716(17)30182-5"})
    assert source_link(source) == "[NIH LiverTox](https://doi.org/10.1016/S0376-8716%2817%2930182-5)"
