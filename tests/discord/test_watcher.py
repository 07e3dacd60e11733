"""The bot watching a channel, end to end over sockets."""

from __future__ import annotations

import asyncio
import logging

import pytest

from tests.discord.fake_discord import (
    BOT_ID, FORUM, GENERAL, IGNORED_ROLE, MODLOG, OFFTOPIC, OTHER_BOT, OTHER_MEMBER, is_callback, is_post_to, is_reply_to,
)  # fmt: skip

OTHER_MEMBER_ID = OTHER_MEMBER

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


@pytest.mark.parametrize(
    "text",
    [
        "kratom is NOT safer than opioids, it hits the same receptors",
        "can you OD on kratom?",
        "anyone playing the new zelda this weekend?",
        "gabapentin is safer than opioids imo",
        "my uncle says kratom cured his arthritis, he also says birds aren't real",
    ],
)
async def test_denial_question_unrelated_and_reported_get_no_reply(fake, start_bot, text):
    await start_bot()
    after = fake.mark()
    await fake.post(text)
    await fake.quiet(is_post_to(GENERAL), 0.4, after=after)


async def test_implied_subject_from_the_replied_to_message(fake, start_bot):
    await start_bot()
    question = await fake.post("should I try kratom for my back instead of the oxy?", author=OTHER_MEMBER_ID)
    answer = await fake.post("do it, it's way safer than oxy", reference=question)
    reply = await fake.wait_for(is_reply_to(answer))
    assert "safer than opioids" in embed_text(reply)


async def test_implied_subject_from_the_channel_buffer(fake, start_bot):
    await start_bot()
    await fake.post("anyone here use kratom for anxiety?", author=OTHER_MEMBER_ID)
    answer = await fake.post("helps mine a ton, I can finally go to the store again")
    reply = await fake.wait_for(is_reply_to(answer))
    assert "anxiety" in embed_text(reply)


async def test_bots_webhooks_and_itself_are_ignored(fake, start_bot):
    await start_bot()
    after = fake.mark()
    await fake.post("kratom is completely harmless", webhook_id=555)
    await fake.post("kratom is completely harmless", author=OTHER_BOT)
    await fake.post("kratom is completely harmless", author=BOT_ID)
    await fake.quiet(is_post_to(GENERAL), 0.4, after=after)


async def test_allow_list_mode_watches_only_listed_channels(fake, start_bot):
    await start_bot()
    await fake.wait_for(is_callback(await fake.admin("watch-all", [{"name": "enabled", "type": 5, "value": False}])))
    resolved = {"channels": {str(OFFTOPIC): {"id": str(OFFTOPIC), "type": 0, "name": "off-topic", "permissions": "0"}}}
    command = await fake.admin("channel", [{"name": "channel", "type": 7, "value": str(OFFTOPIC)},
                                            {"name": "mode", "type": 3, "value": "watch"}], resolved=resolved)  # fmt: skip
    await fake.wait_for(is_callback(command))
    after = fake.mark()
    await fake.post("kratom is completely harmless", channel=GENERAL)
    await fake.quiet(is_post_to(GENERAL), 0.4, after=after)
    listed = await fake.post("kratom is completely harmless", channel=OFFTOPIC)
    await fake.wait_for(is_reply_to(listed), after=after)


async def test_ignored_channel_and_ignored_role(fake, start_bot):
    await start_bot()
    command = await fake.admin("channel", [{"name": "channel", "type": 7, "value": str(OFFTOPIC)},
                                            {"name": "mode", "type": 3, "value": "ignore"}],
                               resolved={"channels": {str(OFFTOPIC): {"id": str(OFFTOPIC), "type": 0, "name": "off-topic",
                                                                      "permissions": "0"}}})  # fmt: skip
    await fake.wait_for(is_callback(command))
    command = await fake.admin("role", [{"name": "role", "type": 8, "value": str(IGNORED_ROLE)},
                                         {"name": "mode", "type": 3, "value": "ignore"}],
                               resolved={"roles": {str(IGNORED_ROLE): {"id": str(IGNORED_ROLE), "name": "Helpers",
                                                                        "permissions": "0", "position": 1}}})  # fmt: skip
    await fake.wait_for(is_callback(command))
    after = fake.mark()
    await fake.post("kratom is completely harmless", channel=OFFTOPIC)
    await fake.post("kratom is completely harmless", roles=[IGNORED_ROLE])
    await fake.quiet(lambda r: r.method == "POST" and r.path.startswith("/channels/"), 0.4, after=after)
    watched = await fake.post("kratom is completely harmless")
    await fake.wait_for(is_reply_to(watched))


