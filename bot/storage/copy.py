"""``claimcheck db copy``: move everything from one database to another, ids included."""

from __future__ import annotations

from bot.storage.base import Storage, StorageError
from bot.storage.schema import TABLES


async def copy_database(source: Storage, target: Storage) -> dict[str, int]:
    """Copy every table from ``source`` into an empty ``target`` (both open); rows per table.

    Ids are kept, so the buttons under earlier replies still find their detections.
    """
    if not await target.is_empty():
        raise StorageError(f"{target} already holds data; copy only into a new, empty database")
    copied = {}
    for table in TABLES:
        copied[table] = 0
        async for rows in source.table_rows(table):
            await target.insert_rows(table, rows)
            copied[table] += len(rows)
    return copied
