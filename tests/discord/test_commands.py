"""/claimcheck, the "Check claims" menu, the reply buttons and the moderator commands."""

from __future__ import annotations

import pytest

from tests.discord.fake_discord import (
    GENERAL, MANAGE_GUILD, MANAGE_MESSAGES, MEMBER, MODERATOR, OTHER_MEMBER, is_callback, is_reply_to,
)  # fmt: skip

pytestmark = pytest.mark.asyncio
EPHEMERAL = 64


def callback_data(request) -> dict:
    return request.json.get("data") or {}


def custom_id(reply, kind: str) -> str:
    return next(c["custom_id"] for row in reply.json["components"] for c in row["components"] if f":{kind}:" in c["custom_id"])


def reply_message(fake, message) -> dict:
    return next(m for m in fake.messages.values() if m.get("message_reference", {}).get("message_id") == message["id"])


async def test_commands_are_registered_with_moderator_defaults(fake, start_bot):
    await start_bot()
    sync = next(r for r in fake.requests if r.method == "PUT" and r.path.endswith("/commands"))
    commands = {c["name"]: c for c in sync.json}
    assert set(commands) == {"claimcheck", "Check claims", "claimcheck-admin"}
    assert str(commands["claimcheck-admin"]["default_member_permissions"]) == str(MANAGE_GUILD)
    assert commands["claimcheck"]["default_member_permissions"] is None
    assert commands["Check claims"]["type"] == 3


async def test_slash_command_is_ephemeral_by_default(fake, start_bot):
    await start_bot()
    interaction = await fake.slash("claimcheck", [{"name": "text", "type": 3, "value": "ketum cured my fibro"}])
    response = await fake.wait_for(is_callback(interaction))
    data = callback_data(response)
    assert response.json["type"] == 4 and data["flags"] & EPHEMERAL
    assert "chronic pain" in data["embeds"][0]["fields"][0]["name"]
    assert data["allowed_mentions"]["parse"] == []


async def test_slash_command_can_post_publicly(fake, start_bot):
    await start_bot()
    options = [{"name": "text", "type": 3, "value": "kratom is totally harmless"}, {"name": "public", "type": 5, "value": True}]
    response = await fake.wait_for(is_callback(await fake.slash("claimcheck", options)))
    assert not callback_data(response).get("flags", 0) & EPHEMERAL
    assert callback_data(response)["embeds"]


async def test_slash_command_answer_shows_every_claim_and_source_without_pointing_to_a_why_button(fake, start_bot):
    await start_bot()
    text = "kratom is way safer than oxy and you can't OD on it. kratom is not addictive. kratom is totally harmless."
    response = await fake.wait_for(is_callback(await fake.slash("claimcheck", [{"name": "text", "type": 3, "value": text}])))
    fields = callback_data(response)["embeds"][0]["fields"]
    assert fields[2]["name"] == "Also mentioned"
    assert "Kratom is not addictive" in fields[2]["value"] and "[Hill et al., 2024](https://doi.org/" in fields[2]["value"]


async def test_slash_command_without_claims(fake, start_bot):
    await start_bot()
    response = await fake.wait_for(is_callback(await fake.slash("claimcheck", [{"name": "text", "type": 3, "value": "hello"}])))
    assert "No kratom health claims" in callback_data(response)["content"]


async def test_context_menu_checks_a_message(fake, start_bot):
    running = await start_bot()
    await running.bot.update_settings(100, lambda s: setattr(s, "action", "off"))
    message = await fake.post("you can't OD on kratom, it's just a leaf")
    response = await fake.wait_for(is_callback(await fake.context_menu(message, user_id=OTHER_MEMBER)))
    data = callback_data(response)
    assert data["flags"] & EPHEMERAL
    names = " ".join(f["name"] for f in data["embeds"][0]["fields"])
    assert "overdose" in names and "harmless" in names


async def test_why_button_explains_which_rule_matched_which_words(fake, start_bot):
    await start_bot()
    message = await fake.post("honestly kratom is way safer than oxy")
    reply = await fake.wait_for(is_reply_to(message))
    response = await fake.wait_for(is_callback(await fake.click(reply_message(fake, message), custom_id(reply, "why"))))
    data = callback_data(response)
    assert data["flags"] & EPHEMERAL
    why = data["embeds"][0]
    assert "safer than opioids" in why["title"]
    assert "safer-than-opioids" in why["description"] and "kratom is way safer" in why["description"]
    assert "Statement from FDA Commissioner Scott Gottlieb" in why["description"]  # the full citation


async def test_why_for_many_claims_continues_in_follow_up_messages(fake, start_bot):
    await start_bot()
    message = await fake.post(
        "kratom is way safer than oxy and you can't OD on it. kratom is not addictive. kratom is totally harmless. "
        "kratom cured my fibro. kratom helps my anxiety. kratom is anti-inflammatory"
    )
    reply = await fake.wait_for(is_reply_to(message))
    click = await fake.click(reply_message(fake, message), custom_id(reply, "why"))
    first = callback_data(await fake.wait_for(is_callback(click)))
    follow_up = await fake.wait_for(lambda r: r.method == "POST" and r.path.startswith("/webhooks/") and bool((r.json or {}).get("embeds")))
    assert first["flags"] & EPHEMERAL and follow_up.json["flags"] & EPHEMERAL
    titles = [embed["title"] for embed in first["embeds"] + follow_up.json["embeds"]]
    assert len(titles) == 7 and "You cannot overdose on kratom" in titles and "Kratom reduces inflammation" in titles


