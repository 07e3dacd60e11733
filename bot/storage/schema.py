"""The numbered schema migrations of each SQL dialect, and the tables ``db copy`` moves."""

from __future__ import annotations

import re
from dataclasses import dataclass
from importlib import resources

from bot.storage.base import StorageError

DIALECTS = ("sqlite", "postgresql")
_MIGRATION_NAME = re.compile(r"^(\d{4})_[a-z0-9_]+\.sql$")

# Table -> columns, in the order ``db copy`` reads and writes them. Parents come
# before children (reports refer to detections).
TABLES: dict[str, tuple[str, ...]] = {
    "guild_settings": ("guild_id", "data", "updated_at"),
    "detections": (
        "id", "guild_id", "channel_id", "message_id", "author_id", "claim_ids", "rule_ids", "action",
        "reply_message_id", "alert_message_id", "message_text", "created_at",
    ),  # fmt: skip
    "false_positive_reports": ("detection_id", "guild_id", "reporter_id", "created_at"),
}


@dataclass(frozen=True)
class Migration:
    version: int
    name: str
    sql: str


def migrations(dialect: str) -> list[Migration]:
    """Every bundled migration of ``dialect``, in order; numbered 0001, 0002, ... without gaps.

    Both dialects carry the same numbers: a migration whose SQL differs is written once per dialect.
    """
    found = []
    for entry in resources.files("bot.storage").joinpath("migrations", dialect).iterdir():
        match = _MIGRATION_NAME.match(entry.name)
        if match:
            found.append(Migration(int(match.group(1)), entry.name, entry.read_text(encoding="utf-8")))
    found.sort(key=lambda migration: migration.version)
    versions = [migration.version for migration in found]
    if versions != list(range(1, len(versions) + 1)):
        raise StorageError(f"{dialect} migrations must be numbered 0001, 0002, ... without gaps: {versions}")
    return found
