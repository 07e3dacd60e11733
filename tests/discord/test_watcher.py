"""The bot watching a channel, end to end over sockets."""

from __future__ import annotations

import asyncio
import logging

import pytest

from tests.discord.fake_discord import (
    FORUM, GENERAL, IGNORED_ROLE, MEMBER, MODLOG, OFFTOPIC, is_post_to, is_reply_to,
)  # fmt: skip

pytestmark = pytest.mark.asyncio


def embed_text(request) -> str:
    embed = request.json["embeds"][0]
    parts = [embed.get("title", ""), embed.get("description", ""), embed.get("footer", {}).get("text", "")]
    for field in embed.get("fields", []):
        parts += [field["name"], field["value"]]
    return "\n".join(parts)


async def test_claim_gets_a_reply_with_sources_and_reminder(fake, start_bot):
    await start_bot()
    message = await fake.post("honestly kratom is way safer than oxy, you can't OD on it")
    reply = await fake.wait_for(is_reply_to(message))
    text = embed_text(reply)
    assert "safer than opioids" in text and "cannot overdose" in text
    assert "https://" in text and "](" in text  # sources as links
    assert "doctor or pharmacist" in text
    assert reply.json["allowed_mentions"] == {"parse": [], "replied_user": False}
    custom_ids = [c["custom_id"] for row in reply.json["components"] for c in row["components"]]
    assert [cid.split(":")[1] for cid in custom_ids] == ["why", "fp", "rm"]
    embed = reply.json["embeds"][0]
    assert len(text) <= 6000 and all(len(f["value"]) <= 1024 for f in embed["fields"])
