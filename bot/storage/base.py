"""The storage interface and its records. Backends implement ``Storage``."""

from __future__ import annotations

import abc
import enum
from collections.abc import AsyncIterator, Iterable, Sequence
from dataclasses import dataclass
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from bot.core.claims import ClaimId

Action = Literal["reply", "alert", "both", "off"]
Engine = Literal["rules", "rules+model"]
ACTIONS: tuple[str, ...] = ("reply", "alert", "both", "off")
MAX_COOLDOWN_SECONDS = 24 * 3600
MAX_REPLIES_PER_MINUTE = 120


class StorageError(RuntimeError):
    """The database cannot be opened or written."""


class GuildSettings(BaseModel):
    """How ClaimCheck behaves in one server. Validated on every change."""

    model_config = ConfigDict(extra="ignore", validate_assignment=True)

    guild_id: int
    action: Action = "reply"
    log_channel_id: int | None = None
    cooldown_seconds: int = Field(default=600, ge=0, le=MAX_COOLDOWN_SECONDS)
    replies_per_minute: int = Field(default=20, ge=1, le=MAX_REPLIES_PER_MINUTE)
    watch_all_channels: bool = True
    watched_channels: set[int] = Field(default_factory=set)  # the allow list when watch_all_channels is off
    ignored_channels: set[int] = Field(default_factory=set)
    ignored_roles: set[int] = Field(default_factory=set)
    disabled_claims: set[ClaimId] = Field(default_factory=set)
    disabled_rules: set[str] = Field(default_factory=set)
    store_message_text: bool = False
    engine: Engine = "rules+model"  # the rules alone, or rules and the learned model

    def watches(self, channel_ids: Iterable[int]) -> bool:
        """Is a message in this channel watched? ``channel_ids``: the channel, then its parents."""
        ids = [channel_id for channel_id in channel_ids if channel_id]
        if any(channel_id in self.ignored_channels for channel_id in ids):
            return False
        return self.watch_all_channels or any(channel_id in self.watched_channels for channel_id in ids)


class DetectionAction(enum.StrEnum):
    """What the bot did about a detection."""

    REPLIED = "replied"
    ALERTED = "alerted"
    REPLIED_AND_ALERTED = "replied+alerted"
    COOLDOWN = "cooldown"  # every claim was answered in this channel recently
    RATE_LIMITED = "rate-limited"  # the server's replies-per-minute cap was reached
    LOGGED = "logged"  # action 'off': recorded only
    FAILED = "failed"  # sending was refused (missing permission)
    ON_REQUEST = "on-request"  # /claimcheck or the context menu


@dataclass(frozen=True)
class Detection:
    guild_id: int
    channel_id: int
    message_id: int
    author_id: int
    claim_ids: tuple[str, ...]
    rule_ids: tuple[str, ...]
    action: str
    created_at: float
    id: int | None = None
    reply_message_id: int | None = None
    alert_message_id: int | None = None
    message_text: str | None = None


class FalsePositiveResult(enum.StrEnum):
    RECORDED = "recorded"
    ALREADY_REPORTED = "already-reported"
    UNKNOWN_DETECTION = "unknown-detection"


class Storage(abc.ABC):
    """What the bot needs from a database: ``SQLiteStorage`` or ``PostgresStorage``."""

    dialect: str  # "sqlite" or "postgresql": which migrations apply
    writes: int  # write statements committed since start, for the metrics

    @abc.abstractmethod
    async def open(self) -> None:
        """Connect and apply pending migrations; StorageError with the reason if that fails."""

    @abc.abstractmethod
    async def close(self) -> None: ...

    @abc.abstractmethod
    async def ping(self) -> None:
        """Raise if the database cannot be reached (the health check)."""

    @abc.abstractmethod
    async def schema_version(self) -> int: ...

    @abc.abstractmethod
    async def get_settings(self, guild_id: int) -> GuildSettings: ...

    @abc.abstractmethod
    async def save_settings(self, settings: GuildSettings) -> None: ...

    @abc.abstractmethod
    async def add_detection(self, detection: Detection) -> int: ...

    @abc.abstractmethod
    def record_detection(self, detection: Detection) -> None:
        """Record a detection whose id nobody needs; written soon, in a batch (``flush``)."""

    @abc.abstractmethod
    async def flush(self) -> None:
        """Write every recorded detection now."""

    @abc.abstractmethod
    async def update_detection(
        self,
        detection_id: int,
        *,
        action: str | None = None,
        reply_message_id: int | None = None,
        alert_message_id: int | None = None,
        claim_ids: tuple[str, ...] | None = None,
        rule_ids: tuple[str, ...] | None = None,
    ) -> None: ...

    @abc.abstractmethod
    async def get_detection(self, detection_id: int) -> Detection | None: ...

    @abc.abstractmethod
    async def latest_detection_for_message(self, message_id: int) -> Detection | None: ...

    @abc.abstractmethod
    async def add_false_positive(self, detection_id: int, reporter_id: int) -> FalsePositiveResult: ...

    @abc.abstractmethod
    async def reported_detections(self) -> list[tuple[Detection, int]]:
        """Every detection with "Not a claim" reports, oldest first, with how many (for review)."""

    @abc.abstractmethod
    async def stats(self, guild_id: int, since: float) -> dict[str, tuple[int, int]]:
        """Claim id -> (detections, false-positive reports) since a UNIX time."""

    @abc.abstractmethod
    async def purge_guild(self, guild_id: int) -> int:
        """Forget everything stored for a server; returns detections removed."""

    @abc.abstractmethod
    async def purge_member(self, guild_id: int, user_id: int) -> int:
        """Forget one member's detections and reports in a server; returns rows removed."""

    @abc.abstractmethod
    async def purge_older_than(self, cutoff: float) -> int:
        """Retention: remove detections (and their reports) older than a UNIX time."""

    @abc.abstractmethod
    async def is_empty(self) -> bool: ...

    @abc.abstractmethod
    def table_rows(self, table: str) -> AsyncIterator[list[tuple]]:
        """Every row of a table in batches, for copying to another database."""

    @abc.abstractmethod
    async def insert_rows(self, table: str, rows: Sequence[Sequence[object]]) -> None: ...
