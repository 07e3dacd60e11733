"""Persistence behind a small interface: settings, detections, false-positive reports.

``storage_for(CLAIMCHECK_DATABASE)`` picks the backend: SQLite for a path or
``sqlite:///`` URL, PostgreSQL for a ``postgresql://`` URL.
"""

from bot.storage.base import Detection, FalsePositiveResult, GuildSettings, Storage, StorageError
from bot.storage.factory import check_database_url, storage_for

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


def __getattr__(name: str):
    """The backends load on first use: asyncpg and aiosqlite cost start-up time a CLI check does not need."""
    if name == "PostgresStorage":
        from bot.storage.postgres import PostgresStorage

        return PostgresStorage
    if name == "SQLiteStorage":
        from bot.storage.sqlite import SQLiteStorage

        return SQLiteStorage
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
