"""Flood control and conversation memory for the watcher. Plain Python, no Discord."""

from __future__ import annotations

import time
from collections import OrderedDict, deque
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from bot.core.models import Conversation

Clock = Callable[[], float]


class ClaimCooldown:
    """The same claim is answered at most once per channel per cooldown."""

    def __init__(self, clock: Clock = time.monotonic, max_entries: int = 50_000) -> None:
        self._clock = clock
        self._last: OrderedDict[tuple[int, str], float] = OrderedDict()
        self._max_entries = max_entries

    def fresh(self, channel_id: int, claims: Iterable[str], cooldown_seconds: float) -> list[str]:
        """The claims not answered in this channel within the cooldown."""
        now = self._clock()
        return [c for c in claims if now - self._last.get((channel_id, c), float("-inf")) >= cooldown_seconds]

    def mark(self, channel_id: int, claims: Iterable[str]) -> None:
        now = self._clock()
        for claim in claims:
            self._last[(channel_id, claim)] = now
            self._last.move_to_end((channel_id, claim))
        while len(self._last) > self._max_entries:
            self._last.popitem(last=False)

    def release(self, channel_id: int, claims: Iterable[str]) -> None:
        """Undo ``mark`` when the answer could not be sent."""
        for claim in claims:
            self._last.pop((channel_id, claim), None)


class RateLimiter:
    """At most ``limit`` replies per server in any 60-second window."""

    WINDOW_SECONDS = 60.0

    def __init__(self, clock: Clock = time.monotonic) -> None:
        self._clock = clock
        self._sent: dict[int, deque[float]] = {}

    def allow(self, guild_id: int, limit: int) -> bool:
        now = self._clock()
        sent = self._sent.setdefault(guild_id, deque())
        while sent and now - sent[0] >= self.WINDOW_SECONDS:
            sent.popleft()
        if len(sent) >= limit:
            return False
        sent.append(now)
        return True


@dataclass(frozen=True, slots=True)
class Remembered:
    message_id: int
    content: str


class ConversationBuffer:
    """The last few messages of each channel, in memory, for the implied subject.

    Costs no API call: it is filled from the messages the bot already receives.
    """

    def __init__(self, per_channel: int = 5, max_channels: int = 5_000) -> None:
        self._per_channel = per_channel
        self._max_channels = max_channels
        self._channels: OrderedDict[int, deque[Remembered]] = OrderedDict()

    def add(self, channel_id: int, message_id: int, content: str) -> None:
        if not content.strip():
            return
        buffer = self._channels.get(channel_id)
        if buffer is None:
            buffer = self._channels[channel_id] = deque(maxlen=self._per_channel)
            while len(self._channels) > self._max_channels:
                self._channels.popitem(last=False)
        self._channels.move_to_end(channel_id)
        buffer.append(Remembered(message_id, content))

    def update(self, channel_id: int, message_id: int, content: str) -> None:
        buffer = self._channels.get(channel_id, ())
        for index, item in enumerate(buffer):
            if item.message_id == message_id:
                buffer[index] = Remembered(message_id, content)

    def get(self, channel_id: int, message_id: int) -> str | None:
        return next((m.content for m in self._channels.get(channel_id, ()) if m.message_id == message_id), None)

    def context(self, channel_id: int, before_message_id: int, replied_to: str | None) -> Conversation:
        """The buffered messages before ``before_message_id``, and the one it replies to."""
        earlier = (m.content for m in self._channels.get(channel_id, ()) if m.message_id < before_message_id)
        return Conversation.of(earlier, replied_to)


class RecentIds:
    """A bounded set: messages already handled, so a redelivered event gets no second reply."""

    def __init__(self, size: int = 10_000) -> None:
        self._ids: OrderedDict[int, None] = OrderedDict()
        self._size = size

    def add(self, item: int) -> bool:
        """False if ``item`` was already there."""
        if item in self._ids:
            return False
        self._ids[item] = None
        if len(self._ids) > self._size:
            self._ids.popitem(last=False)
        return True


def shard_of(guild_id: int, shard_count: int) -> int:
    """The shard Discord delivers a guild's events on."""
    return (guild_id >> 22) % shard_count


@dataclass
class ShardState:
    """The in-memory state of one shard's guilds.

    Every guild belongs to exactly one shard, so two shard processes never share
    any of this and need not coordinate; what a restart loses is only this memory.
    """

    conversations: ConversationBuffer = field(default_factory=ConversationBuffer)
    cooldowns: ClaimCooldown = field(default_factory=ClaimCooldown)
    rate_limiter: RateLimiter = field(default_factory=RateLimiter)
    handled_messages: RecentIds = field(default_factory=RecentIds)
