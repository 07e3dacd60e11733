"""Flood control and conversation memory for the watcher. Plain Python, no Discord."""

from __future__ import annotations

import time
from collections import OrderedDict, deque
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import NamedTuple

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


class Remembered(NamedTuple):
    message_id: int
    content: str
    might_name_kratom: bool  # decided once, when the message arrives


@dataclass(slots=True)
class _Channel:
    messages: deque[Remembered]
    since_kratom: int  # messages since the last one that might name kratom (capped)


class ConversationBuffer:
    """The last few messages of each channel, in memory, for the implied subject.

    Costs no API call: it is filled from the messages the bot already receives.
    Whether a message might name kratom is decided once, when it is added, so that
    "does this message's recent conversation name kratom?" is one comparison.
    """

    def __init__(self, per_channel: int = 5, max_channels: int = 5_000, window: int = 3) -> None:
        self._per_channel = per_channel
        self._max_channels = max_channels
        self._window = window  # the earlier messages that count as recent (the engine's context window)
        self._channels: OrderedDict[int, _Channel] = OrderedDict()

    def add(self, channel_id: int, message_id: int, content: str, might_name_kratom: bool) -> None:
        if not content or content.isspace():
            return
        channel = self._channels.get(channel_id)
        if channel is None:
            channel = self._channels[channel_id] = _Channel(deque(maxlen=self._per_channel), self._window)
            while len(self._channels) > self._max_channels:
                self._channels.popitem(last=False)
        else:
            self._channels.move_to_end(channel_id)
        channel.messages.append(Remembered(message_id, content, might_name_kratom))
        if might_name_kratom:
            channel.since_kratom = 0
        elif channel.since_kratom < self._window:
            channel.since_kratom += 1

    def update(self, channel_id: int, message_id: int, content: str, might_name_kratom: bool) -> None:
        channel = self._channels.get(channel_id)
        if channel is None:
            return
        for index, item in enumerate(channel.messages):
            if item.message_id == message_id:
                channel.messages[index] = Remembered(message_id, content, might_name_kratom)
        newest_first = [m.might_name_kratom for m in reversed(channel.messages)]
        channel.since_kratom = min(newest_first.index(True) if True in newest_first else self._window, self._window)

    def recent_might_name_kratom(self, channel_id: int, message_id: int) -> bool:
        """Whether any of the last ``window`` messages before ``message_id`` might name kratom.

        Also true when ``message_id`` arrived out of order (older than the newest
        buffered message): then the window is not simply the last messages.
        """
        channel = self._channels.get(channel_id)
        if channel is None:
            return False
        return channel.since_kratom < self._window or channel.messages[-1].message_id > message_id

    def get(self, channel_id: int, message_id: int) -> Remembered | None:
        channel = self._channels.get(channel_id)
        return next((m for m in channel.messages if m.message_id == message_id), None) if channel else None

    def context(self, channel_id: int, before_message_id: int, replied_to: str | None) -> Conversation:
        """The buffered messages before ``before_message_id``, and the one it replies to."""
        channel = self._channels.get(channel_id)
        earlier = (m.content for m in channel.messages if m.message_id < before_message_id) if channel else ()
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
