"""Persistence behind a small interface: settings, detections, false-positive reports."""

from bot.storage.base import Detection, FalsePositiveResult, GuildSettings, Storage, StorageError
from bot.storage.sqlite import SQLiteStorage

__all__ = ["Detection", "FalsePositiveResult", "GuildSettings", "SQLiteStorage", "Storage", "StorageError"]