async def test_not_a_claim_is_recorded_once_per_member(fake, start_bot):
    running = await start_bot()
    message = await fake.post("kratom is completely harmless")
    reply = await fake.wait_for(is_reply_to(message))
    target = reply_message(fake, message)
    first = await fake.wait_for(is_callback(await fake.click(target, custom_id(reply, "fp"), user_id=OTHER_MEMBER)))
    assert "recorded" in callback_data(first)["content"]
    again = await fake.wait_for(is_callback(await fake.click(target, custom_id(reply, "fp"), user_id=OTHER_MEMBER)))
    assert "already reported" in callback_data(again)["content"]
    stats = await running.bot.storage.stats(100, 0)
    assert stats["harmless"] == (1, 1)


async def test_remove_button_only_for_author_or_moderator(fake, start_bot):
    await start_bot()
    message = await fake.post("kratom is completely harmless", author=MEMBER)
    reply = await fake.wait_for(is_reply_to(message))
    target = reply_message(fake, message)
    refused = await fake.wait_for(is_callback(await fake.click(target, custom_id(reply, "rm"), user_id=OTHER_MEMBER)))
    assert "Only the author" in callback_data(refused)["content"]
    assert int(target["id"]) in fake.messages
    after = fake.mark()
    await fake.click(target, custom_id(reply, "rm"), user_id=MEMBER)
    await fake.wait_for(lambda r: r.method == "DELETE" and r.path == f"/channels/{GENERAL}/messages/{target['id']}", after=after)

    other = await fake.post("kratom cured my back pain", author=OTHER_MEMBER)
    other_reply = await fake.wait_for(is_reply_to(other))
    other_target = reply_message(fake, other)
    after = fake.mark()
    await fake.click(other_target, custom_id(other_reply, "rm"), user_id=MODERATOR, permissions=MANAGE_MESSAGES)
    await fake.wait_for(lambda r: r.method == "DELETE" and r.path.endswith(f"/messages/{other_target['id']}"), after=after)


@pytest.mark.parametrize(
    ("subcommand", "options"),
    [
        ("settings", []),
        ("action", [{"name": "value", "type": 3, "value": "off"}]),
        ("cooldown", [{"name": "minutes", "type": 4, "value": 1}]),
        ("stats", []),
        ("purge-all", [{"name": "confirm", "type": 5, "value": True}]),
    ],
)
async def test_moderator_commands_are_refused_to_other_members(fake, start_bot, subcommand, options):
    running = await start_bot()
    response = await fake.wait_for(is_callback(await fake.admin(subcommand, options, user_id=MEMBER, permissions=0)))
    data = callback_data(response)
    assert data["flags"] & EPHEMERAL and "Manage Server" in data["content"]
    assert (await running.bot.storage.get_settings(100)).action == "reply"


async def test_bad_values_are_refused_with_what_is_allowed(fake, start_bot):
    running = await start_bot()
    response = await fake.wait_for(is_callback(await fake.admin("cooldown", [{"name": "minutes", "type": 4, "value": -5}])))
    assert "between 0 and 1440 minutes" in callback_data(response)["content"]
    response = await fake.wait_for(is_callback(await fake.admin("reply-cap", [{"name": "per_minute", "type": 4, "value": 0}])))
    assert "between 1 and 120" in callback_data(response)["content"]
    response = await fake.wait_for(is_callback(await fake.admin("rule", [{"name": "rule_id", "type": 3, "value": "nope"},
                                                                          {"name": "enabled", "type": 5, "value": False}])))  # fmt: skip
    assert "Unknown rule id. Allowed:" in callback_data(response)["content"]
    response = await fake.wait_for(is_callback(await fake.admin("action", [{"name": "value", "type": 3, "value": "alert"}])))
    assert "log channel first" in callback_data(response)["content"]
    settings = await running.bot.storage.get_settings(100)
    assert settings.cooldown_seconds == 600 and settings.replies_per_minute == 20 and settings.action == "reply"


async def test_settings_changes_take_effect(fake, start_bot):
    await start_bot()
    response = await fake.wait_for(is_callback(await fake.admin("claim", [{"name": "claim_id", "type": 3, "value": "harmless"},
                                                                           {"name": "enabled", "type": 5, "value": False}])))  # fmt: skip
    assert "harmless" in callback_data(response)["content"]
    after = fake.mark()
    await fake.post("kratom is completely harmless")
    await fake.quiet(lambda r: r.method == "POST" and r.path == f"/channels/{GENERAL}/messages", 0.4, after=after)
    response = await fake.wait_for(is_callback(await fake.admin("settings")))
    assert "**Disabled claims:** harmless" in callback_data(response)["content"]


async def test_stats_and_purges(fake, start_bot):
    running = await start_bot()
    for text, author in (("kratom is completely harmless", MEMBER), ("kratom cured my back pain", OTHER_MEMBER)):
        await fake.wait_for(is_reply_to(await fake.post(text, author=author)))
    response = await fake.wait_for(is_callback(await fake.admin("stats", [{"name": "days", "type": 4, "value": 7}])))
    content = callback_data(response)["content"]
    assert "harmless" in content and "chronic-pain" in content
    resolved = {"users": {str(MEMBER): {"id": str(MEMBER), "username": "mia", "discriminator": "0", "avatar": None}}}
    response = await fake.wait_for(is_callback(await fake.admin("purge-member", [{"name": "member", "type": 6, "value": str(MEMBER)}],
                                                                resolved=resolved)))  # fmt: skip
    assert "Removed 1 stored records" in callback_data(response)["content"]
    assert set(await running.bot.storage.stats(100, 0)) == {"chronic-pain"}
    response = await fake.wait_for(is_callback(await fake.admin("purge-all", [{"name": "confirm", "type": 5, "value": True}])))
    assert "Removed 1 detections" in callback_data(response)["content"]
    assert await running.bot.storage.stats(100, 0) == {}