async def test_alert_mode_posts_to_the_log_channel_only(fake, start_bot):
    await start_bot()
    resolved = {"channels": {str(MODLOG): {"id": str(MODLOG), "type": 0, "name": "mod-log", "permissions": "0"}}}
    command = await fake.admin("log-channel", [{"name": "channel", "type": 7, "value": str(MODLOG)}], resolved=resolved)
    await fake.wait_for(is_callback(command))
    command = await fake.admin("action", [{"name": "value", "type": 3, "value": "alert"}])
    await fake.wait_for(is_callback(command))
    after = fake.mark()
    message = await fake.post("you literally cannot overdose on kratom @everyone")
    alert = await fake.wait_for(is_post_to(MODLOG), after=after)
    embed = alert.json["embeds"][0]
    assert f"/channels/100/{GENERAL}/{message['id']}" in embed["url"]
    assert alert.json["allowed_mentions"]["parse"] == []
    await fake.quiet(is_post_to(GENERAL), 0.3, after=after)


async def test_cooldown_answers_a_claim_once_per_channel(fake, start_bot):
    await start_bot()
    first = await fake.post("kratom is completely harmless")
    await fake.wait_for(is_reply_to(first))
    after = fake.mark()
    await fake.post("seriously, kratom is totally harmless", author=OTHER_MEMBER_ID)
    await fake.quiet(is_post_to(GENERAL), 0.4, after=after)
    other_claim = await fake.post("kratom cured my back pain")
    await fake.wait_for(is_reply_to(other_claim), after=after)
    other_channel = await fake.post("kratom is completely harmless", channel=OFFTOPIC)
    await fake.wait_for(is_reply_to(other_channel), after=after)


async def test_reply_cap_per_server(fake, start_bot):
    running = await start_bot()
    await running.bot.update_settings(100, lambda s: setattr(s, "replies_per_minute", 2))
    claims = ["kratom is completely harmless", "kratom cured my back pain", "you can't OD on kratom"]
    posted = [await fake.post(text) for text in claims]
    await fake.wait_for(is_reply_to(posted[1]))
    await fake.quiet(is_reply_to(posted[2]), 0.4)


async def test_an_edit_updates_the_existing_reply(fake, start_bot):
    await start_bot()
    message = await fake.post("kratom is completely harmless")
    reply = await fake.wait_for(is_reply_to(message))
    reply_id = _reply_id(fake, message)
    after = fake.mark()
    await fake.edit(message, "kratom is completely harmless and you can't OD on it")
    patch = await fake.wait_for(lambda r: r.method == "PATCH" and r.path == f"/channels/{GENERAL}/messages/{reply_id}", after=after)
    assert "cannot overdose" in embed_text(patch)
    await fake.quiet(is_post_to(GENERAL), 0.2, after=after)
    after = fake.mark()
    await fake.edit(message, "never mind, I take it back")
    await fake.wait_for(lambda r: r.method == "DELETE" and r.path == f"/channels/{GENERAL}/messages/{reply_id}", after=after)
    assert reply.json["embeds"]


async def test_an_edit_that_adds_a_claim_gets_a_reply(fake, start_bot):
    await start_bot()
    message = await fake.post("good morning all")
    after = fake.mark()
    await fake.edit(message, "good morning all, kratom is totally harmless btw")
    await fake.wait_for(is_reply_to(message), after=after)


