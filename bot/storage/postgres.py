"""PostgreSQL backend (asyncpg) for several shard processes sharing one database.

A connection pool per process; migrations are applied under an advisory lock,
so that processes starting together do not both migrate.
"""

from __future__ import annotations

import functools
import logging
import re
import time
from collections.abc import Sequence

import asyncpg

from bot.logs import os_reason
from bot.storage.base import StorageError
from bot.storage.schema import migrations
from bot.storage.sql import SQLStorage, Statement

log = logging.getLogger(__name__)

MIGRATION_LOCK = 0x636C61696D636B  # any constant bigint; "claimck" in ASCII
POOL_MAX_SIZE = 10
CONNECT_TIMEOUT_SECONDS = 10.0
_PLACEHOLDER = re.compile(r"\?")
_ROW_COUNT = re.compile(r"(\d+)$")


@functools.lru_cache(maxsize=256)
def _numbered(sql: str) -> str:
    """``?`` placeholders as PostgreSQL's ``$1, $2, ...``."""
    counter = iter(range(1, 1000))
    return _PLACEHOLDER.sub(lambda _: f"${next(counter)}", sql)


def without_password(url: str) -> str:
    """The URL as it may be printed: any password replaced by ***."""
    return re.sub(r"(//[^:/@]+:)[^@]*@", r"\1***@", url)


class PostgresStorage(SQLStorage):
    dialect = "postgresql"

    def __init__(self, url: str) -> None:
        super().__init__()
        self.url = url
        self._pool: asyncpg.Pool | None = None

    def __str__(self) -> str:
        return without_password(self.url)

    @property
    def pool(self) -> asyncpg.Pool:
        if self._pool is None:
            raise StorageError("storage is not open")
        return self._pool

    async def open(self) -> None:
        try:
            self._pool = await asyncpg.create_pool(
                self.url, min_size=1, max_size=POOL_MAX_SIZE, timeout=CONNECT_TIMEOUT_SECONDS
            )
            await self._migrate()
        except (asyncpg.PostgresError, asyncpg.InterfaceError, OSError, TimeoutError, ValueError) as exc:
            await self.close()
            raise StorageError(f"cannot open database {self}: {_reason(exc)}") from exc

    async def _migrate(self) -> None:
        async with self.pool.acquire() as connection, connection.transaction():
            await connection.execute("SELECT pg_advisory_xact_lock($1)", MIGRATION_LOCK)
            await connection.execute(
                "CREATE TABLE IF NOT EXISTS schema_migrations "
                "(version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at DOUBLE PRECISION NOT NULL)"
            )
            current = await connection.fetchval("SELECT COALESCE(MAX(version), 0) FROM schema_migrations")
            for migration in migrations(self.dialect):
                if migration.version <= current:
                    continue
                log.info("applying database migration postgresql/%s", migration.name)
                await connection.execute(migration.sql)
                await connection.execute(
                    "INSERT INTO schema_migrations (version, name, applied_at) VALUES ($1, $2, $3)",
                    migration.version, migration.name, time.time(),
                )  # fmt: skip

    async def schema_version(self) -> int:
        return await self.pool.fetchval("SELECT COALESCE(MAX(version), 0) FROM schema_migrations")

    async def close(self) -> None:
        await self._flush_or_warn("before closing")
        pool, self._pool = self._pool, None
        if pool is not None:
            await pool.close()

    # --- the primitives SQLStorage builds on -------------------------------------------

    async def _fetch(self, sql: str, *args: object) -> list[tuple]:
        return [tuple(record) for record in await self.pool.fetch(_numbered(sql), *args)]

    async def _run(self, statements: Sequence[Statement]) -> list[int]:
        counts = []
        async with self.pool.acquire() as connection, connection.transaction():
            for sql, args in statements:
                status = await connection.execute(_numbered(sql), *args)
                match = _ROW_COUNT.search(status)
                counts.append(int(match.group(1)) if match else 0)
        return counts

    async def _insert_returning_id(self, sql: str, *args: object) -> int:
        return await self.pool.fetchval(_numbered(sql), *args)

    async def insert_rows(self, table: str, rows: Sequence[Sequence[object]]) -> None:
        await super().insert_rows(table, rows)
        if table == "detections":  # explicit ids do not move the identity sequence on
            await self._fetch("SELECT setval(pg_get_serial_sequence('detections', 'id'), MAX(id)) FROM detections")


def _reason(exc: BaseException) -> str:
    if isinstance(exc, asyncpg.InvalidPasswordError | asyncpg.InvalidAuthorizationSpecificationError):
        return f"the server refused the login ({exc}); check the user name and password in the URL"
    if isinstance(exc, asyncpg.InvalidCatalogNameError):
        return f"{exc}; create it first (createdb) or fix the name in the URL"
    if isinstance(exc, OSError):  # TimeoutError included
        return f"cannot connect ({os_reason(exc)}); check the host and port, and that PostgreSQL is running"
    return str(exc)
