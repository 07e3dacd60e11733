"""SQLite backend (aiosqlite): numbered migrations, WAL mode, foreign keys."""

from __future__ import annotations

import asyncio
import logging
import sqlite3
import time
from collections.abc import Sequence
from pathlib import Path

import aiosqlite

from bot.storage.base import StorageError
from bot.storage.schema import migrations
from bot.storage.sql import SQLStorage, Statement

log = logging.getLogger(__name__)
BUSY_TIMEOUT_MS = 5000


def _statements(script: str) -> list[str]:
    """A migration script split into its statements (``sqlite3.complete_statement`` decides)."""
    statements, current = [], ""
    for line in script.splitlines(keepends=True):
        current += line
        if sqlite3.complete_statement(current):
            statements.append(current)
            current = ""
    return statements


class SQLiteStorage(SQLStorage):
    dialect = "sqlite"

    def __init__(self, path: Path | str) -> None:
        super().__init__()
        self.path = Path(path)
        self._db: aiosqlite.Connection | None = None
        # One connection serves every coroutine: a transaction must not interleave with another's.
        self._write_lock = asyncio.Lock()

    def __str__(self) -> str:
        return str(self.path)

    @property
    def db(self) -> aiosqlite.Connection:
        if self._db is None:
            raise StorageError("storage is not open")
        return self._db

    async def open(self) -> None:
        if self.path.is_dir():
            raise StorageError(f"database {self.path} is a directory, not a file")
        if self.path.parent and not self.path.parent.exists():
            raise StorageError(f"database directory {self.path.parent} does not exist")
        try:
            await asyncio.to_thread(self._migrate)
            self._db = await aiosqlite.connect(self.path)
            await self._db.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
            await self._db.execute("PRAGMA foreign_keys=ON")
            # In WAL mode NORMAL cannot corrupt the file and syncs at checkpoints, not on every
            # commit: each detection's two commits cost an fsync apiece with FULL.
            await self._db.execute("PRAGMA synchronous=NORMAL")
        except (sqlite3.Error, OSError) as exc:
            await self.close()
            raise StorageError(f"cannot open database {self.path}: {exc}") from exc

    def _migrate(self) -> None:
        """Apply pending migrations holding SQLite's write lock, so that two processes
        starting together do not both migrate (the second waits, then finds nothing to do).

        Plain sqlite3 in a worker thread: it also proves the file can be opened before
        aiosqlite starts its own thread, which, when its connect fails, reports back to
        the event loop after the loop has closed ("Event loop is closed").
        While another connection switches a new file to WAL, SQLite says "locked" at
        once instead of waiting, so that case is retried until the busy timeout.
        """
        deadline = time.monotonic() + BUSY_TIMEOUT_MS / 1000
        while True:
            try:
                return self._migrate_once()
            except sqlite3.OperationalError as exc:
                if "locked" not in str(exc) or time.monotonic() > deadline:
                    raise
                time.sleep(0.05)

    def _migrate_once(self) -> None:
        db = sqlite3.connect(self.path, isolation_level=None, timeout=BUSY_TIMEOUT_MS / 1000)
        try:
            db.execute("PRAGMA journal_mode=WAL")  # persistent: a property of the file
            db.execute("BEGIN IMMEDIATE")
            try:
                (current,) = db.execute("PRAGMA user_version").fetchone()
                for migration in migrations(self.dialect):
                    if migration.version <= current:
                        continue
                    log.info("applying database migration sqlite/%s", migration.name)
                    for statement in _statements(migration.sql):
                        db.execute(statement)
                    db.execute(f"PRAGMA user_version = {migration.version}")
                db.execute("COMMIT")
            except BaseException:
                db.execute("ROLLBACK")
                raise
        finally:
            db.close()

    async def schema_version(self) -> int:
        async with self.db.execute("PRAGMA user_version") as cursor:
            (version,) = await cursor.fetchone()
        return version

    async def close(self) -> None:
        await self._flush_or_warn("before closing")
        # Detach first: a second close while the first is awaiting would wait forever
        # on aiosqlite's stopped worker thread (discord.py calls close() twice on shutdown).
        db, self._db = self._db, None
        if db is not None:
            await db.close()

    # --- the primitives SQLStorage builds on -------------------------------------------

    async def _fetch(self, sql: str, *args: object) -> list[tuple]:
        # execute_fetchall runs to the end in one step, leaving no statement in progress.
        return [tuple(row) for row in await self.db.execute_fetchall(sql, args)]

    async def _run(self, statements: Sequence[Statement]) -> list[int]:
        counts = []
        async with self._write_lock:
            try:
                for sql, args in statements:
                    cursor = await self.db.execute(sql, args)
                    counts.append(cursor.rowcount)
                    await cursor.close()
                await self.db.commit()
            except BaseException:
                await self.db.rollback()
                raise
        return counts

    async def _insert_returning_id(self, sql: str, *args: object) -> int:
        async with self._write_lock:
            ((row_id,),) = await self.db.execute_fetchall(sql, args)
            await self.db.commit()
        return row_id