async def test_everyone_and_role_mentions_never_ping(fake, start_bot):
    await start_bot()
    message = await fake.post(
        "@everyone @here <@&400> kratom is **completely** harmless <@300>",
        extra={"mention_everyone": True, "mention_roles": ["400"]},
    )
    reply = await fake.wait_for(is_reply_to(message))
    assert reply.json["allowed_mentions"] == {"parse": [], "replied_user": False}
    text = embed_text(reply)
    assert "@everyone" not in text and "<@&400>" not in text
    click = await fake.click(fake.messages[_reply_id(fake, message)], _custom_id(reply, "why"))
    why = await fake.wait_for(is_callback(click))
    content = why.json["data"]["embeds"][0]["description"]
    assert "harmless" in content and "@everyone" not in content.replace("@\u200beveryone", "")
    assert why.json["data"]["allowed_mentions"]["parse"] == []


async def test_missing_permission_is_logged_and_the_bot_carries_on(fake, start_bot, caplog):
    await start_bot()
    fake.fail_next(is_post_to(GENERAL), 403, {"message": "Missing Permissions", "code": 50013})
    with caplog.at_level(logging.WARNING, logger="bot.discord.cogs.watcher"):
        first = await fake.post("kratom is completely harmless")
        await fake.wait_for(is_reply_to(first))  # the refused attempt
        for _ in range(50):
            if "missing permission" in caplog.text:
                break
            await asyncio.sleep(0.05)
    assert "missing permission" in caplog.text
    second = await fake.post("kratom cured my back pain", channel=OFFTOPIC)
    await fake.wait_for(is_reply_to(second))


async def test_rate_limit_retry_after_is_respected(fake, start_bot):
    await start_bot()
    fake.fail_next(is_post_to(GENERAL), 429, {"message": "You are being rate limited.", "retry_after": 0.3, "global": False},
                   headers={"Via": "1.1 google", "Retry-After": "1"})  # fmt: skip
    message = await fake.post("kratom is completely harmless")
    first = await fake.wait_for(is_reply_to(message))
    index = fake.requests.index(first)
    retry = await fake.wait_for(is_reply_to(message), after=index + 1)
    assert retry.at - first.at >= 0.3


async def test_messages_in_threads_are_watched_and_follow_their_forum(fake, start_bot):
    await start_bot()
    thread = await fake.create_thread(FORUM)
    post = await fake.post("kratom is completely harmless", channel=thread)
    await fake.wait_for(is_reply_to(post))
    command = await fake.admin("channel", [{"name": "channel", "type": 7, "value": str(FORUM)},
                                            {"name": "mode", "type": 3, "value": "ignore"}],
                               resolved={"channels": {str(FORUM): {"id": str(FORUM), "type": 15, "name": "questions",
                                                                   "permissions": "0"}}})  # fmt: skip
    await fake.wait_for(is_callback(command))
    after = fake.mark()
    await fake.post("kratom cured my back pain", channel=thread)
    await fake.quiet(is_post_to(thread), 0.4, after=after)


def _custom_id(reply, kind: str) -> str:
    return next(c["custom_id"] for row in reply.json["components"] for c in row["components"] if f":{kind}:" in c["custom_id"])


def _reply_id(fake, message) -> int:
    return next(mid for mid, m in fake.messages.items() if m.get("message_reference", {}).get("message_id") == message["id"])


async def test_hostile_message_is_handled_without_crash_or_ping(fake, start_bot):
    await start_bot()
    claim = "k\u200br\u0430t\u043em is ||**c\u043empletely**|| harmless"  # zero-width, Cyrillic, markdown
    text = ("@everyone <@&400> " + "\u200b\u202e" * 500 + claim + " ` > ~~ " + "ｘ" * 200)[:4000]
    text = text + " " * (4000 - len(text))
    message = await fake.post(text, extra={"mention_everyone": True, "mention_roles": ["400"]})
    reply = await fake.wait_for(is_reply_to(message))
    assert reply.json["allowed_mentions"] == {"parse": [], "replied_user": False}
    assert "harmless" in embed_text(reply)
