"""Persistence behind a small interface: settings, detections, false-positive reports.

``storage_for(CLAIMCHECK_DATABASE)`` picks the backend: SQLite for a path or
``sqlite:///`` URL, PostgreSQL for a ``postgresql://`` URL.
"""

from bot.storage.base import Detection, FalsePositiveResult, GuildSettings, Storage, StorageError
from bot.storage.factory import check_database_url, storage_for
from bot.storage.postgres import PostgresStorage
from bot.storage.sqlite import SQLiteStorage

__all__ = [
    "Detection",
    "FalsePositiveResult",
    "GuildSettings",
    "PostgresStorage",
    "SQLiteStorage",
    "Storage",
    "StorageError",
    "check_database_url",
    "storage_for",
]
