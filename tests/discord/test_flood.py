"""Cooldown, reply cap and the conversation buffer, with a controllable clock."""

from bot.core.models import Conversation
from bot.discord.flood import ClaimCooldown, ConversationBuffer, RateLimiter, RecentIds


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_cooldown_per_channel_and_claim():
    clock = Clock()
    cooldown = ClaimCooldown(clock)
    assert cooldown.fresh(1, ["harmless", "no-overdose"], 600) == ["harmless", "no-overdose"]
    cooldown.mark(1, ["harmless"])
    clock.now += 599
    assert cooldown.fresh(1, ["harmless", "no-overdose"], 600) == ["no-overdose"]
    assert cooldown.fresh(2, ["harmless"], 600) == ["harmless"]
    clock.now += 1
    assert cooldown.fresh(1, ["harmless"], 600) == ["harmless"]
    cooldown.mark(1, ["harmless"])
    cooldown.release(1, ["harmless"])
    assert cooldown.fresh(1, ["harmless"], 600) == ["harmless"]
    assert cooldown.fresh(1, ["harmless"], 0) == ["harmless"]


def test_rate_limiter_sliding_minute():
    clock = Clock()
    limiter = RateLimiter(clock)
    assert [limiter.allow(7, 2) for _ in range(3)] == [True, True, False]
    assert limiter.allow(8, 2)  # other servers are separate
    clock.now += 60
    assert limiter.allow(7, 2)


def test_conversation_buffer_context_order_and_reply_last():
    buffer = ConversationBuffer(per_channel=3)
    for message_id, text in enumerate(["a", "b", "c", "d"], start=1):
        buffer.add(10, message_id, text, False)
    assert buffer.context(10, 5, None).messages == ("b", "c", "d")
    assert buffer.context(10, 5, "c") == Conversation(("b", "d"), "c")
    assert buffer.context(10, 3, None).messages == ("b",)
    buffer.update(10, 4, "d2", False)
    assert buffer.get(10, 4).content == "d2" and buffer.get(11, 4) is None
    buffer.add(10, 6, "   ", False)
    assert buffer.context(10, 7, None).messages == ("b", "c", "d2")


def test_conversation_buffer_knows_whether_the_last_messages_might_name_kratom():
    buffer = ConversationBuffer(window=3)
    assert not buffer.recent_might_name_kratom(10, 1)
    buffer.add(10, 1, "kratom talk", True)
    for message_id in (2, 3):
        buffer.add(10, message_id, "ordinary", False)
        assert buffer.recent_might_name_kratom(10, message_id + 1)
    buffer.add(10, 4, "ordinary", False)
    assert not buffer.recent_might_name_kratom(10, 5)  # the kratom message is 4 back now
    assert buffer.recent_might_name_kratom(10, 3)  # arrived out of order: not just the last three
    assert not buffer.recent_might_name_kratom(11, 5)  # another channel
    buffer.update(10, 3, "edited to name kratom", True)
    assert buffer.recent_might_name_kratom(10, 5)
    buffer.update(10, 3, "edited back", False)
    assert not buffer.recent_might_name_kratom(10, 5)


def test_recent_ids_are_bounded():
    seen = RecentIds(size=2)
    assert seen.add(1) and seen.add(2) and not seen.add(1)
    assert seen.add(3) and seen.add(1)  # 1 fell out
